# Sourced by the guest tests. Creates a gpio-sim chip through configfs (kernel 6.1 layout):
#   /sys/kernel/config/gpio-sim/DEV/{live,dev_name}, bankN/{label,num_lines,chip_name}, bankN/lineM/name
# gpiosim_create DEV LABEL NAME... sets SIM_DEV, SIM_CHIP and SIM_SYSFS (sim_gpioK/{value,pull}).
gpiosim_create() {
    dev=$1; label=$2; shift 2
    cfs=/sys/kernel/config/gpio-sim/$dev
    mkdir "$cfs" && mkdir "$cfs/bank0" || return 1
    echo "$label" > "$cfs/bank0/label"
    echo $# > "$cfs/bank0/num_lines"
    i=0
    for name in "$@"; do
        mkdir "$cfs/bank0/line$i" && echo "$name" > "$cfs/bank0/line$i/name"
        i=$((i + 1))
    done
    echo 1 > "$cfs/live" || return 1
    SIM_DEV=$(cat "$cfs/dev_name")
    SIM_CHIP=$(cat "$cfs/bank0/chip_name")
    SIM_SYSFS=/sys/devices/platform/$SIM_DEV/$SIM_CHIP
}
gpiosim_live() {  # DEV 0|1; a chip made live again may get a new device name
    echo "$2" > "/sys/kernel/config/gpio-sim/$1/live"
    if [ "$2" = 1 ]; then
        SIM_DEV=$(cat "/sys/kernel/config/gpio-sim/$1/dev_name")
        SIM_CHIP=$(cat "/sys/kernel/config/gpio-sim/$1/bank0/chip_name")
        SIM_SYSFS=/sys/devices/platform/$SIM_DEV/$SIM_CHIP
    fi
}
sim_pull()  { echo "$2" > "$SIM_SYSFS/sim_gpio$1/pull"; }               # OFFSET pull-up|pull-down
sim_value() { cat "$SIM_SYSFS/sim_gpio$1/value"; }                      # OFFSET -> 0|1
# The pen's lines, in the order of the example pin map (Docs/hardware.md).
PEN_LINES="motor-enable brake motor-dir heartbeat stepper-step stepper-dir stepper-enable encoder-a encoder-b home-switch cartridge-present driver-fault estop"
