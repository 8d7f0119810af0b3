#if NEEDLED_LIBGPIOD2
    import CGPIOD
    import Glibc
    import SystemPackage

    /// libgpiod 2.x (Debian 13, bookworm-backports, current Yocto): the kernel's uAPI v2. Each line
    /// is a request of its own, so the protocol stays line by line; an edge line's request asks the
    /// kernel for its largest event buffer, and every event's per-line sequence number shows a
    /// loss that a full buffer would otherwise hide.
    public final class LibgpiodV2Chip: GPIOChip {
        public static let consumer = "needled"
        /// The kernel event buffer asked for each edge line (uAPI v2's maximum, 1,024 events).
        public static let kernelEventsPerLine = 1024

        public let label: String
        /// The device node it was opened from (`/dev/gpiochipN`).
        public let path: String?
        private let chip: OpaquePointer
        private var requests:
            [(request: OpaquePointer, offset: UInt32, name: String, eventFD: Int32, lastSequence: UInt)] = []
        /// Edge events read from the kernel land here: allocated once, reused by every read.
        private let events: OpaquePointer

        /// Opens the chip whose label is `label`, among the chips in /dev (2.x has no lookup by label).
        public convenience init(label: String) throws(GPIOError) {
            let candidates: [String] = (0..<64).map { (index: Int) -> String in "/dev/gpiochip\(index)" }
            let devices = candidates.filter { (device: String) -> Bool in access(device, F_OK) == 0 }
            try self.init(label: label, among: devices)
        }

        /// Opens the chip labelled `label` among `devices`; one that cannot be opened for lack of
        /// permission is named in the error.
        public init(label: String, among devices: [String]) throws(GPIOError) {
            var denied: String?
            for device in devices {
                errno = 0
                guard let candidate = gpiod_chip_open(device) else {
                    if errno == EACCES || errno == EPERM { denied = device }
                    continue
                }
                if Self.label(of: candidate) == label,
                    let buffer = gpiod_edge_event_buffer_new(Self.kernelEventsPerLine)
                {
                    chip = candidate
                    events = buffer
                    self.label = label
                    path = device
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

        private static func label(of chip: OpaquePointer) -> String? {
            guard let info = gpiod_chip_get_info(chip) else { return nil }
            defer { gpiod_chip_info_free(info) }
            return gpiod_chip_info_get_label(info).map { String(cString: $0) }
        }

        /// The label of the chip at `device`, or nil when it cannot be opened (`needled chip-label`).
        public static func label(ofDevice device: String) -> String? {
            guard let chip = gpiod_chip_open(device) else { return nil }
            defer { gpiod_chip_close(chip) }
            return label(of: chip)
        }

        public var deviceExists: Bool {
            guard let path else { return true }
            return access(path, F_OK) == 0
        }

        deinit {
            releaseAll()
            gpiod_edge_event_buffer_free(events)
            gpiod_chip_close(chip)
        }

        public func offset(ofLineNamed name: String) -> UInt32? {
            let offset = gpiod_chip_get_line_offset_from_name(chip, name)
            return offset >= 0 ? UInt32(offset) : nil
        }

        public func requestOutput(offset: UInt32, name: String, initial: Bool) throws(GPIOError) -> GPIOLine {
            try request(offset: offset, name: name, output: initial, edges: false, pullDown: false)
        }

        public func requestInput(
            offset: UInt32, name: String, edges: Bool, pullDown: Bool
        ) throws(GPIOError)
            -> GPIOLine
        {
            try request(offset: offset, name: name, output: nil, edges: edges, pullDown: pullDown)
        }

        /// Settings, a line config and a request config, assembled and then requested in one call
        /// (libgpiod 2.x's model); `output` is the initial value of an output, nil for an input.
        private func request(
            offset: UInt32, name: String, output: Bool?, edges: Bool, pullDown: Bool
        ) throws(GPIOError) -> GPIOLine {
            let failed = { (call: String) in
                GPIOError(.requestFailed(line: name), call: call, errno: Errno(rawValue: errno))
            }
            guard let settings = gpiod_line_settings_new() else { throw failed("gpiod_line_settings_new") }
            defer { gpiod_line_settings_free(settings) }
            if let initial = output {
                _ = gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_OUTPUT)
                _ = gpiod_line_settings_set_output_value(
                    settings, initial ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE)
            } else {
                _ = gpiod_line_settings_set_direction(settings, GPIOD_LINE_DIRECTION_INPUT)
                if edges { _ = gpiod_line_settings_set_edge_detection(settings, GPIOD_LINE_EDGE_BOTH) }
                if pullDown { _ = gpiod_line_settings_set_bias(settings, GPIOD_LINE_BIAS_PULL_DOWN) }
            }
            guard let lineConfig = gpiod_line_config_new() else { throw failed("gpiod_line_config_new") }
            defer { gpiod_line_config_free(lineConfig) }
            var offsets = [offset]
            guard gpiod_line_config_add_line_settings(lineConfig, &offsets, 1, settings) == 0 else {
                throw failed("gpiod_line_config_add_line_settings")
            }
            guard let requestConfig = gpiod_request_config_new() else { throw failed("gpiod_request_config_new") }
            defer { gpiod_request_config_free(requestConfig) }
            gpiod_request_config_set_consumer(requestConfig, Self.consumer)
            if edges { gpiod_request_config_set_event_buffer_size(requestConfig, Self.kernelEventsPerLine) }
            guard let request = gpiod_chip_request_lines(chip, requestConfig, lineConfig) else {
                throw failed("gpiod_chip_request_lines")
            }
            var fd: Int32 = -1
            if edges {
                fd = gpiod_line_request_get_fd(request)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
            requests.append((request, offset, name, fd, 0))
            return GPIOLine(name: name, offset: offset, handle: requests.count - 1)
        }

        public func set(_ line: GPIOLine, _ value: Bool) throws(GPIOError) {
            let entry = requests[line.handle]
            let level = value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE
            var result = gpiod_line_request_set_value(entry.request, entry.offset, level)
            for _ in 0..<3 where result != 0 && errno == EINTR {  // an interrupted ioctl is safe to repeat
                result = gpiod_line_request_set_value(entry.request, entry.offset, level)
            }
            guard result == 0 else {
                throw GPIOError(
                    .ioFailed(line: line.name), call: "gpiod_line_request_set_value", errno: Errno(rawValue: errno))
            }
        }

        public func get(_ line: GPIOLine) throws(GPIOError) -> Bool {
            let entry = requests[line.handle]
            var value = gpiod_line_request_get_value(entry.request, entry.offset)
            for _ in 0..<3 where value == GPIOD_LINE_VALUE_ERROR && errno == EINTR {
                value = gpiod_line_request_get_value(entry.request, entry.offset)
            }
            guard value != GPIOD_LINE_VALUE_ERROR else {
                throw GPIOError(
                    .ioFailed(line: line.name), call: "gpiod_line_request_get_value", errno: Errno(rawValue: errno))
            }
            return value == GPIOD_LINE_VALUE_ACTIVE
        }

        /// Reads the queued events (never blocks: the request's descriptor is non-blocking). Edges
        /// may have been lost when the kernel's buffer was full or a line sequence number skipped.
        public func readEdges(_ line: GPIOLine, into buffer: inout [GPIOEdge]) throws(GPIOError) -> GPIOEdgeRead {
            let entry = requests[line.handle]
            precondition(entry.eventFD >= 0, "edges read from a line requested without edges")
            let capacity = min(buffer.count, Self.kernelEventsPerLine)
            let count = gpiod_line_request_read_edge_events(entry.request, events, capacity)
            if count < 0 {
                if errno == EAGAIN || errno == EINTR { return .none }
                throw GPIOError(
                    .ioFailed(line: line.name), call: "gpiod_line_request_read_edge_events",
                    errno: Errno(rawValue: errno))
            }
            var lost = Int(count) >= Self.kernelEventsPerLine
            var last = entry.lastSequence
            for index in 0..<Int(count) {
                guard let event = gpiod_edge_event_buffer_get_event(events, UInt(index)) else { continue }
                let sequence = gpiod_edge_event_get_line_seqno(event)
                if sequence != last + 1 { lost = true }
                last = sequence
                buffer[index] = GPIOEdge(
                    rising: gpiod_edge_event_get_event_type(event) == GPIOD_EDGE_EVENT_RISING_EDGE,
                    timestampNanoseconds: Int64(gpiod_edge_event_get_timestamp_ns(event)))
            }
            requests[line.handle].lastSequence = last
            return GPIOEdgeRead(count: Int(count), mayHaveLost: lost)
        }

        public func releaseAll() {
            for entry in requests.reversed() { gpiod_line_request_release(entry.request) }
            requests.removeAll()
        }
    }
#endif
