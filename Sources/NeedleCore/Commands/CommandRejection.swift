/// Why a command was refused. A rejected command changes nothing. Each case carries what the
/// API puts in its error's `data` and renders the sentence a technician reads.
public enum CommandRejection: Error, Sendable, Equatable {
    /// The pen is in a state where the command makes no sense.
    case invalidState(command: CommandKind, state: PenPhase, allowed: PenPhaseSet)
    /// A motion command while a fault is latched.
    case faultLatched(command: CommandKind, code: FaultCode)
    /// `resetFault` while the cause of the fault is still present.
    case faultConditionPersists(code: FaultCode, condition: PersistingCondition)
    /// A value outside a limit. `requested` and `allowed` are in the limit's unit.
    case limitExceeded(LimitViolation)
    /// Arming or opening a session needs a cartridge in the slot.
    case cartridgeAbsent(command: CommandKind)
    /// The cartridge was removed (or never accepted) for this session.
    case cartridgeNotAccepted
    /// Arming (and closing, and accepting a cartridge) needs an open treatment session.
    case noSession(command: CommandKind)
    case sessionAlreadyOpen(area: TreatmentArea)
    /// The session has reached its maximum length; it can only be closed.
    case sessionExpired
    /// The cartridge in the session reached its maximum use time; a new one must be accepted.
    case cartridgeUseTimeExceeded

    /// The sentence a technician reads.
    public var message: String {
        switch self {
        case .invalidState(let command, let state, let allowed):
            "Cannot \(command) while the pen is \(state); allowed when \(allowed)."
                + Self.hint(command: command, state: state)
        case .faultLatched(let command, let code):
            "Cannot \(command): fault \(code) is latched. Reset the fault first (pen.resetFault), then home the pen."
        case .faultConditionPersists(let code, let condition):
            "Cannot reset fault \(code): \(condition.message)"
        case .limitExceeded(let violation):
            violation.message
        case .cartridgeAbsent(let command):
            "Cannot \(command): no cartridge is inserted. Insert a new sterile cartridge."
        case .cartridgeNotAccepted:
            "Cannot arm the pen: the cartridge in the slot has not been accepted for this session. Accept a new cartridge first."
        case .noSession(let command):
            "Cannot \(command): no treatment session is open."
                + (command == .arm ? " Open a session with an area and a cartridge first." : "")
        case .sessionAlreadyOpen(let area):
            "Cannot open a session: a session on the \(area) is already open. Close it first."
        case .sessionExpired:
            "Cannot arm the pen: the session reached its maximum length. Close it and open a new session."
        case .cartridgeUseTimeExceeded:
            "Cannot arm the pen: the cartridge reached its maximum use time. Insert a new sterile cartridge and accept it."
        }
    }

    private static func hint(command: CommandKind, state: PenPhase) -> String {
        switch (command, state) {
        case (.setDepth, .idle), (.setSpeed, .idle), (.arm, .idle):
            " Home the pen first."
        case (.start, .ready):
            " Arm the pen first."
        case (.home, .armed), (.home, .running), (.closeSession, .armed), (.closeSession, .running),
            (.openSession, .armed), (.openSession, .running):
            " Stop the pen first."
        default:
            ""
        }
    }
}

/// A limit that a command would break: which, what was asked, and what is allowed.
public struct LimitViolation: Sendable, Equatable {
    public enum Quantity: Sendable, Equatable {
        case depth(requested: Micrometres, allowed: ClosedRange<Micrometres>)
        case speed(requested: Hertz, allowed: ClosedRange<Hertz>)
        case duration(requested: Nanoseconds, allowed: ClosedRange<Nanoseconds>)
    }

    public let limit: LimitName
    public let quantity: Quantity
    /// The area whose limit applies, for `areaMaxDepth`.
    public let area: TreatmentArea?

    public init(limit: LimitName, quantity: Quantity, area: TreatmentArea? = nil) {
        self.limit = limit
        self.quantity = quantity
        self.area = area
    }

    public var message: String {
        switch quantity {
        case .depth(let requested, let allowed):
            if let area, limit == .areaMaxDepth {
                return "Depth \(requested) is deeper than the \(area) limit of \(allowed.upperBound);"
                    + " allowed \(allowed.lowerBound) to \(allowed.upperBound)."
            }
            return "Depth \(requested) is outside the limit \(limit.rawValue); allowed \(allowed.lowerBound)"
                + " to \(allowed.upperBound)."
        case .speed(let requested, let allowed):
            return "Speed \(requested) is outside the limit \(limit.rawValue); allowed \(allowed.lowerBound)"
                + " to \(allowed.upperBound)."
        case .duration(let requested, let allowed):
            return "\(requested) is beyond the limit \(limit.rawValue) of \(allowed.upperBound)."
        }
    }
}

/// What still holds a fault in place when a reset is refused.
public enum PersistingCondition: Sendable, Equatable {
    case emergencyStopPressed
    case motorDriverFaultActive
    case temperature(measured: MilliCelsius, limit: MilliCelsius)
    case hardwareUnavailable
    case motorStillTurning(Hertz)
    /// The speed sensor has not yet been still (no edge) for the whole hold
    /// (`SpeedControlSettings.stillHold`).
    case motorNotYetStill(stillFor: Nanoseconds, hold: Nanoseconds)
    case recordsUnavailable
    /// The speed sensor's latest read still could not be trusted (lost or impossible edges).
    case speedSensorUntrusted

    public var message: String {
        switch self {
        case .emergencyStopPressed: "the emergency stop is still pressed. Release it first."
        case .motorDriverFaultActive: "the motor driver still reports a fault."
        case .temperature(let measured, let limit):
            "the handpiece is at \(measured), above the limit of \(limit). Let it cool first."
        case .hardwareUnavailable: "the pen's hardware is not available."
        case .motorStillTurning(let speed): "the motor is still turning at \(speed). Wait for it to stop."
        case .motorNotYetStill(let stillFor, let hold):
            "the motor's speed sensor has been still for \(stillFor.rawValue / 1_000_000) ms of the \(hold.rawValue / 1_000_000) ms it must be. Wait for the motor to stop."
        case .recordsUnavailable: "the treatment records still cannot be written. Free space or service the storage."
        case .speedSensorUntrusted:
            "the speed sensor's edges still cannot be trusted. Check its wiring and the host's load first."
        }
    }
}
