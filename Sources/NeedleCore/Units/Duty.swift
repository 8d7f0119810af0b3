/// A PWM duty cycle in parts per million (0 = off, 1 000 000 = always on).
///
/// Parts per million map exactly onto the kernel's PWM sysfs `duty_cycle` for any period that is
/// a whole number of microseconds, and leave the controller far more resolution than it needs.
public struct Duty: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let partsPerMillionMax: Int32 = 1_000_000

    public private(set) var partsPerMillion: Int32

    /// Nil when the value is outside 0...1 000 000: a duty is never silently clamped here.
    public init?(partsPerMillion: Int32) {
        guard partsPerMillion >= 0, partsPerMillion <= Self.partsPerMillionMax else { return nil }
        self.partsPerMillion = partsPerMillion
    }

    public static let off = Duty(uncheckedPartsPerMillion: 0)
    public static let full = Duty(uncheckedPartsPerMillion: partsPerMillionMax)

    init(uncheckedPartsPerMillion value: Int32) {
        precondition(value >= 0 && value <= Self.partsPerMillionMax, "duty out of range")
        self.partsPerMillion = value
    }

    /// The controller works in fractions; the caller has already limited `fraction` to 0...1.
    init(fraction: Double) {
        precondition(fraction >= 0 && fraction <= 1, "duty fraction out of range")
        self.init(uncheckedPartsPerMillion: Int32((fraction * 1_000_000).rounded()))
    }

    public var fraction: Double { Double(partsPerMillion) / 1_000_000 }

    public static func < (a: Self, b: Self) -> Bool { a.partsPerMillion < b.partsPerMillion }

    /// The duty as a share of a PWM period, for the sysfs `duty_cycle` file.
    public func onTime(ofPeriod period: Nanoseconds) -> Nanoseconds {
        Nanoseconds(period.rawValue * Int64(partsPerMillion) / Int64(Self.partsPerMillionMax))
    }

    public var description: String { "\(partsPerMillion / 10_000).\(partsPerMillion % 10_000 / 1000)%" }
}
