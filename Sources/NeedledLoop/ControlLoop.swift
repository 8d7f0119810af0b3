public import NeedleCore
public import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The rings between the loop thread and the socket side. Each has one producer and one consumer.
public final class LoopChannels: Sendable {
    /// Socket side → loop. Full means "busy": the client is told, nothing is dropped.
    public let requests = SPSCRing<LoopEnvelope>(
        capacity: 128, filler: LoopEnvelope(requestID: 0, request: .pen(.stop)))
    public let replies = SPSCRing<LoopReply>(
        capacity: 128, filler: LoopReply(requestID: 0, outcome: .notSimulated))
    /// Mailbox slots kept for the daemon's own requests (the records' health, reloaded limits,
    /// a session's open and close): the clients share the rest.
    public static let requestsKeptForTheDaemon = 8
    public let events = SPSCRing<PenEvent>(capacity: 1024, filler: .sessionClosed(tick: .zero))
    public let snapshots = SPSCRing<LoopSnapshot>(capacity: 256, filler: .initial)
    /// Stops and emergency stops, beside the mailbox: never full, read every tick.
    public let stops = StopLane()
    /// Rung by the loop when a tick published a reply, an event or an applied stop: the socket
    /// side runs then, not on a poll (snapshots alone do not ring; they are taken when asked for
    /// and at the socket side's housekeeping period).
    public let published = PublicationSignal()
    /// What could not be published because a ring was full: counted, reported in daemon.info.
    public let droppedEvents = Atomic<Int64>(0)
    public let droppedSnapshots = Atomic<Int64>(0)
    public let droppedReplies = Atomic<Int64>(0)
    public let ticks = Atomic<Int64>(0)
    public let overruns = Atomic<Int64>(0)
    /// Each tick's wake-up latency and duration, for the metrics' histograms (drained off the
    /// loop by `LoopTimingHistograms`, four times a second: 4 s of ticks at 1 kHz fit).
    public let timing = SPSCRing<LoopTimingSample>(capacity: 4096, filler: LoopTimingSample())
    /// Timing samples the ring had no room for (its reader fell behind): counted, never waited on.
    public let droppedTimingSamples = Atomic<Int64>(0)

    public init() {}
}

/// The control loop: the supervisor and the backend, ticked at a fixed rate on a thread of its
/// own (never on the Swift concurrency runtime). Each tick: take at most `commandsPerTickMax`
/// requests, read inputs, run the supervisor, write outputs, publish events and a snapshot.
/// Nothing here blocks; a full ring is counted, never waited on.
public final class ControlLoop<Backend: PenBackend>: @unchecked Sendable {
    public static var commandsPerTickMax: Int { 8 }

    public let channels: LoopChannels
    public let period: Nanoseconds
    /// The last 10 s of ticks, frozen and handed to the socket side when a fault latches.
    public let flight: FlightRecorder
    // Touched only by the loop thread once `start` has run (or, in simulated time, by the one
    // thread that calls `tick`: the simulation harness, a test).
    private var supervisor: Supervisor
    private var backend: Backend

    /// The supervisor as the last tick or request left it. For the simulation harness and tests,
    /// which run the loop in simulated time on their own thread; never read while the loop
    /// thread runs.
    public var supervisorState: Supervisor {
        _read { yield supervisor }  // no copy of the supervisor's state for a look at one field
    }

    /// The backend as the last tick left it (the same rule as `supervisorState`).
    public var backendState: Backend {
        _read { yield backend }
    }

    /// The backend, for the simulation harness to act on the simulated world between ticks
    /// (a fault, a button, the skin): the same rule as `supervisorState`.
    public func withBackend<Result>(_ body: (inout Backend) -> Result) -> Result { body(&backend) }

    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let realtime: RealtimeSettings
    /// What the OS granted the loop thread; set once before the first tick.
    public let realtimeReport = Mutex<RealtimeReport?>(nil)
    // The loop's own measurements, owned by the loop thread.
    private let wakeupLatency = LatencyHistogram()
    private let tickDuration = LatencyHistogram()
    private let emergencyStopCommandLatency = LatencyHistogram()
    private let emergencyStopInputLatency = LatencyHistogram()
    private var emergencyStopPressedBefore = false
    /// The stop lane's counts this loop has applied.
    private var stopsHandled: (emergency: UInt64, stop: UInt64) = (0, 0)
    private var emergencyStopLastMotorOffAt: Int64 = 0
    private var statisticsTicks: Int64 = 0
    private var statisticsOverruns: Int64 = 0

