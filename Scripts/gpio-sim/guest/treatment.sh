# A whole treatment through the kernel: needled on the gpio-sim chip, and a motor stand-in that
# reads the enable line and the PWM duty needled writes and turns the speed sensor's lines through
# gpio-sim's pull at the rate that duty means. Then the stand-in runs away, and needled is frozen
# past the kernel's event buffer while the shaft turns: each must stop the motor.
#   sh /tests/treatment.sh [NEEDLED_BINARY]    (the libgpiod 2.x build is given as its argument)
. /tests/lib-gpiosim.sh
gpiosim_create pen needled-pen $PEN_LINES || { echo "gpio-sim chip not created"; exit 10; }
NEEDLED=${1:-/usr/bin/needled}
passed=0; failed=0
check() {  # ACTUAL EXPECTED WHAT
    if [ "$1" = "$2" ]; then passed=$((passed + 1)); echo "ok     $3"
    else failed=$((failed + 1)); echo "FAILED $3 (got '$1', expected '$2')"; fi
}
C="needlectl --socket /tmp/n.sock"
state() { $C --json status | grep -o '"state":"[a-z]*"' | cut -d'"' -f4; }
fault() { $C --json status | grep -o '"code":"[A-Za-z]*"' | head -n 1 | cut -d'"' -f4; }
speed_millihertz() {  # needled's measured speed, in millihertz
    $C --json status | grep -o '"speedHertz":[0-9.]*' | cut -d: -f2 | awk '{ printf "%d", $1 * 1000 }'
}
generated_millihertz() { cut -d' ' -f1 /tmp/motor; }
wait_state() {  # STATE [seconds]: polls until the state or the time is up
    end=$(( $(cut -d. -f1 /proc/uptime) + ${2:-10} ))
    while [ "$(state)" != "$1" ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do sleep 0.1; done
}
wait_fault() { wait_state fault "$@"; }
wait_speed() {  # MILLIHERTZ PERCENT [seconds]: polls until needled's speed is that close, or time is up
    end=$(( $(cut -d. -f1 /proc/uptime) + ${3:-10} ))
    while [ "$(within "$(speed_millihertz)" "$1" "$2")" != yes ] && [ "$(state)" != fault ] \
        && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do sleep 0.1; done
}
wait_until_still() {  # [seconds]: polls until the stand-in's shaft is at rest
    end=$(( $(cut -d. -f1 /proc/uptime) + ${1:-10} ))
    while [ "$(generated_millihertz)" -gt 0 ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do sleep 0.1; done
}
within() {  # MEASURED GENERATED PERCENT -> yes|no
    awk -v m="$1" -v g="$2" -v p="$3" 'BEGIN { d = m - g; if (d < 0) d = -d; print (g > 0 && d * 100 <= p * g) ? "yes" : "no" }'
}

rate=$(motor-standin --max-rate "$SIM_SYSFS" 7 1)
echo "FIGURE gpio-sim: the guest makes $rate edges a second through gpio-sim's pull (one line)"
sim_pull 10 pull-up; sim_pull 11 pull-up; sim_pull 12 pull-up    # cartridge in, driver and E-stop released
mkdir -p /tmp/pwm/pwmchip0/pwm0
for f in period duty_cycle enable; do echo 0 > /tmp/pwm/pwmchip0/pwm0/$f; done
cat > /tmp/needled.toml <<EOT
[daemon]
backend = "gpio"
tick-rate-hertz = 250
cpu = 0
[limits]
tick-overruns-in-a-row = 1000
overspeed-margin-hertz = 20
[sensor]
kind = "quadrature"
counts-per-revolution = 12
[gpio]
chip-label = "needled-pen"
pwm-chip = "/tmp/pwm/pwmchip0"
EOT
cp "$NEEDLED" /tmp/needled
/tmp/needled --config /tmp/needled.toml --socket /tmp/n.sock >> /tmp/needled.log 2>&1 &
PID=$!
i=0; until [ -S /tmp/n.sock ] && $C status >/dev/null 2>&1 || [ $i -ge 100 ]; do sleep 0.2; i=$((i + 1)); done
check "$(state)" idle "needled on the gpio-sim chip starts idle"
motor-standin "$SIM_SYSFS" /tmp/pwm/pwmchip0/pwm0 0 7 8 12 166 /tmp/motor 1 &   # CPU 1: needled's loop has 0
MOTOR=$!

home() {  # the test plays the home switch: open, then closed once homing runs
    sim_pull 9 pull-down; $C home >/dev/null; wait_state homing 5; sim_pull 9 pull-up; wait_state ready
}
home
check "$(state)" ready "homed against the switch the test plays"
$C session open --area cheeks --cartridge CART-0001 >/dev/null
$C speed 30hz >/dev/null
$C arm >/dev/null && $C start >/dev/null
wait_speed 30000 5 10
check "$(state)" running "running at 30 Hz on the stand-in"
explain() {  # why the pen is not running: the fault, the stand-in, the fault's last ticks
    echo "fault: $($C --json status | grep -o '"fault":{[^}]*}')"
    echo "stand-in: $(cat /tmp/motor); duty $(head -n 1 /tmp/pwm/pwmchip0/pwm0/duty_cycle) of $(head -n 1 /tmp/pwm/pwmchip0/pwm0/period)"
    i=0; until $C fault list --limit 1 | grep -q '^F-' || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
    id=$($C fault list --limit 1 | cut -d' ' -f1)   # newest first; the record is written after the tick
    echo "--- fault $id's last ticks (csv)"; [ -n "$id" ] && $C fault export "$id" --format csv | tail -n 60
    echo "--- needled log"; tail -n 20 /tmp/needled.log
}
if [ "$(state)" != running ]; then  # nothing below can pass: say why, and stop here
    explain
    echo "$passed passed, $((failed + 1)) failed"
    exit 1
fi
worst=0; all=yes
for second in 1 2 3 4 5 6 7 8 9 10; do
    # needled's estimate over a second (five readings) against the stand-in's rate: under TCG
    # the stand-in's edges jitter by a millisecond or so, a few per cent of one 80 ms window.
    m=0; g=0
    for reading in 1 2 3 4 5; do
        sleep 0.2
        m=$((m + $(speed_millihertz))); g=$((g + $(generated_millihertz)))
    done
    m=$((m / 5)); g=$((g / 5))
    [ "$(within "$m" "$g" 2)" = yes ] || all=no
    worst=$(awk -v m="$m" -v g="$g" -v w="$worst" 'BEGIN { d = (m - g) * 100 / (g > 0 ? g : 1); if (d < 0) d = -d; printf "%.2f", d > w ? d : w }')
    echo "  t=${second}s needled $m mHz, stand-in $g mHz (its edges up to $(cut -d' ' -f3 /tmp/motor) µs late)"
done
check "$(state)" running "10 s at 30 Hz with no fault"
[ "$(state)" = running ] || { explain; echo "$passed passed, $failed failed"; exit 1; }
check $all yes "measured speed within ±2 % of the generated rate every second for 10 s"
m=$(speed_millihertz); check "$(within "$m" 30000 2)" yes "the speed loop holds 30 Hz through the kernel ($m mHz)"
echo "FIGURE gpio-sim treatment: 12-count quadrature at 30 Hz, needled read $m mHz, the stand-in made $(generated_millihertz) mHz; worst second $worst %"
$C speed 45hz >/dev/null
wait_speed 45000 5 10
m=$(speed_millihertz); g=$(generated_millihertz)
check "$(within "$m" 45000 2)" yes "the speed changed while running: 45 Hz ($m mHz, stand-in $g mHz)"
$C stop >/dev/null
wait_state ready
check "$(state)" ready "stop: the motor ramps down and the pen is ready"
check "$(sim_value 0)" 0 "stopped: motor-enable low"

# The stand-in runs away (a driver stuck on): overspeed, enable low.
$C arm >/dev/null && $C start >/dev/null
wait_speed 30000 5 10
kill -USR1 $MOTOR
wait_fault
check "$(fault)" overspeed "a runaway motor: overspeed"
check "$(sim_value 0)" 0 "after the overspeed: motor-enable low"
kill -USR1 $MOTOR   # the driver lets go; the shaft coasts to rest
wait_until_still 10

# needled frozen while the motor turns: the kernel's buffer fills and drops edges.
$C reset >/dev/null; home
$C arm >/dev/null && $C start >/dev/null
wait_speed 30000 5 10
kill -STOP $PID
sleep 7     # 30 Hz x 6 edges a line a revolution: 180 edges a second, past 1,024 in under 6 s
t0=$(cut -d' ' -f1 /proc/uptime)
kill -CONT $PID
wait_fault
t1=$(cut -d' ' -f1 /proc/uptime)
check "$(fault)" speedSensorFault "needled frozen past the kernel's edge buffer: speedSensorFault"
check "$(sim_value 0)" 0 "after lost edges: motor-enable low"
echo "FIGURE gpio-sim lost edges: from SIGCONT to the fault seen by needlectl $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (guest, 250 Hz ticks)"

wait_until_still 10

# A quadrature state skipped (both lines change at once, as when an edge is lost between reads).
$C reset >/dev/null; home
$C arm >/dev/null && $C start >/dev/null
wait_speed 30000 5 10
kill -USR2 $MOTOR
wait_fault 5
check "$(fault)" speedSensorFault "a skipped quadrature state: speedSensorFault"
check "$(sim_value 0)" 0 "after the skipped state: motor-enable low"

kill $MOTOR; kill $PID; wait $PID 2>/dev/null
echo "--- needled log"; tail -n 20 /tmp/needled.log
echo "$passed passed, $failed failed"
[ $failed = 0 ]
