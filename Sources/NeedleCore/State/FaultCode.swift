/// Why the pen went to its safe state. The raw values are the API's `fault.code` strings and a
/// public contract: add codes, never rename one.
public enum FaultCode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case emergencyStop
    case overspeed
    case stall
    case overDepth
    case depthFollowingError
    case homingTimeout
    case cartridgeRemoved
    case motorDriverFault
    case overTemperature
    case runTimeExceeded
    case sessionTimeExceeded
    case cartridgeUseTimeExceeded
    case recordsUnavailable
    case tickOverrun
    case hardwareLost
    case ioError
    case speedSensorFault

    public var description: String { rawValue }

    /// Faults after which the step count cannot be trusted: the depth axis holds instead of
    /// retracting, because moving an axis whose position is unknown could drive it deeper.
    public var depthAxisUntrusted: Bool {
        switch self {
        case .depthFollowingError, .homingTimeout, .hardwareLost, .ioError, .tickOverrun: true
        default: false
        }
    }

    /// What happened and what it means for the patient, in one sentence (needlectl faults,
    /// Docs/technician.md).
    public var meaning: String {
        switch self {
        case .emergencyStop:
            "Someone pressed the emergency stop or sent one: the motor stopped and braked at once."
        case .overspeed:
            "The needles ran faster than allowed (a fault in the motor or its driver): the motor was stopped."
        case .stall:
            "The needles stopped moving while driven (jammed in the skin, or a seized cartridge): the motor was switched off."
        case .overDepth:
            "The needles were deeper than the area's limit, or were about to be: the motor was stopped."
        case .depthFollowingError:
            "The depth stage is not where it was told to be (lost steps): its depth can no longer be trusted, so it holds still."
        case .homingTimeout:
            "The depth stage did not find its home position in time: its depth is unknown, so it holds still."
        case .cartridgeRemoved:
            "The cartridge left the pen while it was armed or running: stopped; that cartridge may not be used again."
        case .motorDriverFault:
            "The motor driver reported its own fault (overcurrent or overheating): the motor was switched off."
        case .overTemperature: "The handpiece became too warm to hold against the skin: stopped until it cools."
        case .runTimeExceeded: "The motor ran without a pause for longer than the set limit: stopped."
        case .sessionTimeExceeded: "The session lasted longer than the set maximum: the pen stopped."
        case .cartridgeUseTimeExceeded:
            "The cartridge's needles ran for their maximum time and may be dull or bent: stopped; the cartridge is spent."
        case .recordsUnavailable:
            "The treatment could not be recorded (storage full or failing): stopped, so that no treatment goes unrecorded."
        case .tickOverrun:
            "The control loop ran late several times in a row: it could not watch the pen closely enough, so it stopped it."
        case .hardwareLost: "The pen's electronics stopped answering (cable or board): the motor is off."
        case .ioError: "Talking to the pen's electronics failed: the motor was switched off."
        case .speedSensorFault:
            "The speed sensor's edges were lost or impossible, so the stroke rate could not be trusted (an overspeed could go unseen): the motor was switched off."
        }
    }

    /// What the technician should do, in one sentence (needlectl and Docs/technician.md show it).
    public var technicianAction: String {
        switch self {
        case .emergencyStop: "Release the emergency stop, check the patient, then reset the fault and home the pen."
        case .overspeed:
            "Lift the pen from the skin; if it recurs, stop using the handpiece and have the motor driver checked."
        case .stall: "Lift the pen, check the cartridge moves freely and is seated, then reset and home."
        case .overDepth: "Lift the pen; check the configured and area depth limits, then reset and home."
        case .depthFollowingError:
            "Lift the pen; the depth stage lost steps. Reset and home; if it recurs, service the depth stage."
        case .homingTimeout:
            "The home switch was not found. Check the cartridge seat and the depth stage, then reset and home."
        case .cartridgeRemoved:
            "Lift the pen, insert a new sterile cartridge, accept it for the session, reset and home."
        case .motorDriverFault:
            "Lift the pen; the motor driver reported a fault. Let it cool, reset and home; service if it recurs."
        case .overTemperature: "Lift the pen and let the handpiece cool below the limit before resetting."
        case .runTimeExceeded:
            "The motor ran longer than the continuous-run limit. Pause, then reset and home to continue."
        case .sessionTimeExceeded:
            "The session reached its maximum length. Close it; a new session needs a new cartridge."
        case .cartridgeUseTimeExceeded:
            "The cartridge reached its maximum use time. Lift the pen, insert a new sterile cartridge and accept it."
        case .recordsUnavailable:
            "The treatment records cannot be written (disk full or failing). Free space or service the storage, then reset."
        case .tickOverrun:
            "The control loop ran late. Reset and home; if it recurs, check the host's load and real-time setup."
        case .hardwareLost:
            "The pen's hardware disappeared. Check the cable and board; the pen returns to idle when it is back."
        case .ioError: "Reading or writing the pen's hardware failed. Check the connection, then reset and home."
        case .speedSensorFault:
            "Lift the pen; check the speed sensor's wiring and the host's load (a late loop loses edges), then reset and home."
        }
    }
}
