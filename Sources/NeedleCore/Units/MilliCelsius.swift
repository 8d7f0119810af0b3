/// A temperature in thousandths of a degree Celsius: the unit Linux thermal zones report.
public struct MilliCelsius: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public static func degrees(_ wholeDegrees: Int32) -> Self { Self(wholeDegrees * 1000) }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        let tenths = (rawValue.magnitude % 1000) / 100
        return "\(rawValue < 0 ? "-" : "")\(rawValue.magnitude / 1000).\(tenths) °C"
    }
}
