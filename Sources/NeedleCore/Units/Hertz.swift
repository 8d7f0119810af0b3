/// A rate, stored in millihertz so that the speed controller's target and the limits are exact
/// integers while a person still types "120hz" or "120.5hz".
///
/// Used for the stroke rate (strokes per second; one stroke per motor revolution).
public struct Hertz: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millihertz: Int32

    public init(millihertz: Int32) { self.millihertz = millihertz }
    public init(_ wholeHertz: Int32) { self.millihertz = wholeHertz * 1000 }

    public static let zero = Hertz(millihertz: 0)

    public static func + (a: Self, b: Self) -> Self { Self(millihertz: a.millihertz + b.millihertz) }
    public static func - (a: Self, b: Self) -> Self { Self(millihertz: a.millihertz - b.millihertz) }
    public static func < (a: Self, b: Self) -> Bool { a.millihertz < b.millihertz }

    /// The value as a floating-point number of hertz, for the controllers inside the core.
    /// Internal: no bare Double leaves the module.
    var hertzValue: Double { Double(millihertz) / 1000 }

    /// Nearest millihertz to a floating-point rate; used by the estimators inside the core.
    init(hertzValue: Double) {
        let clamped = min(max(hertzValue, -2_000_000), 2_000_000)
        self.millihertz = Int32((clamped * 1000).rounded())
    }

    /// "120 Hz" or "120.5 Hz".
    public var description: String {
        let sign = millihertz < 0 ? "-" : ""
        let magnitude = millihertz.magnitude
        let fraction = magnitude % 1000
        if fraction == 0 { return "\(sign)\(magnitude / 1000) Hz" }
        var digits = String(fraction + 1000).dropFirst()  // three digits, zero-padded
        while digits.last == "0" { digits = digits.dropLast() }
        return "\(sign)\(magnitude / 1000).\(digits) Hz"
    }
}

/// A rate of change of a rate: how fast the stroke-rate setpoint may ramp, in millihertz per second.
public struct HertzPerSecond: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millihertzPerSecond: Int32

    public init(millihertzPerSecond: Int32) { self.millihertzPerSecond = millihertzPerSecond }
    public init(_ wholeHertzPerSecond: Int32) { self.millihertzPerSecond = wholeHertzPerSecond * 1000 }

    public static func < (a: Self, b: Self) -> Bool { a.millihertzPerSecond < b.millihertzPerSecond }

    public var description: String { "\(Hertz(millihertz: millihertzPerSecond))/s" }
}
