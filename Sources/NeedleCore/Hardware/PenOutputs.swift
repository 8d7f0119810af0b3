/// Everything the loop writes to the pen in one tick.
public struct PenOutputs: Sendable, Equatable {
    /// The motor driver's enable line. Active-high with a hardware pull-down: undriven means off.
    public var motorEnabled: Bool
    /// Shorts the motor windings to stop it quickly.
    public var brakeEngaged: Bool
    public var motorDuty: Duty
    /// Toggled every tick while the motor may run; a charge pump on the board gates the enable
    /// line with it, so a frozen loop stops the motor without software (Docs/hardware.md).
    public var heartbeat: Bool
    public var stepperEnabled: Bool
    /// Steps to issue this tick: positive deeper, negative shallower, at most
    /// `DepthAxisSettings.stepsPerTickMax` in magnitude.
    public var depthSteps: Int32

    public init(
        motorEnabled: Bool, brakeEngaged: Bool, motorDuty: Duty, heartbeat: Bool,
        stepperEnabled: Bool, depthSteps: Int32
    ) {
        self.motorEnabled = motorEnabled
        self.brakeEngaged = brakeEngaged
        self.motorDuty = motorDuty
        self.heartbeat = heartbeat
        self.stepperEnabled = stepperEnabled
        self.depthSteps = depthSteps
    }

    /// What the pen's lines read at power-up and after any fault: motor off and braked, depth held.
    public static let safe = PenOutputs(
        motorEnabled: false, brakeEngaged: true, motorDuty: .off, heartbeat: false,
        stepperEnabled: true, depthSteps: 0)

    /// True when the motor cannot be driven: disabled, braked, zero duty.
    public var motorSafe: Bool { !motorEnabled && brakeEngaged && motorDuty == .off }
}
