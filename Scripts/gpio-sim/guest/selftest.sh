# NeedledGPIO against the kernel's gpio-sim: chip by label, lines by name, outputs read back
# through sysfs, input edges injected through pull with the kernel's timestamps.
. /tests/lib-gpiosim.sh
gpiosim_create pen needled-pen $PEN_LINES || { echo "gpio-sim chip not created"; exit 10; }
gpio-selftest needled-pen "$SIM_SYSFS"
