/// Everything the loop reads from the pen in one tick. Plain values: the core never touches the
/// hardware, it is handed this.
public struct PenInputs: Sendable, Equatable {
    /// Encoder counts since the backend started (quadrature edges, wrapping is not expected in
    /// 64 bits). The speed estimate is the change over a window of ticks.
    public var encoderCount: Int64
    /// True while the depth stage is at or behind its home (fully retracted) position.
    public var homeSwitchActive: Bool
    public var cartridgePresent: Bool
    /// The motor driver's fault output (over-current, under-voltage, thermal).
    public var motorDriverFaultActive: Bool
    /// The E-stop button on the pen or the foot switch.
    public var emergencyStopPressed: Bool
    public var temperature: MilliCelsius
    /// How long the previous tick actually took, measured by the loop.
    public var measuredPeriod: Nanoseconds
    /// Whether the backend could read and write the hardware at all.
    public var hardwareStatus: HardwareStatus

    public init(
        encoderCount: Int64 = 0, homeSwitchActive: Bool = false, cartridgePresent: Bool = false,
        motorDriverFaultActive: Bool = false, emergencyStopPressed: Bool = false,
        temperature: MilliCelsius = .degrees(25), measuredPeriod: Nanoseconds = .milliseconds(1),
        hardwareStatus: HardwareStatus = .ok
    ) {
        self.encoderCount = encoderCount
        self.homeSwitchActive = homeSwitchActive
        self.cartridgePresent = cartridgePresent
        self.motorDriverFaultActive = motorDriverFaultActive
        self.emergencyStopPressed = emergencyStopPressed
        self.temperature = temperature
        self.measuredPeriod = measuredPeriod
        self.hardwareStatus = hardwareStatus
    }
}

/// A failed read or write is a value the supervisor turns into a fault, never a throw through
/// the loop (ros2_control's read/write return codes).
public enum HardwareStatus: Sendable, Equatable {
    case ok
    /// The device went away (unplugged, chip removed): `hardwareLost`.
    case lost
    /// A read or write failed: `ioError`.
    case ioError
}
