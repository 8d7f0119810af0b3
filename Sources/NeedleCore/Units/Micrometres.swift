/// A length along the depth axis, in whole micrometres.
///
/// Needle depth is set in 0.1 mm steps on commercial pens and the stepper resolves a few
/// micrometres, so an integer count of micrometres is exact for every value a person types.
/// Only the operations that make sense for a length exist: adding and subtracting lengths,
/// comparing them. `Micrometres * Micrometres` does not compile.
public struct Micrometres: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let zero = Micrometres(0)

    /// A length given in millimetres and micrometres, e.g. `millimetres(1, 500)` for 1.5 mm.
    public static func millimetres(_ whole: Int32, _ micrometres: Int32 = 0) -> Micrometres {
        Micrometres(whole * 1000 + micrometres)
    }

    public static func + (a: Self, b: Self) -> Self { Self(a.rawValue + b.rawValue) }
    public static func - (a: Self, b: Self) -> Self { Self(a.rawValue - b.rawValue) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// "1.50 mm": what a technician reads; "0.005 mm" where hundredths would hide the value.
    /// Integer arithmetic only; no Foundation formatting.
    public var description: String {
        let sign = rawValue < 0 ? "-" : ""
        let magnitude = rawValue.magnitude
        if magnitude % 10 != 0 {
            let thousandths = magnitude % 1000
            let pad = thousandths < 10 ? "00" : (thousandths < 100 ? "0" : "")
            return "\(sign)\(magnitude / 1000).\(pad)\(thousandths) mm"
        }
        let hundredths = (magnitude % 1000) / 10
        let pad = hundredths < 10 ? "0" : ""
        return "\(sign)\(magnitude / 1000).\(pad)\(hundredths) mm"
    }
}
