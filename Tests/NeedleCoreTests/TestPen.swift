@testable import NeedleCore

/// A hand-driven pen for core tests: inputs set by the test, no physics. The motor "turns" at
/// whatever speed the test says by advancing the encoder count accordingly.
struct TestPen {
    var supervisor: Supervisor
    var inputs = PenInputs(cartridgePresent: true)
    /// The stroke rate the fake encoder shows.
    var turning = Hertz.zero
    private var encoderFraction = 0.0
    var lastOutput: TickOutput?
    /// When true the fake motor turns at the ramped setpoint while enabled and stops when not,
    /// like an ideal motor; when false it keeps `turning` whatever the outputs say.
    var motorFollowsSetpoint = true

    init(configuration: PenConfiguration = PenConfiguration()) {
        supervisor = Supervisor(configuration: configuration)
    }

    /// One tick with the current inputs; the home switch follows the step count (a perfect stage)
    /// unless `followSwitch` is false.
    @discardableResult
    mutating func tick(followSwitch: Bool = true) -> TickOutput {
        clock += inputs.measuredPeriod.rawValue
        if let interval = edgeInterval {
            // Edges at exact times, their age as a kernel timestamp gives it.
            while lastEdgeTime + interval.rawValue <= clock {
                lastEdgeTime += interval.rawValue
                inputs.encoderCount += 1
            }
            inputs.newestEdgeAge = Nanoseconds(clock - lastEdgeTime)
        } else {
            let counts = Double(supervisor.configuration.speedControl.sensor.countsPerRevolution)
            encoderFraction += turning.hertzValue * counts * supervisor.configuration.tickPeriod.secondsValue
            let whole = encoderFraction.rounded(.down)
            inputs.encoderCount += Int64(whole)
            encoderFraction -= whole
            if whole > 0 { lastEdgeTime = clock }
        }
        let output = supervisor.tick(inputs)
        if followSwitch { stagePosition += output.outputs.depthSteps; inputs.homeSwitchActive = stagePosition <= 0 }
        lastOutput = output
        if motorFollowsSetpoint {
            turning = output.outputs.motorEnabled ? supervisor.rampedSpeedSetpoint : .zero
        }
        return output
    }

    /// Time since the first tick, the sum of the measured periods.
    private(set) var clock: Int64 = 0
    private var lastEdgeTime: Int64 = 0
    /// When set, the encoder's edges come at exactly this interval (and `turning` is ignored):
    /// the estimator then reads a speed known to the millihertz, for tests at a speed limit.
    var edgeInterval: Nanoseconds?

    /// Edges every `interval` from now on, for a motor at exactly `speed`.
    mutating func turnExactly(at speed: Hertz) {
        motorFollowsSetpoint = false
        let counts = Double(supervisor.configuration.speedControl.sensor.countsPerRevolution)
        let interval = Int64((1e12 / (Double(speed.millihertz) * counts)).rounded())
        // A motor starting from rest: its first edge one interval from now, not from the last one.
        if clock - lastEdgeTime > interval { lastEdgeTime = clock }
        edgeInterval = Nanoseconds(interval)
    }

    /// The true stage position when the switch follows the count; starts 100 steps deep.
    var stagePosition: Int32 = 100

    mutating func ticks(_ count: Int, followSwitch: Bool = true) {
        for _ in 0..<count { tick(followSwitch: followSwitch) }
    }

    mutating func homeToReady() throws {
        inputs.homeSwitchActive = stagePosition <= 0
        try supervisor.handle(.home)
        for _ in 0..<5000 where supervisor.phase == .homing { tick() }
        precondition(supervisor.phase == .ready, "homing did not finish")
    }

    /// Sets the depth and ticks until the stage is there (at most 5 s of ticks).
    mutating func move(toDepth depth: Micrometres) throws {
        try supervisor.handle(.setDepth(depth))
        for _ in 0..<5000 where supervisor.depth != depth { tick() }
        precondition(supervisor.depth == depth, "the stage did not reach \(depth)")
    }

    /// Homed, session on `area`, armed, started, and turning at the target.
    mutating func running(area: TreatmentArea = .cheeks) throws {
        try homeToReady()
        try supervisor.handle(.openSession(area))
        try supervisor.handle(.arm)
        try supervisor.handle(.start)
        for _ in 0..<1000 where supervisor.rampedSpeedSetpoint != supervisor.speedTarget { tick() }
        ticks(20)
        precondition(supervisor.phase == .running, "not running: \(String(describing: supervisor.fault))")
    }
}
