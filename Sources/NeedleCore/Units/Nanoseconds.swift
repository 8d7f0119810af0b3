/// A span of time in nanoseconds. The core never reads a clock: every time it sees is passed in,
/// as a tick index times the tick period, or as a period the loop measured.
public struct Nanoseconds: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public static let zero = Nanoseconds(0)
    public static func microseconds(_ value: Int64) -> Self { Self(value * 1_000) }
    public static func milliseconds(_ value: Int64) -> Self { Self(value * 1_000_000) }
    public static func seconds(_ value: Int64) -> Self { Self(value * 1_000_000_000) }
    public static func minutes(_ value: Int64) -> Self { Self(value * 60_000_000_000) }

    public static func + (a: Self, b: Self) -> Self { Self(a.rawValue + b.rawValue) }
    public static func - (a: Self, b: Self) -> Self { Self(a.rawValue - b.rawValue) }
    public static func * (a: Self, b: Int64) -> Self { Self(a.rawValue * b) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var wholeMilliseconds: Int64 { rawValue / 1_000_000 }
    var secondsValue: Double { Double(rawValue) / 1e9 }

    /// "250 ms", "30 s", "60 min": the largest unit that divides the value exactly.
    public var description: String {
        if rawValue == 0 { return "0 s" }
        if rawValue % 60_000_000_000 == 0 { return "\(rawValue / 60_000_000_000) min" }
        if rawValue % 1_000_000_000 == 0 { return "\(rawValue / 1_000_000_000) s" }
        if rawValue % 1_000_000 == 0 { return "\(rawValue / 1_000_000) ms" }
        if rawValue % 1_000 == 0 { return "\(rawValue / 1_000) µs" }
        return "\(rawValue) ns"
    }
}

/// The index of a control-loop tick since the loop started. Time inside the core is counted in
/// ticks; `TickClock` turns a tick count into nanoseconds.
public struct TickIndex: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(_ rawValue: Int64) { self.rawValue = rawValue }

    public static let zero = TickIndex(0)
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public func advanced(by ticks: Int64) -> TickIndex { TickIndex(rawValue + ticks) }
    public func ticks(since earlier: TickIndex) -> Int64 { rawValue - earlier.rawValue }

    public var description: String { "tick \(rawValue)" }
}
