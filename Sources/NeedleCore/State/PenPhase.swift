/// Where the pen is in its life cycle. The raw values are the API's `state` strings.
///
///     idle ──home──▶ homing ──switch found──▶ ready ──arm──▶ armed ──start──▶ running
///       ▲                                      ▲  ▲            │ stop/timeout     │ stop
///       │ resetFault                           │  └────────────┘                  ▼
///     fault ◀── any breach, from anywhere      └──────────── motor stopped ── stopping
public enum PenPhase: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Power-up, or after a fault reset: the depth axis is not homed.
    case idle
    case homing
    /// Homed, motor off; depth and speed targets may be set.
    case ready
    /// Ready to start; disarms by itself after the arm timeout.
    case armed
    case running
    /// The speed setpoint ramps to zero, then the brake takes over.
    case stopping
    /// A latched fault: motor disabled and braked until `resetFault`.
    case fault

    public var description: String { rawValue }

    /// States in which the motor driver may be enabled at all.
    public var motorMayRun: Bool { self == .running || self == .stopping }

    /// A small number for the phase (0 to 6), for an atomic or a bit set. A switch, not
    /// `allCases` (which builds an array): the loop may use it without allocating.
    public var code: UInt8 {
        switch self {
        case .idle: 0
        case .homing: 1
        case .ready: 2
        case .armed: 3
        case .running: 4
        case .stopping: 5
        case .fault: 6
        }
    }

    /// The phase of a `code`; anything past the last is `fault`, the safe reading.
    public init(code: UInt8) {
        switch code {
        case 0: self = .idle
        case 1: self = .homing
        case 2: self = .ready
        case 3: self = .armed
        case 4: self = .running
        case 5: self = .stopping
        default: self = .fault
        }
    }
}

/// A set of phases, for "allowed in" lists in errors and docs.
public struct PenPhaseSet: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ phases: PenPhase...) {
        self.init(rawValue: 0)
        for phase in phases { insert(phase) }
    }

    public func contains(_ phase: PenPhase) -> Bool { contains(Self(rawValue: 1 << Self.bit(phase))) }
    public mutating func insert(_ phase: PenPhase) { formUnion(Self(rawValue: 1 << Self.bit(phase))) }

    public var phases: [PenPhase] { PenPhase.allCases.filter { contains($0) } }

    /// "ready, armed or running"
    public var description: String {
        let names = phases.map(\.rawValue)
        guard names.count > 1 else { return names.first ?? "no state" }
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    private static func bit(_ phase: PenPhase) -> UInt8 { phase.code }
}