    public init(
        supervisor: Supervisor, backend: Backend, channels: LoopChannels,
        realtime: RealtimeSettings = RealtimeSettings(), flightWindow: Nanoseconds = FlightRecorder.windowDuration
    ) {
        self.supervisor = supervisor
        self.backend = backend
        self.channels = channels
        self.period = supervisor.configuration.tickPeriod
        self.flight = FlightRecorder(tickPeriod: supervisor.configuration.tickPeriod, window: flightWindow)
        self.realtime = realtime
    }

    /// One tick. Called by the loop thread; the simulation harness and tests call it directly,
    /// and read what the supervisor decided from the result (the loop thread ignores it).
    @discardableResult
    public func tick(measuredPeriod: Nanoseconds) -> TickOutput {
        // The time since the last tick passes for the pen first (the simulator's physics; real
        // hardware ignores it), so the inputs read next describe exactly the measured period.
        backend.elapse(measuredPeriod)
        let applied = applyRequests()
        let handled = applied.handled
        var emergencyStopSentAt = applied.emergencyStopSentAt
        // The stop lane after the mailbox: a stop is this tick's last word, whatever came before.
        let stops = channels.stops.take(after: stopsHandled)
        let stopsArrived = stops.emergency != stopsHandled.emergency || stops.stop != stopsHandled.stop
        if stops.emergency != stopsHandled.emergency {
            _ = apply(.pen(.emergencyStop))
            if stops.emergencySentAt > 0 { emergencyStopSentAt = stops.emergencySentAt }
        }
        if stops.stop != stopsHandled.stop { _ = apply(.pen(.stop)) }
        let readAt = emergencyStopSentAt > 0 || !emergencyStopPressedBefore ? monotonicNow() : 0
        let inputs = backend.readInputs(measuredPeriod: measuredPeriod)
        let output = supervisor.tick(inputs)
        if let breach = output.invariantBreach {
            backend.writeSafeOutputs()
            OutputGuard.stopProcess(breach)
        }
        backend.writeOutputs(output.outputs, phase: supervisor.phase, faulted: supervisor.fault != nil)
        if emergencyStopSentAt > 0 && !output.outputs.motorEnabled {
            let written = monotonicNow()
            emergencyStopCommandLatency.record(nanoseconds: written - emergencyStopSentAt)
            emergencyStopLastMotorOffAt = written
        }
        if inputs.emergencyStopPressed && !emergencyStopPressedBefore && readAt > 0 && !output.outputs.motorEnabled {
            emergencyStopInputLatency.record(nanoseconds: monotonicNow() - readAt)
        }
        emergencyStopPressedBefore = inputs.emergencyStopPressed
        flight.record(
            FlightSample(
                tick: supervisor.tickIndex, phase: supervisor.phase, inputs: inputs, outputs: output.outputs,
                depth: supervisor.depth, depthTarget: supervisor.depthTarget, speed: supervisor.measuredSpeed,
                speedTarget: supervisor.speedTarget, rampedSpeedSetpoint: supervisor.rampedSpeedSetpoint))
        for index in 0..<output.events.count {
            let event = output.events[index]
            if case .faultLatched(let fault) = event { flight.freeze(fault: fault) }
            if !channels.events.push(event) { channels.droppedEvents.add(1, ordering: .relaxed) }
        }
        if output.events.droppedCount > 0 {
            channels.droppedEvents.add(Int64(output.events.droppedCount), ordering: .relaxed)
        }
        let snapshot = LoopSnapshot(
            status: supervisor.status, rampedSpeedSetpoint: supervisor.rampedSpeedSetpoint, outputs: output.outputs,
            cartridgeSerial: backend.cartridgeSerial, temperature: backend.temperature,
            overruns: channels.overruns.load(ordering: .relaxed), limitsPending: supervisor.pendingLimits != nil)
        if !channels.snapshots.push(snapshot) {
            channels.droppedSnapshots.add(1, ordering: .relaxed)
        }
        if stopsArrived {
            stopsHandled = (stops.emergency, stops.stop)
            channels.stops.publish(emergency: stops.emergency, stop: stops.stop, phase: supervisor.phase)
        }
        if handled > 0 || output.events.count > 0 || output.events.droppedCount > 0 || stopsArrived {
            channels.published.signal()
        }
        channels.ticks.add(1, ordering: .relaxed)
        return output
    }

