# Sourced by Scripts/test-gpio-sim and Scripts/test-systemd-vm: installs what the VMs need,
# and caches Debian's kernel with gpio-sim built out of tree (Debian's kernels lack it). Sets
# KVER (the kernel release) and CACHE (its folder: kernel/boot/vmlinuz-KVER, gpio-sim.ko).
# The kernel sources are downloaded here and never committed (GPL-2.0).
need=(qemu-system-x86 busybox-static gpiod libgpiod-dev libudev-dev cpio kmod xz-utils gcc libc6-dev make bc)
missing=()
for package in "${need[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$KPKG" ]; then apt-get update -qq; KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
KVER=${KPKG#linux-image-}
KV=$(apt-cache show "$KPKG" | awk '/^Version:/{print $2; exit}')
KSER=$(echo "$KVER" | cut -d. -f1,2)
CACHE=${NEEDLED_GPIOSIM_CACHE:-/var/cache/needled-gpiosim}/$KVER-$KV
mkdir -p "$CACHE"
log "kernel $KPKG $KV, cache $CACHE"

if [ ! -e "$CACHE/gpio-sim.ko" ] || [ ! -e "$CACHE/kernel/boot/vmlinuz-$KVER" ]; then
    dpkg -s "linux-headers-$KVER" >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends "linux-headers-$KVER=$KV" >/dev/null
    work=$(mktemp -d)
    (cd "$work" && apt-get download -qq "$KPKG=$KV" "linux-source-$KSER=$KV")
    rm -rf "$CACHE/kernel" && dpkg -x "$work/${KPKG}_${KV}_amd64.deb" "$CACHE/kernel"
    dpkg-deb --fsys-tarfile "$work/linux-source-${KSER}_${KV}_all.deb" | tar -xO "./usr/src/linux-source-$KSER.tar.xz" |
        tar -xJ -C "$work" "linux-source-$KSER/drivers/gpio/gpio-sim.c" "linux-source-$KSER/drivers/gpio/gpiolib.h" \
            "linux-source-$KSER/kernel/irq/irq_sim.c"
    module="$work/module"
    mkdir -p "$module"
    cp "$work/linux-source-$KSER/drivers/gpio/gpio-sim.c" "$module/gpio-sim-core.c"
    cp "$work/linux-source-$KSER/drivers/gpio/gpiolib.h" "$work/linux-source-$KSER/kernel/irq/irq_sim.c" "$module/"
    # Debian's 6.1 kernels have neither CONFIG_GPIO_SIM nor CONFIG_IRQ_SIM, and irq_to_desc() is
    # not exported to modules: the one-line change that makes irq_sim build out of tree.
    sed -i 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$module/irq_sim.c"
    printf 'obj-m := gpio-sim.o\ngpio-sim-y := gpio-sim-core.o irq_sim.o\n' > "$module/Kbuild"
    make -s -C "/usr/src/linux-headers-$KVER" M="$module" modules >&2
    cp "$module/gpio-sim.ko" "$CACHE/gpio-sim.ko"
    rm -rf "$work"
fi

