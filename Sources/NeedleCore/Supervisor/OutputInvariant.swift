/// The last line of defence inside the software: the two facts every tick's outputs must satisfy
/// whatever the code above got wrong. Checked in every build (an `assert` would vanish from the
/// release build that ships), by the supervisor on its own outputs and by each backend again
/// before it touches a line. A breach is a programming error, not an operating one: the outputs
/// are replaced by `PenOutputs.safe`, the shell writes them and stops the process, and the motor
/// driver's enable pull-down does the rest.
public enum OutputInvariant: Sendable, Equatable, CustomStringConvertible {
    /// The motor enabled in a phase where it may not run (only running and stopping allow it).
    case motorEnabledOutsideRunning(PenPhase)
    /// A fault latched with the motor not disabled, braked and at zero duty.
    case faultedWithMotorNotSafe

    /// The breach in `outputs` for `phase` (with a fault latched or not), or nil.
    public static func breach(of outputs: PenOutputs, phase: PenPhase, faulted: Bool) -> OutputInvariant? {
        if outputs.motorEnabled && !phase.motorMayRun { return .motorEnabledOutsideRunning(phase) }
        if faulted && !outputs.motorSafe { return .faultedWithMotorNotSafe }
        return nil
    }

    public var description: String {
        switch self {
        case .motorEnabledOutsideRunning(let phase):
            "output invariant broken: the motor enabled in \(phase) (only running and stopping may drive it)"
        case .faultedWithMotorNotSafe: "output invariant broken: a fault latched with the motor not safe"
        }
    }
}
