/// The pen's pure core: the state machine, the limit checks and the controllers, advanced one
/// tick at a time. No I/O, no clock: time is the tick index times the configured period.
///
/// The loop calls `handle(_:)` for each command taken from the mailbox, then `tick(_:)` once
/// with the inputs it read, and writes `TickOutput.outputs` to the pen. A `Supervisor` is a
/// value: copying it copies the whole pen state, which is what the property tests compare.
public struct Supervisor: Sendable, Equatable {
    public let configuration: PenConfiguration
    /// The limits in force; changed at runtime only by `reloadLimits(_:)`.
    public internal(set) var limits: SafetyLimits

    public internal(set) var phase: PenPhase = .idle
    public internal(set) var fault: Fault? = nil
    public internal(set) var homed = false
    public internal(set) var session: TreatmentSessionState? = nil
    public internal(set) var depthTarget: Micrometres = .zero
    public internal(set) var speedTarget: Hertz
    public internal(set) var tickIndex: TickIndex = .zero

    var speedController: SpeedController
    var estimator: SpeedEstimator
    var depthAxis: DepthAxis
    /// The inputs of the latest tick (commands are checked against them).
    public internal(set) var lastInputs = PenInputs()
    var phaseEnteredAt: TickIndex = .zero
    /// The highest speed the motor may show now: follows the ramped setpoint up at once and
    /// down at half the ramp rate, so a motor that lags its ramp-down is not an overspeed.
    var speedEnvelope: Hertz = .zero
    var slowTicksInARow: Int64 = 0
    /// How long the motor has been neither driven nor seen to move (no sensor edge, the speed at
    /// or below `stoppedSpeed`); saturates at `stillHold`. A fault reset needs the whole hold.
    var stillFor: Nanoseconds = .zero
    var lateTicksInARow: Int32 = 0
    var heartbeat = false
    /// Whether the shell can write the treatment records; told by `setRecordsWritable(_:)`.
    public internal(set) var recordsWritable = true
    var pendingEvents = EventBuffer()
    /// Reloaded limits that loosen something, waiting for the pen to be at rest.
    public internal(set) var pendingLimits: SafetyLimits? = nil

    public init(configuration: PenConfiguration = PenConfiguration()) {
        self.configuration = configuration
        self.limits = configuration.limits
        self.speedTarget = configuration.defaultSpeed
        self.speedController = SpeedController(settings: configuration.speedControl)
        self.estimator = SpeedEstimator(
            window: configuration.speedControl.estimatorWindow,
            sensor: configuration.speedControl.sensor, tickPeriod: configuration.tickPeriod)
        self.depthAxis = DepthAxis(settings: configuration.depthAxis)
    }

    // MARK: Reading

    public var measuredSpeed: Hertz { estimator.speed }
    public var depth: Micrometres { depthAxis.depth }
    /// The setpoint the speed loop tracks this tick (after the ramp).
    public var rampedSpeedSetpoint: Hertz { speedController.rampedSetpoint }
    public var effectiveDepthMax: Micrometres { limits.effectiveDepthMax(in: session?.area) }
    /// One cam revolution is one stroke (Docs/hardware.md).
    public var sessionStrokes: Int64 {
        guard let session else { return 0 }
        return (lastInputs.encoderCount - session.encoderCountAtOpen)
            / Int64(configuration.speedControl.sensor.countsPerRevolution)
    }

    public var status: PenStatus {
        PenStatus(
            phase: phase, homed: homed, depth: depth, depthTarget: depthTarget, speed: measuredSpeed,
            speedTarget: speedTarget, fault: fault, session: session,
            cartridgePresent: lastInputs.cartridgePresent, tick: tickIndex, effectiveDepthMax: effectiveDepthMax,
            sessionStrokes: sessionStrokes)
    }

    // MARK: The tick

