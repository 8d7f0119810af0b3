/// A request to the pen, as it crosses from the socket side to the loop. Plain values with no
/// strings, so a command can sit in a preallocated mailbox slot.
public enum PenCommand: Sendable, Equatable {
    case home
    case arm
    case start
    case stop
    /// Never refused: latches `emergencyStop` from any state.
    case emergencyStop
    case resetFault
    case setDepth(Micrometres)
    case setSpeed(Hertz)
    /// Opens a treatment on `area`; the shell has already checked the cartridge for reuse.
    case openSession(TreatmentArea)
    case closeSession
    /// A new cartridge, checked by the shell, is taken into the open session.
    case acceptCartridge

    public var kind: CommandKind {
        switch self {
        case .home: .home
        case .arm: .arm
        case .start: .start
        case .stop: .stop
        case .emergencyStop: .emergencyStop
        case .resetFault: .resetFault
        case .setDepth: .setDepth
        case .setSpeed: .setSpeed
        case .openSession: .openSession
        case .closeSession: .closeSession
        case .acceptCartridge: .acceptCartridge
        }
    }
}

/// A command without its argument, for messages and "allowed in" tables.
public enum CommandKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case home, arm, start, stop, emergencyStop, resetFault, setDepth, setSpeed
    case openSession, closeSession, acceptCartridge

    /// The verb phrase a technician reads: "home the pen", "set the depth".
    public var description: String {
        switch self {
        case .home: "home the pen"
        case .arm: "arm the pen"
        case .start: "start the pen"
        case .stop: "stop the pen"
        case .emergencyStop: "emergency stop"
        case .resetFault: "reset the fault"
        case .setDepth: "set the depth"
        case .setSpeed: "set the speed"
        case .openSession: "open a session"
        case .closeSession: "close the session"
        case .acceptCartridge: "accept the cartridge"
        }
    }

    /// States in which the command is accepted, before its other preconditions.
    public var allowedPhases: PenPhaseSet {
        switch self {
        case .home: PenPhaseSet(.idle, .ready)
        case .arm: PenPhaseSet(.ready)
        case .start: PenPhaseSet(.armed)
        case .stop, .emergencyStop: PenPhaseSet(rawValue: 0x7F)
        case .resetFault: PenPhaseSet(.fault)
        case .setDepth, .setSpeed: PenPhaseSet(.ready, .armed, .running)
        case .openSession: PenPhaseSet(.idle, .homing, .ready)
        case .closeSession: PenPhaseSet(.idle, .homing, .ready, .fault)
        case .acceptCartridge: PenPhaseSet(.idle, .homing, .ready, .fault)
        }
    }

    /// Commands that can make something move; all are refused while a fault is latched.
    public var isMotion: Bool {
        switch self {
        case .home, .arm, .start, .setDepth, .setSpeed: true
        default: false
        }
    }
}
