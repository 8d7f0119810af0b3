# The checks inside the systemd VM (Scripts/test-systemd-vm): the installed package's units under
# a real systemd 252, on a real kernel's gpio-sim chip. Ends the VM with its status.
. /root/lib-gpiosim.sh
passed=0; failed=0
check() {  # ACTUAL EXPECTED WHAT
    if [ "$1" = "$2" ]; then passed=$((passed + 1)); echo "ok     $3"
    else failed=$((failed + 1)); echo "FAILED $3 (got '$1', expected '$2')"; fi
}
finish() {
    echo "--- journal of needled"; journalctl -u needled --no-pager -o short-monotonic | tail -n 40
    echo "$passed passed, $failed failed"
    rc=$([ $failed -eq 0 ] && echo 0 || echo 1)
    echo "NEEDLED-TEST-RC=$rc"
    printf "\\$(printf %o $rc)" | dd of=/dev/port bs=1 seek=244 count=1 conv=notrunc 2>/dev/null
    systemctl poweroff --force --force
}
C="timeout 20 needlectl --socket /run/needled/needled.sock"
state() { $C --json status 2>/dev/null | grep -o '"state":"[a-z]*"' | cut -d'"' -f4; }
json() { $C --json "$@" 2>/dev/null; }
echo "NEEDLED-BOOT-SECONDS=$(cut -d' ' -f1 /proc/uptime)"
journalctl -b --no-pager -u needled | tail -n 20

# The pen's chip, by label: udev runs `needled chip-label` and gives it to the needled group.
modprobe gpio-sim
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
gpiosim_create pen needled-pen $PEN_LINES || { echo "gpio-sim chip not created"; failed=1; finish; }
sim_pull 10 pull-up; sim_pull 11 pull-up; sim_pull 12 pull-up; sim_pull 9 pull-up
udevadm settle
check "$(stat -c %G "/dev/$SIM_CHIP")" needled "udev gives the pen's chip (by label) to the needled group"
check "$(readlink -f /dev/needled-pen)" "/dev/$SIM_CHIP" "udev links /dev/needled-pen to it"
[ -e /dev/needled-pen ] || { ls -l /dev/gpiochip* /dev/needled* 2>&1; udevadm info "/dev/$SIM_CHIP"; }
check "$(id -u needled >/dev/null 2>&1 && echo yes)" yes "the package created the needled user (sysusers.d)"
cat > /etc/needled/needled.toml <<EOT
[daemon]
backend = "gpio"
tick-rate-hertz = 200
[limits]
max-depth-micrometres = 1200
tick-overruns-in-a-row = 1000
stall-timeout-milliseconds = 1000
EOT

check "$(systemctl is-enabled needled.socket)" enabled "the package enabled needled.socket"
check "$(systemctl is-active needled.service)" inactive "needled is not running before the first connection"
timeout 30 systemctl start needled.socket
echo "needled.socket: $(systemctl is-active needled.socket)"
started=$(date +%s.%N)
check "$(state)" idle "socket activation: the first connection starts needled, which answers idle"
check "$(systemctl is-active needled.service)" active "needled.service is active (READY=1 reached)"
[ "$(systemctl is-active needled.service)" = active ] || {
    systemctl status needled.socket needled.service --no-pager -l 2>&1 | tail -n 30
    journalctl -b --no-pager -u needled | tail -n 30
    failed=$((failed + 1)); finish
}
echo "FIGURE first connection to answer (socket activation, cold start under TCG): $(echo "$(date +%s.%N) - $started" | bc) s"
check "$(json info | grep -o '"backend":"[a-z]*"' | cut -d'"' -f4)" gpio "the hardened unit opened the GPIO chip (backend gpio)"
status=$(systemctl show -p StatusText --value needled)
echo "StatusText: $status"
case "$status" in gpio\ pen\;\ pen\ idle*) ok=yes ;; *) ok=no ;; esac
check "$ok" yes "systemctl status shows a STATUS= line a person can read"
check "$(stat -c %a /run/needled/needled.sock)" 666 "the socket lets everyone connect (access is by peer credentials)"
check "$(getent group needled-operator needled-view | wc -l)" 2 "the package created the operator and read-only groups"
stranger=$(setpriv --reuid=65534 --regid=65534 --clear-groups $C status 2>&1 || true)
case "$stranger" in *"Unauthorized: uid 65534"*) ok=yes ;; *) ok=no; echo "$stranger" ;; esac
check "$ok" yes "a user outside needled-operator and needled-view is refused with -32004"
viewer=$(setpriv --reuid=65534 --regid=65534 --groups="$(getent group needled-view | cut -d: -f3)" $C status 2>&1 || true)
case "$viewer" in *idle*) ok=yes ;; *) ok=no; echo "$viewer" ;; esac
check "$ok" yes "a member of needled-view reads the status"
check "$(grep -c '^.Dt NEEDLECTL 1' /usr/share/man/man1/needlectl.1)" 1 "make install put needlectl's man page (mdoc) in place"
comp=$(bash -c 'source /usr/share/bash-completion/completions/needlectl && complete -p needlectl' 2>&1 || true)
case "$comp" in *needlectl*) ok=yes ;; *) ok=no; echo "$comp" ;; esac
check "$ok" yes "the bash completion for needlectl loads"
check "$(ls /usr/share/zsh/vendor-completions/_needlectl /usr/share/fish/vendor_completions.d/needlectl.fish | wc -l)" 2 "zsh and fish completions installed"
check "$(ps -o user= -p "$(systemctl show -p MainPID --value needled)")" needled "needled runs as the needled user"
journalctl -u needled -p 6..6 --no-pager | grep -q "records: integrity_check ok" && p6=yes || p6=no
check "$p6" yes "info lines reach the journal at priority 6 (info)"

