import ArgumentParser
import NeedleCore

/// A depth typed by a technician: `0.5mm`, `500um` or `500µm`. A bare number is refused: the
/// unit is part of the value, and guessing it is how needles go ten times too deep.
struct DepthArgument: ExpressibleByArgument {
    let micrometres: Int64

    init?(argument: String) {
        guard let value = Self.parse(argument) else { return nil }
        micrometres = value
    }

    static func parse(_ text: String) -> Int64? {
        let lower = text.lowercased().replacingOccurrences(of: " ", with: "")
        for (suffix, scale) in [("mm", 1000.0), ("um", 1.0), ("µm", 1.0), ("μm", 1.0)] where lower.hasSuffix(suffix) {
            guard let number = Double(lower.dropLast(suffix.count)), number.isFinite else { return nil }
            let micrometres = (number * scale).rounded()
            guard abs(micrometres) <= 1_000_000, abs(micrometres - number * scale) < 1e-6 else { return nil }
            return Int64(micrometres)
        }
        return nil
    }

    static var defaultValueDescription: String { "0.5mm | 500um" }
}

/// A stroke rate typed as `120hz`.
struct SpeedArgument: ExpressibleByArgument {
    let hertz: Double

    init?(argument: String) {
        let lower = argument.lowercased().replacingOccurrences(of: " ", with: "")
        guard lower.hasSuffix("hz"), let value = Double(lower.dropLast(2)), value.isFinite, abs(value) <= 1_000_000
        else {
            return nil
        }
        hertz = value
    }
}

/// Formats micrometres as millimetres for people: 500 → "0.50 mm".
func millimetres(_ micrometres: Int64) -> String {
    Micrometres(Int32(clamping: micrometres)).description
}
