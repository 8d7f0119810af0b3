# needled itself on the kernel's gpio-sim chip: the safety path end to end.
# Line offsets (PEN_LINES): 0 motor-enable 1 brake 2 motor-dir 3 heartbeat 4 stepper-step
# 5 stepper-dir 6 stepper-enable 7 encoder-a 8 encoder-b 9 home-switch 10 cartridge-present
# 11 driver-fault (active-low) 12 estop (active-low)
. /tests/lib-gpiosim.sh
gpiosim_create pen needled-pen $PEN_LINES || { echo "gpio-sim chip not created"; exit 10; }
passed=0; failed=0
check() {  # ACTUAL EXPECTED WHAT
    if [ "$1" = "$2" ]; then passed=$((passed + 1)); echo "ok     $3"
    else failed=$((failed + 1)); echo "FAILED $3 (got '$1', expected '$2')"; fi
}
C="needlectl --socket /tmp/n.sock"
state() { $C --json status | grep -o '"state":"[a-z]*"' | cut -d'"' -f4; }
fault() { $C --json status | grep -o '"code":"[A-Za-z]*"' | head -n 1 | cut -d'"' -f4; }
wait_state() {  # STATE [tries]
    i=0; while [ "$(state)" != "$1" ] && [ $i -lt ${2:-50} ]; do sleep 0.1; i=$((i + 1)); done
}
samples() {  # OFFSET: 20 samples of a line's value, concatenated
    s=""; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do s="$s$(sim_value $1)"; done; echo "$s"
}
# The last file the kernel unpacked from the initramfs can still be "busy" (ETXTBSY) when the
# test starts; a copy made from user space is not.
cp /usr/bin/needled /tmp/needled
start_daemon() {
    /tmp/needled --config /tmp/needled.toml --socket /tmp/n.sock >> /tmp/needled.log 2>&1 &
    PID=$!
    i=0; until [ -S /tmp/n.sock ] && $C status >/dev/null 2>&1 || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
}
home_with_switch() {  # the test plays the home switch: open, then closed once homing runs
    sim_pull 9 pull-down
    $C home >/dev/null; sleep 0.3
    sim_pull 9 pull-up
    wait_state ready
}
run_pen() {
    $C arm >/dev/null && $C start >/dev/null
}

sim_pull 10 pull-up    # a cartridge in the slot
sim_pull 11 pull-up    # driver fault line released
sim_pull 12 pull-up    # E-stop released
mkdir -p /tmp/pwm/pwmchip0/pwm0
for f in period duty_cycle enable; do echo 0 > /tmp/pwm/pwmchip0/pwm0/$f; done
echo 25000 > /tmp/temp
cat > /tmp/needled.toml <<EOT
[daemon]
backend = "gpio"
tick-rate-hertz = 200
[limits]
tick-overruns-in-a-row = 1000
stall-timeout-milliseconds = 1000
[gpio]
chip-label = "needled-pen"
pwm-chip = "/tmp/pwm/pwmchip0"
temperature-path = "/tmp/temp"
EOT

needlectl --socket /tmp/n.sock status >/dev/null 2>&1; check $? 69 "needlectl says unavailable before needled runs"
start_daemon
check "$(state)" idle "needled on the GPIO backend starts idle"
check "$(sim_value 0)" 0 "motor-enable low at start"
check "$(sim_value 1)" 1 "brake on at start"
check "$(cat /tmp/pwm/pwmchip0/pwm0/enable)" 1 "PWM channel enabled through the sysfs tree"

home_with_switch
check "$(state)" ready "homed against the home switch the test plays"
$C session open --area cheeks --cartridge CART-0001 >/dev/null
run_pen
check "$(sim_value 0)" 1 "start: motor-enable high"
check "$(sim_value 1)" 0 "start: brake off"
# Read first, before the stall timeout (1 s with no encoder edges) ends the run on a slow guest;
# the first line only: the fake PWM file is plain, a shorter value leaves the longer one's tail.
duty=$(head -n 1 /tmp/pwm/pwmchip0/pwm0/duty_cycle)
[ "$duty" -gt 0 ] 2>/dev/null; check $? 0 "PWM duty written while running ($duty ns)"
beats=$(samples 3)
case "$beats" in *0*1*|*1*0*) toggling=yes ;; *) toggling=no ;; esac
check $toggling yes "the heartbeat toggles while the motor may run ($beats)"
kill -STOP $PID; sleep 0.2
frozen=$(samples 3)
case "$frozen" in *0*1*|*1*0*) stopped=no ;; *) stopped=yes ;; esac
check $stopped yes "kill -STOP: the heartbeat stops toggling ($frozen)"
kill -CONT $PID
sleep 1.2
check "$(fault)" stall "no encoder edges: stall latched after the stall timeout"
check "$(sim_value 0)" 0 "after the stall: motor-enable low"

$C reset >/dev/null
home_with_switch
run_pen
check "$(sim_value 0)" 1 "running again"
sim_pull 12 pull-down   # E-stop pressed
sleep 0.05
check "$(sim_value 0)" 0 "E-stop: motor-enable low within a tick or two"
check "$(fault)" emergencyStop "E-stop latched"
sim_pull 12 pull-up

$C reset >/dev/null
home_with_switch
run_pen
gpiosim_live pen 0      # the chip goes away
sleep 0.3
check "$(fault)" hardwareLost "chip removed while running: hardwareLost"
check "$($C --json status | grep -o '"motorEnabled":[a-z]*' | cut -d: -f2)" false "outputs safe after the chip went away"
gpiosim_live pen 1      # ... and comes back (udev sees it; the backend opens it again)
sim_pull 10 pull-up; sim_pull 11 pull-up; sim_pull 12 pull-up
sleep 0.5
check "$(state)" fault "the chip is back: the pen stays faulted, never running by itself"
check "$(sim_value 0)" 0 "the chip is back: motor-enable low"
$C reset >/dev/null
check "$(state)" idle "reset after the chip came back: idle, to be homed"
home_with_switch
$C session close >/dev/null
$C session open --area cheeks --cartridge CART-0002 >/dev/null
run_pen
check "$(sim_value 0)" 1 "homed and started again on the returned chip"
kill -9 $PID; wait $PID 2>/dev/null
sleep 0.1
check "$(sim_value 0)" 0 "kill -9 while running: motor-enable falls to its pull-down"

echo "--- needled log"; cat /tmp/needled.log
echo "$passed passed, $failed failed"
[ $failed = 0 ]
