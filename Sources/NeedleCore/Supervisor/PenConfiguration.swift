/// Everything the supervisor is constructed with: the limits and the tuning of the hardware.
public struct PenConfiguration: Sendable, Equatable {
    public var limits: SafetyLimits
    public var speedControl: SpeedControlSettings
    public var depthAxis: DepthAxisSettings
    /// The control loop's period (default 1 ms: 1 kHz).
    public var tickPeriod: Nanoseconds
    /// The stroke rate a fresh supervisor targets until a technician sets one.
    public var defaultSpeed: Hertz

    public init(
        limits: SafetyLimits = .defaults, speedControl: SpeedControlSettings = .init(),
        depthAxis: DepthAxisSettings = .init(), tickPeriod: Nanoseconds = .milliseconds(1),
        defaultSpeed: Hertz = Hertz(100)
    ) {
        precondition(tickPeriod >= .microseconds(100) && tickPeriod <= .milliseconds(10), "tick period out of range")
        precondition(defaultSpeed >= limits.speedMin && defaultSpeed <= limits.speedMax, "default speed outside limits")
        self.limits = limits
        self.speedControl = speedControl
        self.depthAxis = depthAxis
        self.tickPeriod = tickPeriod
        self.defaultSpeed = defaultSpeed
    }
}
