/// Everything the loop reads from the pen in one tick. Plain values: the core never touches the
/// hardware, it is handed this.
public struct PenInputs: Sendable, Equatable {
    /// Speed-sensor counts since the backend started (quadrature edges with their direction, or a
    /// tachometer's edges; wrapping is not expected in 64 bits).
    public var encoderCount: Int64
    /// How long before this read the newest count's edge arrived (its kernel timestamp against
    /// the read's time): the speed is timed by the edges, not the ticks. Zero where the backend
    /// knows no better (the estimate then times the ticks).
    public var newestEdgeAge: Nanoseconds
    /// How long before this read every edge is known to be in the count: edges newer than that
    /// may still be on their way (the kernel's interrupt thread, a line not yet read). The
    /// newest edge's silence counts up to then: at 38,400 edges a second, 100 µs of delivery is
    /// four edge intervals, which timed up to the read would look like a motor slowing down.
    /// Zero where the backend's record is complete at the read (the simulated pen).
    public var edgesCompleteAge: Nanoseconds
    /// False when the backend cannot vouch for the count: edges were lost (a full kernel buffer,
    /// a sequence gap) or an edge arrived that the sensor cannot make. `speedSensorFault`.
    public var speedSensorTrusted: Bool
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
        encoderCount: Int64 = 0, newestEdgeAge: Nanoseconds = .zero, edgesCompleteAge: Nanoseconds = .zero,
        speedSensorTrusted: Bool = true,
        homeSwitchActive: Bool = false, cartridgePresent: Bool = false,
        motorDriverFaultActive: Bool = false, emergencyStopPressed: Bool = false,
        temperature: MilliCelsius = .degrees(25), measuredPeriod: Nanoseconds = .milliseconds(1),
        hardwareStatus: HardwareStatus = .ok
    ) {
        self.encoderCount = encoderCount
        self.newestEdgeAge = newestEdgeAge
        self.edgesCompleteAge = edgesCompleteAge
        self.speedSensorTrusted = speedSensorTrusted
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
