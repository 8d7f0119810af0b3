public import Foundation

/// Where the socket side reads the wall-clock time it writes into records. Injected so that tests
/// can set the clock back and forward: the records' durations come from the loop's ticks and must
/// not change when it jumps (an NTP step, a technician fixing the date).
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's real-time clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// The system clock shifted by the number of seconds written in a file, read at every call: how
/// the integration tests set the daemon's clock back and forward while it runs
/// (`NEEDLED_TEST_WALL_CLOCK_OFFSET_FILE`). needled logs a warning when it is in use.
public struct OffsetFileWallClock: WallClock {
    public let path: String

    public init(path: String) { self.path = path }

    public func now() -> Date {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let offset = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        return Date().addingTimeInterval(offset)
    }
}
