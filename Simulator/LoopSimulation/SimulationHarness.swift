public import NeedleCore

/// The supervisor ticking against the simulated pen in simulated time: read, tick, write,
/// advance the physics by one period. What the daemon's loop does in real time, without a clock,
/// so that tests and the fault campaign run thousands of treatments faster than real time.
public struct SimulationHarness: Sendable {
    public var supervisor: Supervisor
    public var pen: SimulatedPen
    public private(set) var lastOutput: TickOutput?

    public init(configuration: PenConfiguration = PenConfiguration(), seed: UInt64 = 1) {
        supervisor = Supervisor(configuration: configuration)
        var motor = MotorModel.Parameters()
        motor.sensor = configuration.speedControl.sensor
        pen = SimulatedPen(seed: seed, motorParameters: motor)
    }

    public var period: Nanoseconds { supervisor.configuration.tickPeriod }

    /// One tick; `measuredPeriod` lets a test make a tick late.
    @discardableResult
    public mutating func step(measuredPeriod: Nanoseconds? = nil) -> TickOutput {
        // The period passes for the pen with the last outputs applied, then the tick reads it.
        let elapsed = measuredPeriod ?? period
        pen.advance(by: elapsed)
        let inputs = pen.readInputs(measuredPeriod: elapsed)
        let output = supervisor.tick(inputs)
        // The supervisor's own check (every build); in simulation a breach is a failed run.
        precondition(output.invariantBreach == nil, "\(output.invariantBreach.map(String.init(describing:)) ?? "")")
        pen.writeOutputs(output.outputs)
        lastOutput = output
        return output
    }

    /// Ticks until `condition` holds or `limit` ticks pass; returns the ticks taken, nil on timeout.
    @discardableResult
    public mutating func run(upTo limit: Int, until condition: (Self) -> Bool) -> Int? {
        for count in 0..<limit {
            if condition(self) { return count }
            step()
        }
        return condition(self) ? limit : nil
    }

    public mutating func run(ticks: Int) {
        for _ in 0..<ticks { step() }
    }

    public mutating func send(_ command: PenCommand) throws(CommandRejection) {
        try supervisor.handle(command)
    }

    /// Home, open a session on `area`, arm and start at `speed`: the usual way to a running pen.
    public mutating func startTreatment(
        area: TreatmentArea = .cheeks, speed: Hertz = Hertz(120)
    ) throws(CommandRejection) {
        try send(.home)
        _ = run(upTo: 10_000) { $0.supervisor.phase != .homing }
        try send(.openSession(area))
        try send(.setSpeed(speed))
        try send(.arm)
        try send(.start)
    }
}
