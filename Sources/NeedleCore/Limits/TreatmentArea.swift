/// A part of the body that a treatment session is opened on. Each has its own maximum depth
/// (`AreaDepthLimits`), because skin thickness differs: 0.25 mm around the eyes, 1.5 mm on scars.
///
/// The raw values are the names the API, the CLI and the config use.
public enum TreatmentArea: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case forehead
    case periorbital
    case nose
    case cheeks
    case perioral
    case neck
    case decolletage
    case scalp
    case scars
    case stretchMarks

    /// Position in `AreaDepthLimits`' fixed storage.
    var index: Int {
        switch self {
        case .forehead: 0
        case .periorbital: 1
        case .nose: 2
        case .cheeks: 3
        case .perioral: 4
        case .neck: 5
        case .decolletage: 6
        case .scalp: 7
        case .scars: 8
        case .stretchMarks: 9
        }
    }

    static let count = 10

    /// What a technician reads in a message.
    public var description: String {
        switch self {
        case .decolletage: "décolletage"
        case .stretchMarks: "stretch marks"
        default: rawValue
        }
    }

    /// A published depth chart's value for thin skin, as a conservative default; the sources are
    /// listed in Docs/safety.md ("Depth by treatment area"). Every value is editable in config.
    public var publishedDefaultDepthMax: Micrometres {
        switch self {
        case .forehead: Micrometres(500)  // Dr. Pen chart, thin skin 0.25–0.5 mm
        case .periorbital: Micrometres(250)  // Dr. Pen chart, 0.25 mm
        case .nose: Micrometres(250)  // Dr. Pen chart, thin skin 0.25 mm
        case .cheeks: Micrometres(1000)  // Dr. Pen chart, thin skin 0.5–1.0 mm
        case .perioral: Micrometres(250)  // Dr. Pen chart, upper lip 0.25 mm
        case .neck: Micrometres(500)  // no chart found: half the cheek value, our choice
        case .decolletage: Micrometres(500)  // no chart found: half the cheek value, our choice
        case .scalp: Micrometres(500)  // no chart in our sources: the forehead value, our choice
        case .scars: Micrometres(1250)  // Dr. Pen chart, acne scars thin skin 1.0–1.25 mm
        case .stretchMarks: Micrometres(1500)  // Dr. Pen chart 1.5–2.0 mm, capped at the FDA-evaluated 1.5 mm
        }
    }
}