# Reload: a bad file keeps the running configuration, with each error and its line in the journal.
echo 'max-depth-micrometres = "deep"' >> /etc/needled/needled.toml
systemctl reload needled
sleep 0.5
check "$(systemctl is-active needled)" active "a reload with a bad config keeps needled running"
journalctl -u needled --no-pager | grep -q "reload refused, the running configuration stays: /etc/needled/needled.toml:" && r=yes || r=no
check "$r" yes "the journal names the bad line"
journalctl -u needled -p 3..3 --no-pager | grep -q "reload refused" && p3=yes || p3=no
check "$p3" yes "the refusal is logged at priority 3 (error)"
check "$(json info | grep -o '"limits":{[^}]*}' | grep -o '"maxDepthMicrometres":[0-9]*' | cut -d: -f2)" 1200 "the old limits stay in force"
sed -i '$d' /etc/needled/needled.toml
sed -i 's/max-depth-micrometres = 1200/max-depth-micrometres = 900/' /etc/needled/needled.toml
systemctl reload needled; sleep 0.5
check "$(json info | grep -o '"limits":{[^}]*}' | grep -o '"maxDepthMicrometres":[0-9]*' | cut -d: -f2)" 900 "a good reload lowers the limit"

# The watchdog: a frozen daemon stops its pings; systemd kills it and starts it again, idle.
$C home >/dev/null 2>&1
old=$(systemctl show -p MainPID --value needled)
kill -STOP "$old"
frozen=$(date +%s.%N)
new=$old; i=0
while { [ "$new" = "$old" ] || [ "$new" = 0 ]; } && [ $i -lt 300 ]; do
    sleep 0.1; i=$((i + 1)); new=$(systemctl show -p MainPID --value needled)
done
while [ "$(systemctl is-active needled)" != active ] && [ $i -lt 400 ]; do sleep 0.1; i=$((i + 1)); done
restarted=$(echo "$(date +%s.%N) - $frozen" | bc)
echo "FIGURE watchdog: frozen with SIGSTOP to restarted and ready: $restarted s (WatchdogSec=2s, TimeoutAbortSec=2s, RestartSec=1s)"
check "$([ "$new" != "$old" ] && [ "$new" != 0 ] && echo yes)" yes "the watchdog killed the frozen daemon and systemd restarted it"
journalctl -u needled --no-pager | grep -q "Watchdog timeout" && w=yes || w=no
check "$w" yes "systemd logged the watchdog timeout"
check "$(state)" idle "after the restart the pen is idle (nothing resumes by itself)"

score=$(systemd-analyze security needled.service 2>/dev/null | grep -o 'exposure level for needled.service: [0-9.]*' | awk '{print $NF}')
echo "FIGURE systemd-analyze security needled.service (online, in the VM): $score"
check "$(echo "$score < 2.5" | bc)" 1 "systemd-analyze security rates the running unit below 2.5"
systemctl stop needled.service needled.socket
check "$(systemctl is-active needled.service)" inactive "systemctl stop stops it"
finish
