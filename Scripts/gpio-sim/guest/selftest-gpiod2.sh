# The selftest again, built against libgpiod 2.x (uAPI v2: one request a line, the kernel's
# 1,024-event buffer, sequence numbers), on the same gpio-sim chip.
. /tests/lib-gpiosim.sh
gpiosim_create pen needled-pen $PEN_LINES || { echo "gpio-sim chip not created"; exit 10; }
gpio-selftest-gpiod2 needled-pen "$SIM_SYSFS"