    /// Takes at most `commandsPerTickMax` requests from the mailbox, applies each and pushes its
    /// reply: the first step of every tick. Returns how many it took, and when an emergency stop
    /// among them was sent (0: none).
    private func applyRequests() -> (handled: Int, emergencyStopSentAt: Int64) {
        var handled = 0
        var emergencyStopSentAt: Int64 = 0
        while handled < Self.commandsPerTickMax, let envelope = channels.requests.pop() {
            handled += 1
            if case .pen(.emergencyStop) = envelope.request, envelope.sentAt > 0 {
                emergencyStopSentAt = envelope.sentAt
            }
            let outcome = apply(envelope.request)
            if !channels.replies.push(LoopReply(requestID: envelope.requestID, outcome: outcome)) {
                channels.droppedReplies.add(1, ordering: .relaxed)
            }
        }
        return (handled, emergencyStopSentAt)
    }

    /// The mailbox's step of a tick on its own, between ticks: how the simulation harness hands
    /// a command to the loop and has its answer before the next tick, through the same
    /// application and replies as the daemon's. Only for a loop in simulated time (no thread).
    public func applyRequestsBetweenTicks() {
        if applyRequests().handled > 0 { channels.published.signal() }
    }

    private func apply(_ request: LoopRequest) -> LoopOutcome {
        switch request {
        case .pen(let command):
            do {
                try supervisor.handle(command)
                return .accepted(state: supervisor.phase)
            } catch {
                return .rejected(error, state: supervisor.phase)
            }
        case .reloadLimits(let limits):
            if let limits { supervisor.reloadLimits(limits) }
            return .limits(inForce: supervisor.limits, pending: supervisor.pendingLimits != nil)
        case .recordsWritable(let writable):
            supervisor.setRecordsWritable(writable)
            return .accepted(state: supervisor.phase)
        case .backend(let control):
            return backend.handle(control) ? .accepted(state: supervisor.phase) : .notSimulated
        case .stats(let reset):
            let statistics = LoopStatistics(
                ticks: statisticsTicks, overruns: statisticsOverruns, wakeupLatency: wakeupLatency.summary,
                tickDuration: tickDuration.summary, emergencyStopCommandLatency: emergencyStopCommandLatency.summary,
                emergencyStopInputLatency: emergencyStopInputLatency.summary,
                emergencyStopLastMotorOffAt: emergencyStopLastMotorOffAt)
            if reset {
                wakeupLatency.reset()
                tickDuration.reset()
                emergencyStopCommandLatency.reset()
                emergencyStopInputLatency.reset()
                statisticsTicks = 0
                statisticsOverruns = 0
            }
            return .stats(statistics)
        }
    }

    // MARK: The thread

