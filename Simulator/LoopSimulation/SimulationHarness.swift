public import NeedleCore
public import NeedledLoop
public import NeedledSimulatedBackend
public import PenSimulator

/// The daemon's own control loop on the simulated pen, in simulated time: each `step` is one
/// `ControlLoop.tick` (the mailbox, the command's application and reply, the stop lane, the
/// supervisor, the backend's second check of the outputs, the flight recorder, the events and
/// the snapshot published) with the period the test gives instead of a clock. The tests and the
/// fault campaign run thousands of treatments through it faster than real time, on the path the
/// daemon's loop thread takes (issue 19, item 4); nothing here ticks a supervisor by itself.
///
/// Commands go through the mailbox as the socket side sends them, and are applied before the
/// next tick (`ControlLoop.applyRequestsBetweenTicks`), so `send` throws the rejection the
/// daemon would answer. What the socket side would take from the rings (replies, events,
/// snapshots, a frozen fault window) the harness takes after every call, as the daemon's event
/// loop does, so no ring fills. The loop is a reference: copies of a harness share it, so a test
/// or a treatment makes one harness and keeps it.
public struct SimulationHarness: Sendable {
    public let loop: ControlLoop<SimulatedBackend>
    public private(set) var lastOutput: TickOutput?
    /// The flight recorder's windows taken, as the socket side takes them, and the newest.
    public private(set) var faultWindowsTaken = 0
    public private(set) var lastFaultWindow: FlightWindow?
    /// Whether a window is copied out (`lastFaultWindow`) or only counted and handed back: the
    /// copy is the socket side's (10 s of ticks, 10,000 samples), which the fault campaign's
    /// thousands of faults need not pay for; the tick's recording and freezing are the same.
    public var keepsFaultWindows = true
    private var nextRequestID: UInt32 = 1

    /// `flightWindow`: the flight recorder's window (the daemon's 10 s by default).
    public init(
        configuration: PenConfiguration = PenConfiguration(), seed: UInt64 = 1,
        flightWindow: Nanoseconds = FlightRecorder.windowDuration
    ) {
        let backend = SimulatedBackend(
            seed: seed, sensor: configuration.speedControl.sensor, longestElapse: nil)
        loop = ControlLoop(
            supervisor: Supervisor(configuration: configuration), backend: backend, channels: LoopChannels(),
            flightWindow: flightWindow)
    }

    /// The supervisor as the last tick or command left it.
    public var supervisor: Supervisor {
        _read { yield loop.supervisorState }
    }

    /// The simulated pen; a change to it is a change to the world between ticks.
    public var pen: SimulatedPen {
        _read { yield loop.backendState.pen }
        nonmutating set { loop.withBackend { backend in backend.withPen { $0 = newValue } } }
    }

    public var period: Nanoseconds { loop.period }

    /// One tick of the daemon's loop; `measuredPeriod` lets a test make a tick late.
    @discardableResult
    public mutating func step(measuredPeriod: Nanoseconds? = nil) -> TickOutput {
        let output = loop.tick(measuredPeriod: measuredPeriod ?? period)
        lastOutput = output
        takePublications()
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

    /// A command through the mailbox, applied before the next tick; throws the loop's rejection.
    public mutating func send(_ command: PenCommand) throws(CommandRejection) {
        if case .rejected(let rejection, _) = request(.pen(command)) { throw rejection }
    }

    /// Reloaded limits through the mailbox, as the daemon's reload sends them.
    public mutating func reloadLimits(_ limits: SafetyLimits) {
        _ = request(.reloadLimits(limits))
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

    private mutating func request(_ request: LoopRequest) -> LoopOutcome {
        let requestID = nextRequestID
        nextRequestID &+= 1
        let pushed = loop.channels.requests.push(LoopEnvelope(requestID: requestID, request: request))
        precondition(pushed, "the harness's mailbox is emptied after every request")
        loop.applyRequestsBetweenTicks()
        var outcome: LoopOutcome?
        while let reply = loop.channels.replies.pop() {
            if reply.requestID == requestID { outcome = reply.outcome }
        }
        takePublications()
        guard let outcome else { preconditionFailure("the loop did not answer request \(requestID)") }
        return outcome
    }

    /// What the daemon's event loop takes from the rings; a fault window is kept.
    private mutating func takePublications() {
        let channels = loop.channels
        while channels.replies.pop() != nil {}
        while channels.events.pop() != nil {}
        while channels.snapshots.pop() != nil {}
        guard loop.flight.hasFrozenWindow else { return }
        faultWindowsTaken += 1
        if keepsFaultWindows {
            lastFaultWindow = loop.flight.takeFrozenWindow()
        } else {
            loop.flight.discardFrozenWindow()
        }
    }
}