    /// One control period: check every limit against the inputs and the commands in force, move
    /// the state machine on, and compute the outputs. Any breach latches a fault and yields the
    /// safe outputs in this same tick.
    public mutating func tick(_ inputs: PenInputs) -> TickOutput {
        tickIndex = tickIndex.advanced(by: 1)
        let edgeSinceLastTick = inputs.encoderCount != lastInputs.encoderCount
        lastInputs = inputs
        estimator.update(
            count: inputs.encoderCount, newestEdgeAge: inputs.newestEdgeAge, edgesCompleteAge: inputs.edgesCompleteAge,
            measuredPeriod: inputs.measuredPeriod)
        let hold = configuration.speedControl.stillHold
        stillFor =
            !edgeSinceLastTick && estimator.speed <= configuration.speedControl.stoppedSpeed
            ? min(hold, stillFor + max(.zero, inputs.measuredPeriod)) : .zero

        checkHardware(inputs)
        if inputs.hardwareStatus == .ok {
            checkInputs(inputs)
            checkDepth(inputs)
            checkSpeed(elapsed: inputs.measuredPeriod)
            checkTimers()
        }
        if let pending = pendingLimits, isAtRest {
            limits = pending
            pendingLimits = nil
        }
        var outputs = advancePhase(inputs)
        // Checked in every build: a breach hands the shell safe outputs and the reason to stop.
        let breach = OutputInvariant.breach(of: outputs, phase: phase, faulted: fault != nil)
        if breach != nil { outputs = .safe }
        // A motor enabled this tick is not at rest, whatever its sensor has shown yet: in a run's
        // first milliseconds it turns at 10 Hz before its first edge, and at the end of a stop
        // it coasts on at zero duty.
        if outputs.motorEnabled { stillFor = .zero }

        let result = TickOutput(outputs: outputs, events: pendingEvents, invariantBreach: breach)
        pendingEvents.removeAll()
        return result
    }

    /// A reloaded configuration's limits, the one way to change them at runtime: whatever is
    /// stricter takes effect at once (checked from the next tick: a depth already beyond a
    /// lowered limit latches `overDepth` then); whatever is looser waits in `pendingLimits` until the pen is at rest
    /// (idle or ready, no session open), so that no treatment ever runs under loosened limits.
    public mutating func reloadLimits(_ newLimits: SafetyLimits) {
        if isAtRest {
            limits = newLimits
            pendingLimits = nil
            return
        }
        if let stricter = try? limits.stricter(newLimits) { limits = stricter }
        pendingLimits = newLimits == limits ? nil : newLimits
    }

    /// Idle or ready with no session open: raised limits may take effect.
    var isAtRest: Bool { (phase == .idle || phase == .ready) && session == nil }

    /// The shell reports whether the treatment records can be written. Losing them latches
    /// `recordsUnavailable` (a treatment must not go on unrecorded), and a reset is refused until
    /// they can be written again.
    public mutating func setRecordsWritable(_ writable: Bool) {
        recordsWritable = writable
        if !writable { latch(.recordsUnavailable) }
    }

    // MARK: State changes

    mutating func enter(_ next: PenPhase) {
        guard next != phase else { return }
        pendingEvents.append(.stateChanged(from: phase, to: next, tick: tickIndex))
        phase = next
        phaseEnteredAt = tickIndex
    }

    /// The one way into the safe state. Idempotent: the first fault wins and is kept as it was.
    mutating func latch(_ code: FaultCode, _ detail: FaultDetail = .none) {
        guard fault == nil else { return }
        let latched = Fault(code: code, tick: tickIndex, detail: detail)
        fault = latched
        if depthAxis.homingPhase != nil {
            depthAxis.abortHoming()
        }
        speedController.reset()
        slowTicksInARow = 0
        enter(.fault)
        pendingEvents.append(.faultLatched(latched))
    }

    func elapsed(since start: TickIndex) -> Nanoseconds {
        configuration.tickPeriod * tickIndex.ticks(since: start)
    }
}