    /// Starts the loop thread. It runs until `requestStop()`, then stops the motor (ramp-down,
    /// at most two seconds), leaves every output safe, and ends.
    public func start() throws(LoopError) {
        let unmanaged = Unmanaged.passRetained(LoopThreadBody(run: { [self] in self.runForever() }))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, loopThreadMain, unmanaged.toOpaque())
        guard result == 0 else {
            unmanaged.release()
            throw .threadNotStarted(errno: result)
        }
        pthread_detach(thread)
    }

    public func requestStop() { stopRequested.store(true, ordering: .releasing) }
    public var hasFinished: Bool { finished.load(ordering: .acquiring) }

    /// Who waits for the loop to end (the service); resumed by the loop thread after its last
    /// tick, never inside one.
    private let finishWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    /// Returns once the loop has ended with the outputs safe (at once if it has). An event, not
    /// a poll: a service that checked `hasFinished` every 5 ms cost an idle daemon 2.4 % of a
    /// core on the Swift pool's threads.
    public func waitUntilFinished() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let now = finishWaiters.withLock { waiters in
                if finished.load(ordering: .acquiring) { return true }
                waiters.append(waiter)
                return false
            }
            if now { waiter.resume() }
        }
    }

    /// A full ring is counted, never waited on (the loop runs on).
    @inline(__always)
    private func publishTiming(_ sample: LoopTimingSample) {
        if !channels.timing.push(sample) { channels.droppedTimingSamples.add(1, ordering: .relaxed) }
    }

    /// The one intended infinite loop: sleeps to absolute deadlines on CLOCK_MONOTONIC.
    private func runForever() {
        // Named for ps, top and /proc (it inherited its creator's name, a dispatch queue's).
        _ = linuxSetThreadName(pthread_self(), "needled-loop")
        let (report, dmaLatency) = applyRealtime(realtime)
        realtimeReport.withLock { $0 = report }
        defer { if dmaLatency >= 0 { close(dmaLatency) } }
        let periodNanoseconds = period.rawValue
        var deadline = monotonicNow()
        var lastWake = deadline
        var stopTicksLeft: Int64 = -1
        while true {
            deadline += periodNanoseconds
            // A stop from the socket wakes the loop for a tick of its own, at once; the regular
            // tick still comes at its deadline. At most one such tick a period, so a flood of
            // stops (which no bound refuses) costs the loop one tick more a period, no more. An
            // extra tick is one more period for the tick-counted timers; a stop ends what they time.
            if channels.stops.sleep(until: deadline) {
                let woken = monotonicNow()
                tick(measuredPeriod: Nanoseconds(woken - lastWake))
                lastWake = woken
                let duration = monotonicNow() - woken
                tickDuration.record(nanoseconds: duration)
                publishTiming(LoopTimingSample(tickDurationNanoseconds: duration))
                statisticsTicks += 1
                sleepUntil(monotonicNanoseconds: deadline)
            }
            let now = monotonicNow()
            let lateness = now - deadline
            wakeupLatency.record(nanoseconds: lateness)
            if lateness > periodNanoseconds {
                channels.overruns.add(1, ordering: .relaxed)
                statisticsOverruns += 1
                deadline = now  // skip the missed deadlines rather than burst to catch up
            }
            let measured = Nanoseconds(now - lastWake)
            lastWake = now
            if stopTicksLeft < 0 && stopRequested.load(ordering: .acquiring) {
                _ = apply(.pen(.stop))
                stopTicksLeft = 2_000_000_000 / periodNanoseconds
            }
            tick(measuredPeriod: measured)
            let duration = monotonicNow() - now
            tickDuration.record(nanoseconds: duration)
            publishTiming(
                LoopTimingSample(wakeupLatencyNanoseconds: max(0, lateness), tickDurationNanoseconds: duration))
            statisticsTicks += 1
            if stopTicksLeft >= 0 {
                stopTicksLeft -= 1
                if !supervisor.phase.motorMayRun || stopTicksLeft == 0 { break }
            }
        }
        backend.writeSafeOutputs()
        let waiters = finishWaiters.withLock { waiters in
            finished.store(true, ordering: .releasing)
            defer { waiters.removeAll() }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

public enum LoopError: Error, Sendable {
    case threadNotStarted(errno: Int32)
}

/// Sleeps to an absolute CLOCK_MONOTONIC instant, through signals.
func sleepUntil(monotonicNanoseconds deadline: Int64) {
    var until = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nil) == EINTR {}
}

/// CLOCK_MONOTONIC in nanoseconds: the clock of the loop's deadlines, its latency figures and
/// the stop lane's timestamps, which the socket side reads too.
public func monotonicNow() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}

/// Carries the loop's body across pthread_create.
final class LoopThreadBody {
    let run: () -> Void
    init(run: @escaping () -> Void) { self.run = run }
}

/// The thread's start routine: a nonisolated global function (a closure written in top-level
/// code would be main-actor isolated and trap as the thread starts).
private func loopThreadMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    let body = Unmanaged<LoopThreadBody>.fromOpaque(argument).takeRetainedValue()
    body.run()
    return nil
}

/// glibc's `pthread_setname_np`, hidden from Swift behind _GNU_SOURCE in the headers.
@_silgen_name("pthread_setname_np")
private func linuxSetThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
