#if !NEEDLED_LIBGPIOD2
    import CGPIOD
    import Glibc
    import SystemPackage

    /// libgpiod 1.6 (Debian 12).
    public final class LibgpiodV1Chip: GPIOChip {
        public static let consumer = "needled"
        /// uAPI v1 keeps 16 events a line and drops the newest silently past that
        /// (`drivers/gpio/gpiolib-cdev.c`): a read that finds 16 may have lost edges.
        public static let kernelEventsPerLine = 16

        public let label: String
        /// The device node it was opened from, when known (`/dev/gpiochipN`).
        public let path: String?
        private let chip: OpaquePointer
        private var lines: [(pointer: OpaquePointer, name: String, eventFD: Int32)] = []
        private var eventScratch: [gpiod_line_event]

        /// Opens the chip whose label is `label`.
        public init(label: String) throws(GPIOError) {
            errno = 0
            guard let chip = gpiod_chip_open_by_label(label) else {
                let code = errno == 0 ? ENOENT : errno
                throw GPIOError(
                    .chipNotFound(label: label), call: "gpiod_chip_open_by_label", errno: Errno(rawValue: code))
            }
            self.chip = chip
            self.label = label
            self.path = nil
            eventScratch = Array(repeating: gpiod_line_event(), count: 64)
        }

        /// Opens the chip labelled `label` among `devices` (device nodes, e.g. from udev). A node that
        /// cannot be opened for lack of permission is named in the error.
        public init(label: String, among devices: [String]) throws(GPIOError) {
            var denied: String?
            for device in devices {
                errno = 0
                guard let candidate = gpiod_chip_open(device) else {
                    if errno == EACCES || errno == EPERM { denied = device }
                    continue
                }
                if let name = gpiod_chip_label(candidate), String(cString: name) == label {
                    self.chip = candidate
                    self.label = label
                    self.path = device
                    eventScratch = Array(repeating: gpiod_line_event(), count: 64)
                    return
                }
                gpiod_chip_close(candidate)
            }
            if let denied {
                throw GPIOError(
                    .permissionDenied(device: denied, label: label), call: "gpiod_chip_open", errno: .permissionDenied)
            }
            throw GPIOError(.chipNotFound(label: label), call: "gpiod_chip_open", errno: .noSuchFileOrDirectory)
        }

        /// The label of the chip at `device` (e.g. /dev/gpiochip0), or nil when it cannot be opened.
        /// The character device's sysfs entry carries no label, so udev asks this (`needled
        /// chip-label`) to give the pen's chip to the needled group.
        public static func label(ofDevice device: String) -> String? {
            guard let chip = gpiod_chip_open(device) else { return nil }
            defer { gpiod_chip_close(chip) }
            return gpiod_chip_label(chip).map { String(cString: $0) }
        }

        /// True while the chip's device node exists (it goes when the chip is removed).
        public var deviceExists: Bool {
            guard let path else { return true }
            return access(path, F_OK) == 0
        }

        deinit {
            releaseAll()
            gpiod_chip_close(chip)
        }

        public func offset(ofLineNamed name: String) -> UInt32? {
            guard let line = gpiod_chip_find_line(chip, name) else { return nil }
            return gpiod_line_offset(line)
        }

        private func line(_ offset: UInt32, _ name: String, call: String) throws(GPIOError) -> OpaquePointer {
            guard let line = gpiod_chip_get_line(chip, offset) else {
                throw GPIOError(.requestFailed(line: name), call: call, errno: Errno(rawValue: errno))
            }
            return line
        }

        public func requestOutput(offset: UInt32, name: String, initial: Bool) throws(GPIOError) -> GPIOLine {
            let pointer = try line(offset, name, call: "gpiod_chip_get_line")
            guard gpiod_line_request_output(pointer, Self.consumer, initial ? 1 : 0) == 0 else {
                throw GPIOError(
                    .requestFailed(line: name), call: "gpiod_line_request_output", errno: Errno(rawValue: errno))
            }
            lines.append((pointer, name, -1))
            return GPIOLine(name: name, offset: offset, handle: lines.count - 1)
        }

        public func requestInput(
            offset: UInt32, name: String, edges: Bool, pullDown: Bool
        ) throws(GPIOError) -> GPIOLine {
            let pointer = try line(offset, name, call: "gpiod_chip_get_line")
            let flags = pullDown ? Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN) : 0
            let result =
                edges
                ? gpiod_line_request_both_edges_events_flags(pointer, Self.consumer, flags)
                : gpiod_line_request_input_flags(pointer, Self.consumer, flags)
            guard result == 0 else {
                throw GPIOError(
                    .requestFailed(line: name),
                    call: edges ? "gpiod_line_request_both_edges_events_flags" : "gpiod_line_request_input_flags",
                    errno: Errno(rawValue: errno))
            }
            var fd: Int32 = -1
            if edges {
                fd = gpiod_line_event_get_fd(pointer)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
            lines.append((pointer, name, fd))
            return GPIOLine(name: name, offset: offset, handle: lines.count - 1)
        }

        public func set(_ line: GPIOLine, _ value: Bool) throws(GPIOError) {
            var result = gpiod_line_set_value(lines[line.handle].pointer, value ? 1 : 0)
            for _ in 0..<3 where result != 0 && errno == EINTR {  // an interrupted ioctl is safe to repeat
                result = gpiod_line_set_value(lines[line.handle].pointer, value ? 1 : 0)
            }
            guard result == 0 else {
                throw GPIOError(.ioFailed(line: line.name), call: "gpiod_line_set_value", errno: Errno(rawValue: errno))
            }
        }

        public func get(_ line: GPIOLine) throws(GPIOError) -> Bool {
            var value = gpiod_line_get_value(lines[line.handle].pointer)
            for _ in 0..<3 where value < 0 && errno == EINTR {
                value = gpiod_line_get_value(lines[line.handle].pointer)
            }
            guard value >= 0 else {
                throw GPIOError(.ioFailed(line: line.name), call: "gpiod_line_get_value", errno: Errno(rawValue: errno))
            }
            return value == 1
        }

        public func readEdges(_ line: GPIOLine, into buffer: inout [GPIOEdge]) throws(GPIOError) -> GPIOEdgeRead {
            let fd = lines[line.handle].eventFD
            precondition(fd >= 0, "edges read from a line requested without edges")
            let capacity = Int32(min(buffer.count, eventScratch.count))
            let count = eventScratch.withUnsafeMutableBufferPointer { scratch in
                gpiod_line_event_read_fd_multiple(fd, scratch.baseAddress, UInt32(capacity))
            }
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { return .none }
                throw GPIOError(
                    .ioFailed(line: line.name), call: "gpiod_line_event_read_fd_multiple", errno: Errno(rawValue: errno)
                )
            }
            for index in 0..<Int(count) {
                let event = eventScratch[index]
                buffer[index] = GPIOEdge(
                    rising: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE),
                    timestampNanoseconds: Int64(event.ts.tv_sec) * 1_000_000_000 + Int64(event.ts.tv_nsec))
            }
            return GPIOEdgeRead(count: Int(count), mayHaveLost: Int(count) >= Self.kernelEventsPerLine)
        }

        public func releaseAll() {
            for entry in lines.reversed() { gpiod_line_release(entry.pointer) }
            lines.removeAll()
        }
    }
#endif
