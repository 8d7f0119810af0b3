import CUdev
import Glibc
public import Synchronization

/// The GPIO chips the kernel has, through libudev, and a watch on them coming and going.
///
/// Without udevd (an initramfs, a minimal board) the chip's character-device entry carries no
/// label (only its legacy sysfs twin does), so the label is read from the chip itself by the
/// caller (libgpiod's info ioctl); this type lists the device nodes and reports the events.
public enum GPIOChipDirectory {
    /// `/dev/gpiochipN` for every GPIO chip udev knows, in order.
    public static func chipDevices() -> [String] {
        guard let udev = udev_new() else { return [] }
        defer { udev_unref(udev) }
        guard let enumerate = udev_enumerate_new(udev) else { return [] }
        defer { udev_enumerate_unref(enumerate) }
        udev_enumerate_add_match_subsystem(enumerate, "gpio")
        udev_enumerate_scan_devices(enumerate)
        var nodes: [String] = []
        var entry = udev_enumerate_get_list_entry(enumerate)
        while let current = entry {
            if let syspath = udev_list_entry_get_name(current),
                let device = udev_device_new_from_syspath(udev, syspath)
            {
                if let node = udev_device_get_devnode(device).map({ String(cString: $0) }),
                    node.hasPrefix("/dev/gpiochip")
                {
                    nodes.append(node)
                }
                udev_device_unref(device)
            }
            entry = udev_list_entry_get_next(current)
        }
        return nodes.sorted()
    }
}

/// Watches kernel uevents for GPIO chips on a thread of its own (never the loop's: receiving a
/// uevent allocates). The loop reads `generation` and `lastRemoved` without locking.
public final class GPIOChipMonitor: Sendable {
    /// Bumped on every GPIO chip added or removed.
    public let generation = Atomic<Int>(0)
    /// Bumped on every GPIO chip removed.
    public let removals = Atomic<Int>(0)
    private let stopRequested = Atomic<Bool>(false)

    public init() {}

    /// Starts the watch; false when netlink is not available (the backend then notices a lost chip
    /// by its failing calls alone).
    public func start() -> Bool {
        let unmanaged = Unmanaged.passRetained(MonitorBody(monitor: self))
        var thread = pthread_t()
        guard pthread_create(&thread, nil, monitorThreadMain, unmanaged.toOpaque()) == 0 else {
            unmanaged.release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    public func stop() { stopRequested.store(true, ordering: .releasing) }

    fileprivate func run() {
        guard let udev = udev_new() else { return }
        defer { udev_unref(udev) }
        // "kernel": the raw uevents, which exist whether or not udevd runs.
        guard let monitor = udev_monitor_new_from_netlink(udev, "kernel") else { return }
        defer { udev_monitor_unref(monitor) }
        udev_monitor_filter_add_match_subsystem_devtype(monitor, "gpio", nil)
        guard udev_monitor_enable_receiving(monitor) == 0 else { return }
        let descriptor = udev_monitor_get_fd(monitor)
        while !stopRequested.load(ordering: .acquiring) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            guard ready > 0 else { continue }
            guard let device = udev_monitor_receive_device(monitor) else { continue }
            let action = udev_device_get_action(device).map { String(cString: $0) } ?? ""
            let name = udev_device_get_sysname(device).map { String(cString: $0) } ?? ""
            udev_device_unref(device)
            guard name.hasPrefix("gpiochip") else { continue }
            if action == "remove" { removals.add(1, ordering: .releasing) }
            if action == "add" || action == "remove" { generation.add(1, ordering: .releasing) }
        }
    }
}

private final class MonitorBody {
    let monitor: GPIOChipMonitor
    init(monitor: GPIOChipMonitor) { self.monitor = monitor }
}

private func monitorThreadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    let body = Unmanaged<MonitorBody>.fromOpaque(argument).takeRetainedValue()
    body.monitor.run()
    return nil
}
