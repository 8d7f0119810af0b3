import Foundation
public import NIOCore
package import NeedleCore
public import NeedledConfig
public import NeedledLoop
public import NeedledRPC
public import NeedledStore
import Synchronization

/// The API's methods (Docs/api.md), on the socket side of the loop. Everything here runs on one
/// event loop: it sends commands through the loop's mailbox, polls the loop's replies, events and
/// snapshots every millisecond, and fans them out to the clients that asked.
public final class PenService: RPCService, @unchecked Sendable {
    public static let version = "0.2.0"

    private let eventLoop: any EventLoop
    private let channels: LoopChannels
    private let configuration: DaemonConfiguration
    private let backendName: String
    /// The backend's own controls by number (the simulated pen's faults, `sim.*`): given by the
    /// assembly, so the server does not link the simulator.
    private let backendControls: [String]
    private let flight: FlightRecorder
    private let clock: any WallClock
    /// What the loop was last told about the records' health.
    private var recordsWritableTold = true { didSet { statusCache = nil } }
    /// The limits the loop enforces (after a reload, the stricter part at once; all of it at rest).
    private var limitsInForce: SafetyLimits { didSet { statusCache = nil } }
    /// Reloaded limits that loosen something, waiting for the pen to be at rest.
    private var limitsPending = false
    /// The file the configuration in force was read from (at start, then each accepted reload).
    private var configurationSource: ConfigurationSource?
    /// The socket's connections and slots (`daemon.info` `socket`), from the server once it
    /// exists: it is made after the service.
    public var socketFigures: (@Sendable () -> JSONValue)?
    /// Which pen this is and which records store is its own (`daemon.info` `records`).
    public var penIdentity: PenIdentity?
    /// The records' fill level and pruning (nil in tests that build a service alone).
    package var retention: RecordsRetentionService?
    private var recordsFillTold = RecordsRetentionService.Fill() { didSet { statusCache = nil } }

    // Event-loop confined state.
    private var latest = LoopSnapshot.initial
    private var nextRequestID: UInt32 = 0
    private var pending: [UInt32: EventLoopPromise<LoopOutcome>] = [:]
    /// Which connection each mailbox request came from, and how many each has there now: one
    /// client's flood takes its share of the mailbox, never the whole of it.
    private var pendingOwner: [UInt32: RPCConnection] = [:]
    private var mailboxHeld: [RPCConnection: Int] = [:]
    /// Mailbox requests one connection may have waiting for the loop at once, at most; more are busy.
    public static let mailboxSharePerConnection = 8

    /// Each connection's part of the mailbox: its 128 slots, less the daemon's own 8, split
    /// evenly between as many connections as may be open (`max-connections`), at most
    /// `mailboxSharePerConnection`, at least one. Guaranteed, not first come: however many
    /// clients flood, each one's share is there for it (3 each with 32 connections), and any
    /// command waits at most 15 ticks (the loop takes 8 a tick).
    private var mailboxShare: Int {
        let forClients = channels.requests.capacity - LoopChannels.requestsKeptForTheDaemon
        return min(
            Self.mailboxSharePerConnection, max(1, forClients / max(1, configuration.connectionLimits.connectionsMax)))
    }
    /// Stops sent by the stop lane, waiting for the tick that applies them.
    private var pendingStops: [(kind: StopLane.Kind, ticket: UInt64, promise: EventLoopPromise<PenPhase>)] = []
    private var telemetry: [RPCConnection: RepeatedTask] = [:]
    private var eventSubscribers: Set<RPCConnection> = []
    /// Telemetry notifications a subscriber could not take (its socket full), in a row.
    private var telemetryMissed: [RPCConnection: Int] = [:]
    /// Events a subscriber could not take; reported to it as `events.dropped` when it reads again.
    private var eventsMissed: [RPCConnection: Int] = [:]
    /// A telemetry subscriber that does not read for this long is dropped.
    public static let slowSubscriberSeconds = 2
    private var session: SessionRecord? { didSet { statusCache = nil } }
    /// The status object serialised once per snapshot and shared by every `pen.status` and
    /// telemetry notification until the next one (thousands of readers a second, one tick apart).
    private var statusCache: JSONValue?

    private var currentStatus: JSONValue {
        if let statusCache { return statusCache }
        let status = JSONValue.preserialized(
            StatusJSON.status(
                latest, session: session, limits: limitsInForce, recordsWritable: recordsWritableTold,
                recordsFill: recordsFillTold
            ).serialized)
        statusCache = status
        return status
    }
    private let store: TreatmentStore
    /// The records' methods, each domain its own small type over the store (Docs/api.md).
    private var sessionRecords: SessionRecordsMethods {
        SessionRecordsMethods(
            store: store, eventLoop: eventLoop,
            exporter: RecordsExporter(store: store, identity: penIdentity, eventLoop: eventLoop, clock: clock),
            recordIDPrefix: penIdentity?.recordIDPrefix)
    }
    private var faultRecords: FaultRecordsMethods {
        FaultRecordsMethods(store: store, eventLoop: eventLoop, recordIDPrefix: penIdentity?.recordIDPrefix)
    }
    private var cartridges: CartridgeMethods { CartridgeMethods(store: store, eventLoop: eventLoop, clock: clock) }
    private let recorder: EventRecorder
    private var lastTelemetrySlot: Int64 = -1
    private var poller: RepeatedTask?

    public static let replyTimeout = TimeAmount.seconds(2)

    public init(
        eventLoop: any EventLoop, channels: LoopChannels, configuration: DaemonConfiguration, backendName: String,
        store: TreatmentStore, recorder: EventRecorder, flight: FlightRecorder,
        clock: any WallClock = SystemWallClock(),
        backendControls: [String] = []
    ) {
        self.backendControls = backendControls
        self.flight = flight
        self.clock = clock
        self.limitsInForce = configuration.pen.limits
        self.store = store
        self.recorder = recorder
        self.eventLoop = eventLoop
        self.channels = channels
        self.configuration = configuration
        self.configurationSource = configuration.source
        self.backendName = backendName
    }

    /// How often the rings are drained when the loop has rung for nothing: the snapshots (for
    /// the session's telemetry samples, taken from every one) before their ring can fill, the
    /// records' health, the status line. A quarter of the snapshot ring's ticks, at most 50 ms.
    var housekeepingPeriod: TimeAmount {
        guard channels.published.isAvailable else { return .milliseconds(1) }  // no eventfd: poll as before
        let quarterRing = configuration.pen.tickPeriod.rawValue * Int64(channels.snapshots.capacity) / 4
        return .nanoseconds(min(quarterRing, 50_000_000))
    }

    /// Drains the loop's rings when the loop rings (a reply, an event, a stop applied), and at
    /// the housekeeping period. The waiter is a plain thread blocked on the loop's eventfd.
    public func start() {
        let period = housekeepingPeriod
        eventLoop.execute {
            self.poller = self.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
                self.poll()
            }
        }
        guard channels.published.isAvailable else { return }
        let signal = channels.published
        let eventLoop = self.eventLoop
        let waiter = Thread {
            while signal.wait() { eventLoop.execute { self.poll() } }
        }
        waiter.name = "needled-published"
        waiter.start()
    }

    public func stop() -> EventLoopFuture<Void> {
        channels.published.stopWaiting()
        return eventLoop.submit {
            self.poller?.cancel()
            self.telemetry.values.forEach { $0.cancel() }
            self.telemetry.removeAll()
        }
    }

    /// The loop's newest snapshot becomes `latest`. Also taken by each `pen.status`, so that a
    /// status asked after any answer (a stop answered on the acceptor's thread, a command's
    /// reply) is at least as new as the tick that answer came from, not up to a poll older.
    private func takeSnapshots() {
        while let snapshot = channels.snapshots.pop() {
            latest = snapshot
            statusCache = nil
            recordTelemetrySample(snapshot.status)
        }
    }

    /// Drains replies, events and snapshots (bounded per call by the rings' capacities).
    func poll() {
        eventLoop.preconditionInEventLoop()
        while let reply = channels.replies.pop() {
            release(reply.requestID)
            pending.removeValue(forKey: reply.requestID)?.succeed(reply.outcome)
        }
        answerStops()
        while let event = channels.events.pop() {
            let json = StatusJSON.event(event)
            for subscriber in eventSubscribers { notifyEvent(subscriber, json) }
            if let serial = session?.cartridge {
                let reason: CartridgeUseEnd? =
                    switch event {
                    case .cartridgeRemoved: .removed
                    case .faultLatched(let fault) where fault.code == .cartridgeUseTimeExceeded: .usageTimeExceeded
                    default: nil
                    }
                if let reason {
                    let store = self.store
                    let now = clock.now()
                    Task { try? await store.endCartridgeUse(serial: serial, at: now, reason: reason) }
                }
            }
            if case .string(let kind)? = json["type"], case .int(let tick)? = json["tick"] {
                recorder.record(
                    EventRow(
                        sessionID: session?.rowID, tick: tick, wallTime: clock.now(), kind: kind,
                        detailJSON: json.serialized
                    ))
            }
        }
        takeSnapshots()
        if limitsPending && latest.limitsPending == false {
            // The loop applied the waiting limits at rest; ask it which are in force now.
            limitsPending = false
            _ = send(.reloadLimits(nil)).map { outcome in
                if case .limits(let inForce, let pending) = outcome {
                    self.limitsInForce = inForce
                    self.limitsPending = pending
                }
            }
        }
        updateSummary()
        if let window = flight.takeFrozenWindow() { recordFault(window) }
        if let fill = retention?.fill, fill != recordsFillTold { recordsFillTold = fill }
        let writable = recorder.writable.load(ordering: .acquiring)
        if writable != recordsWritableTold {
            recordsWritableTold = writable
            // Told again on the next poll if the loop could not take it.
            send(.recordsWritable(writable)).whenFailure { _ in self.recordsWritableTold = !writable }
        }
    }

    /// A reloaded configuration's limits, to the loop: `(inForce, pending)` as the loop applied
    /// them (a loosened limit waits until the pen is at rest).
    package func reloadLimits(
        _ limits: SafetyLimits, from source: ConfigurationSource? = nil
    ) -> EventLoopFuture<(inForce: SafetyLimits, pending: Bool)> {
        eventLoop.flatSubmit {
            self.send(.reloadLimits(limits)).flatMapThrowing { outcome in
                guard case .limits(let inForce, let pending) = outcome else {
                    throw RPCError.internalError("the loop did not take the limits.")
                }
                self.limitsInForce = inForce
                self.limitsPending = pending
                if let source { self.configurationSource = source }
                return (inForce, pending)
            }
        }
    }

    /// A fault and the flight recorder's window that led to it, to the store (off this thread).
    private func recordFault(_ window: FlightWindow) {
        let rows = window.samples.map(FlightRecord.row)
        recorder.record(
            FaultRecordRow(
                sessionID: session?.rowID, code: window.fault.code.rawValue, message: window.fault.message,
                tick: window.fault.tick.rawValue, wallTime: TreatmentStore.timestamp(clock.now()),
                tickPeriodNanoseconds: configuration.pen.tickPeriod.rawValue, sampleCount: rows.count),
            window: rows)
    }

    public var latestSnapshot: LoopSnapshot { latest }

    /// One line for `systemctl status` (STATUS=): the pen's state, session and fault.
    private let summaryLine = Mutex<String>("pen idle")
    package var summary: String { summaryLine.withLock { $0 } }

    private var summarized: (PenPhase, FaultCode?, Int64?, Bool)?

    private func updateSummary() {
        let status = latest.status
        let key = (status.phase, status.fault?.code, session?.rowID, recordsWritableTold)
        if let summarized, summarized == key { return }
        summarized = key
        var line = "pen \(status.phase.rawValue)"
        if let session { line += ", session \(session.id) on \(session.area.rawValue)" }
        if let fault = status.fault { line += ", fault \(fault.code.rawValue)" }
        if !recordsWritableTold { line += ", records cannot be written" }
        summaryLine.withLock { $0 = line }
    }

    public func connectionClosed(_ connection: RPCConnection) {
        eventLoop.execute {
            self.telemetry.removeValue(forKey: connection)?.cancel()
            self.eventSubscribers.remove(connection)
            self.telemetryMissed[connection] = nil
            self.eventsMissed[connection] = nil
        }
    }

    // MARK: Dispatch

    public func call(_ request: JSONRPCRequest, connection: RPCConnection) -> EventLoopFuture<JSONValue> {
        if eventLoop.inEventLoop {  // the usual case: connections share the service's one event loop
            do {
                return try dispatch(request, connection: connection)
            } catch {
                return eventLoop.makeFailedFuture(error)
            }
        }
        return eventLoop.flatSubmit {
            do {
                return try self.dispatch(request, connection: connection)
            } catch {
                return self.eventLoop.makeFailedFuture(error)
            }
        }
    }

    public static let methods = APIMethods.all

    private func dispatch(
        _ request: JSONRPCRequest, connection: RPCConnection
    ) throws(RPCError) -> EventLoopFuture<JSONValue> {
        guard let method = APIMethod(rawValue: request.method) else { throw .methodNotFound(request.method) }
        switch method {
        case .daemonInfo:
            _ = try RPCParams(request, allowed: [])
            return succeed(info())
        case .daemonStats:
            let params = try RPCParams(request, allowed: ["reset"])
            let reset = try params.optionalBool("reset") ?? false
            return send(.stats(reset: reset), for: connection).flatMapThrowing { outcome in
                guard case .stats(let statistics) = outcome else {
                    throw RPCError.internalError("the loop did not report its figures.")
                }
                return StatusJSON.statistics(statistics, reset: reset)
            }
        case .listMethods:
            _ = try RPCParams(request, allowed: [])
            return succeed(.array(availableMethods.map { .string($0) }))
        case .penStatus:
            _ = try RPCParams(request, allowed: [])
            takeSnapshots()
            return succeed(currentStatus)
        case .penStop, .penEmergencyStop:
            guard let penCommand = try PenCommandRequest.decode(request) else { throw .methodNotFound(request.method) }
            return stop(penCommand == .emergencyStop ? .emergencyStop : .stop)
        case .penHome, .penArm, .penStart, .penResetFault, .penSetDepth, .penSetSpeed:
            guard let penCommand = try PenCommandRequest.decode(request) else { throw .methodNotFound(request.method) }
            return command(penCommand, for: connection)
        case .sessionOpen: return try openSession(request)
        case .sessionClose:
            _ = try RPCParams(request, allowed: [])
            let closing = session
            let strokes = latest.status.sessionStrokes
            return command(.closeSession).flatMap { result in
                self.session = nil
                let done = self.eventLoop.makeSucceededFuture(
                    JSONValue.object([
                        ("closed", closing.map { .string($0.id) } ?? .null), ("state", result["state"] ?? .null),
                    ]))
                guard let closing else { return done }
                let store = self.store
                let now = self.clock.now()
                let tick = self.latest.status.tick.rawValue
                let recorder = self.recorder
                let retention = self.retention
                return self.eventLoop.makeFutureWithTask {
                    // The session's last events and telemetry first: they are chained before the seal.
                    await recorder.written()
                    try await store.closeSession(id: closing.rowID, at: now, tick: tick, strokes: strokes)
                    retention?.sessionClosed()
                }.flatMap { done }
            }
        case .sessionList, .sessionGet, .sessionVerify, .recordsVerify, .sessionExport, .recordsExport,
            .sessionTelemetry:
            return try sessionRecords.handle(method, request)
        case .faultList, .faultGet: return try faultRecords.handle(method, request)
        case .cartridgeRegister, .cartridgeList, .cartridgeGet: return try cartridges.handle(method, request)
        case .sessionAcceptCartridge: return try acceptCartridge(request)
        case .telemetrySubscribe: return try subscribeTelemetry(request, connection: connection)
        case .telemetryUnsubscribe:
            _ = try RPCParams(request, allowed: [])
            let removed = telemetry.removeValue(forKey: connection)
            removed?.cancel()
            return succeed(.object([("subscribed", false)]))
        case .eventsSubscribe:
            _ = try RPCParams(request, allowed: [])
            eventSubscribers.insert(connection)
            return succeed(.object([("subscribed", true)]))
        case .eventsUnsubscribe:
            _ = try RPCParams(request, allowed: [])
            eventSubscribers.remove(connection)
            return succeed(.object([("subscribed", false)]))
        case .simInjectFault, .simClearFault:
            guard configuration.backend == .simulated else { throw .methodNotFound(request.method) }
            let params = try RPCParams(request, allowed: ["fault"])
            let faults = backendControls.joined(separator: ", ")
            let name = try params.requiredString("fault", meaning: "one of \(faults)")
            guard let control = backendControls.firstIndex(of: name) else {
                throw .invalidParams("unknown fault \"\(name)\"; the simulator's faults are \(faults).")
            }
            let action: BackendRequest.Action = method == .simInjectFault ? .activate : .deactivate
            return send(.backend(BackendRequest(action, control: UInt8(control))), for: connection)
                .flatMapThrowing { outcome in
                    guard case .accepted = outcome else { throw RPCError.methodNotFound(request.method) }
                    return .object([("fault", .string(name)), ("active", .bool(action == .activate))])
                }
        }
    }

    private var availableMethods: [String] {
        configuration.backend == .simulated ? Self.methods : Self.methods.filter { !$0.hasPrefix("sim.") }
    }

    private func succeed(_ value: JSONValue) -> EventLoopFuture<JSONValue> { eventLoop.makeSucceededFuture(value) }

    /// A stop or an emergency stop, by the stop lane: no mailbox slot to wait for or be refused,
    /// applied in the loop's next tick, answered with the phase that tick left.
    private func stop(_ kind: StopLane.Kind) -> EventLoopFuture<JSONValue> {
        let ticket = channels.stops.request(kind, at: monotonicNow())
        let promise = eventLoop.makePromise(of: PenPhase.self)
        pendingStops.append((kind, ticket, promise))
        eventLoop.scheduleTask(in: Self.replyTimeout) {
            guard let index = self.pendingStops.firstIndex(where: { $0.promise.futureResult === promise.futureResult })
            else { return }
            self.pendingStops.remove(at: index)
            promise.fail(RPCError.internalError("the control loop did not answer within 2 s."))
        }
        return promise.futureResult.map { state in
            self.recordStop(kind, state)
            return Self.stopResult(state)
        }
    }

    /// A stop's answer: accepted (a stop is never refused), and the phase it left the pen in.
    static func stopResult(_ state: PenPhase) -> JSONValue {
        .object([("accepted", true), ("state", .string(state.rawValue))])
    }

    /// A stop goes into the open session's record like any command, wherever it was answered.
    func recordStop(_ kind: StopLane.Kind, _ state: PenPhase) {
        eventLoop.preconditionInEventLoop()
        recordCommand(kind == .emergencyStop ? .emergencyStop : .stop, .accepted(state: state))
    }

    private func answerStops() {
        guard !pendingStops.isEmpty else { return }
        var waiting: [(kind: StopLane.Kind, ticket: UInt64, promise: EventLoopPromise<PenPhase>)] = []
        for stop in pendingStops {
            if let state = channels.stops.handled(stop.kind, ticket: stop.ticket) {
                stop.promise.succeed(state)
            } else {
                waiting.append(stop)
            }
        }
        pendingStops = waiting
    }

    /// Sends a pen command and turns the loop's outcome into a result or an error.
    private func command(_ penCommand: PenCommand, for connection: RPCConnection? = nil) -> EventLoopFuture<JSONValue> {
        send(.pen(penCommand), for: connection).flatMapThrowing { outcome in
            self.recordCommand(penCommand, outcome)
            switch outcome {
            case .accepted(let state): return .object([("accepted", true), ("state", .string(state.rawValue))])
            case .rejected(let rejection, let state): throw rejection.rpcError(state: state)
            case .notSimulated, .stats, .limits: throw RPCError.internalError("the loop did not apply a pen command.")
            }
        }
    }

    /// The open session's telemetry, downsampled to 10 Hz for the record: the first tick of each
    /// 100 ms of ticks, taken from every snapshot the loop pushed (not the newest one a poll
    /// finds), so that a late poll does not bunch the samples: they stay 100 ms of ticks apart.
    private func recordTelemetrySample(_ status: PenStatus) {
        guard let session else { return }
        let slot = status.tick.rawValue * configuration.pen.tickPeriod.rawValue / 100_000_000
        guard slot != lastTelemetrySlot else { return }
        lastTelemetrySlot = slot
        recorder.record(
            TelemetrySample(
                sessionID: session.rowID, tick: status.tick.rawValue, state: status.phase.rawValue,
                depthMicrometres: status.depth.rawValue, depthTargetMicrometres: status.depthTarget.rawValue,
                speedMillihertz: status.speed.millihertz, speedTargetMillihertz: status.speedTarget.millihertz,
                strokes: status.sessionStrokes))
    }

    /// Every command the loop answered goes into the open session's record, with its outcome.
    private func recordCommand(_ penCommand: PenCommand, _ outcome: LoopOutcome) {
        var detail: [(String, JSONValue)] = [("command", .string(penCommand.kind.rawValue))]
        switch penCommand {
        case .setDepth(let depth): detail.append(("micrometres", .int(Int64(depth.rawValue))))
        case .setSpeed(let speed): detail.append(("hertz", speed.json))
        case .openSession(let area): detail.append(("area", .string(area.rawValue)))
        default: break
        }
        switch outcome {
        case .accepted: detail.append(("outcome", "accepted"))
        case .rejected(let rejection, let state):
            detail.append(("outcome", "rejected"))
            detail.append(("error", rejection.rpcError(state: state).json))
        case .notSimulated, .stats, .limits: return
        }
        recorder.record(
            EventRow(
                sessionID: session?.rowID, tick: latest.status.tick.rawValue, wallTime: clock.now(), kind: "command",
                detailJSON: JSONValue.object(detail).serialized))
    }

    /// Puts a request in the loop's mailbox; "busy" when it is full, when this connection has
    /// its share there already, or when as many requests wait for answers as the reply ring
    /// holds (so the loop never has a reply it cannot hand back); an internal error when the
    /// loop does not answer in time (it would have to be stuck).
    private func send(_ request: LoopRequest, for connection: RPCConnection? = nil) -> EventLoopFuture<LoopOutcome> {
        let share = mailboxShare
        if let connection, mailboxHeld[connection, default: 0] >= share {
            return eventLoop.makeFailedFuture(
                RPCError(
                    code: RPCError.busyCode,
                    message:
                        "The pen is busy: \(share) of your commands are waiting for the control loop already (each connection's share of the loop's mailbox). Read their answers, then send more.",
                    data: .object([("mailboxShare", .int(Int64(share)))])))
        }
        nextRequestID &+= 1
        let id = nextRequestID
        // A client's request may not take the slots kept for the daemon's own.
        let room = channels.replies.capacity - (connection == nil ? 0 : LoopChannels.requestsKeptForTheDaemon)
        guard pending.count < room,
            channels.requests.push(LoopEnvelope(requestID: id, request: request, sentAt: monotonicNow()))
        else {
            return eventLoop.makeFailedFuture(
                RPCError(code: RPCError.busyCode, message: "The pen is busy: too many commands at once. Try again."))
        }
        let promise = eventLoop.makePromise(of: LoopOutcome.self)
        pending[id] = promise
        if let connection {
            pendingOwner[id] = connection
            mailboxHeld[connection, default: 0] += 1
        }
        eventLoop.scheduleTask(in: Self.replyTimeout) {
            guard let promise = self.pending.removeValue(forKey: id) else { return }
            self.release(id)
            promise.fail(RPCError.internalError("the control loop did not answer within 2 s."))
        }
        return promise.futureResult
    }

    /// A mailbox request answered (or given up on): its connection's share is freed.
    private func release(_ id: UInt32) {
        guard let connection = pendingOwner.removeValue(forKey: id) else { return }
        let held = (mailboxHeld[connection] ?? 1) - 1
        mailboxHeld[connection] = held > 0 ? held : nil
    }

    // MARK: Sessions

    private func openSession(_ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        let params = try RPCParams(request, allowed: ["area", "cartridge", "reference"])
        let areaName = try params.requiredString("area", meaning: "the treatment area")
        guard let area = TreatmentArea(rawValue: areaName) else {
            throw .invalidParams(
                "unknown area \"\(areaName)\"; the areas are \(TreatmentArea.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        let cartridge = try params.requiredString("cartridge", meaning: "the serial of the cartridge in the pen")
        let reference = try params.optionalString("reference", meaning: "the clinic's reference for the treatment")
        try checkCartridgeInSlot(cartridge)
        let store = self.store
        let needles = configuration.needleCount
        let limitsJSON = StatusJSON.limits(limitsInForce).serialized
        let configurationSHA256 = configurationSource?.sha256
        // 1. The records say whether this cartridge may serve (registered from the ID chip, or as
        //    the technician gives it, on first sight). 2. The loop opens the session. 3. The record
        //    binds the cartridge to it for good; if that fails the loop's session is closed again.
        return eventLoop.makeFutureWithTask { () async throws -> Void in
            // Returns the cartridge as registered when it is known already.
            let record = try await store.registerCartridge(
                serial: cartridge, needles: needles, lot: nil, expires: nil, at: self.clock.now())
            if let rejection = TreatmentStore.rejection(of: record, today: self.clock.now()) {
                throw Self.rejectionError(rejection, serial: cartridge)
            }
        }.flatMap { self.command(.openSession(area)) }.flatMap { result in
            let openedTick = self.latest.status.tick.rawValue
            let tickPeriod = self.configuration.pen.tickPeriod.rawValue
            return self.eventLoop.makeFutureWithTask {
                try await store.openSession(
                    area: area.rawValue, cartridge: cartridge, reference: reference, softwareVersion: Self.version,
                    limitsJSON: limitsJSON, configurationSHA256: configurationSHA256, at: self.clock.now(),
                    tick: openedTick,
                    tickPeriodNanoseconds: tickPeriod)
            }.flatMapError { error in
                self.command(.closeSession).flatMapThrowing { _ in
                    if case StoreError.cartridgeRejected(let rejection) = error {
                        throw Self.rejectionError(rejection, serial: cartridge)
                    }
                    throw RPCError.internalError("the session could not be recorded, so it was not opened (\(error)).")
                }
            }.map { row -> JSONValue in
                let record = SessionRecord(row: row)
                self.session = record
                return .object([
                    ("session", record.json(status: self.latest.status, limits: self.limitsInForce)),
                    ("state", result["state"] ?? .null),
                ])
            }
        }
    }

    private func acceptCartridge(_ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        let params = try RPCParams(request, allowed: ["cartridge"])
        let cartridge = try params.requiredString("cartridge", meaning: "the serial of the cartridge in the pen")
        try checkCartridgeInSlot(cartridge)
        guard let open = session else {
            throw RPCError(
                code: RPCError.invalidStateCode, message: "Cannot accept the cartridge: no treatment session is open.",
                data: .object([("state", .string(latest.status.phase.rawValue)), ("allowedStates", .array([]))]))
        }
        let store = self.store
        let needles = configuration.needleCount
        return eventLoop.makeFutureWithTask {
            _ = try await store.registerCartridge(
                serial: cartridge, needles: needles, lot: nil, expires: nil, at: self.clock.now())
            do {
                try await store.bindCartridge(cartridge, toSession: open.rowID, at: self.clock.now())
            } catch StoreError.cartridgeRejected(let rejection) {
                throw Self.rejectionError(rejection, serial: cartridge)
            }
        }.flatMap { self.command(.acceptCartridge) }.map { result in
            self.session?.cartridge = cartridge
            return .object([("cartridge", .string(cartridge)), ("state", result["state"] ?? .null)])
        }
    }

    /// `{"id": "S-0001"}` (or `"1"`) → the row id, with the error a person reads otherwise.
    static func rejectionError(_ rejection: CartridgeRejection, serial: String) -> RPCError {
        let message: String
        switch rejection {
        case .reused: message = "Cartridge \(serial) was already used for a session. Insert a new sterile cartridge."
        case .expired: message = "Cartridge \(serial) is past its expiry date. Insert a new sterile cartridge."
        case .unknown: message = "Cartridge \(serial) is not registered."
        case .usageTimeExceeded:
            message = "Cartridge \(serial) reached its maximum use time. Insert a new sterile cartridge."
        }
        return .cartridgeRejected(reason: rejection.rawValue, message: message)
    }

    /// A cartridge must be in the slot, and be the one the ID chip names where there is one.
    private func checkCartridgeInSlot(_ serial: String) throws(RPCError) {
        guard latest.status.cartridgePresent else {
            throw .cartridgeRejected(
                reason: "absent", message: "No cartridge is inserted. Insert a new sterile cartridge.")
        }
        guard !serial.isEmpty, serial.utf8.count <= CartridgeSerial.bytesMax else {
            throw .invalidParams("\"cartridge\" must be a serial of 1 to \(CartridgeSerial.bytesMax) characters.")
        }
        // Without an ID chip (no serial read from the cartridge) the technician's serial is taken as given.
        if let inserted = latest.cartridgeSerial?.string, serial != inserted {
            throw .cartridgeRejected(
                reason: "unknown", message: "Cartridge \(serial) is not the one in the pen (\(inserted)).")
        }
    }

    // MARK: Subscriptions and info

    private func subscribeTelemetry(
        _ request: JSONRPCRequest, connection: RPCConnection
    ) throws(RPCError) -> EventLoopFuture<JSONValue> {
        let params = try RPCParams(request, allowed: ["hz"])
        let hz =
            params["hz"] == nil ? 10 : try params.requiredInteger("hz", meaning: "notifications per second, 1 to 100")
        guard (1...100).contains(hz) else {
            throw .invalidParams("\"hz\" must be from 1 to 100 notifications per second, not \(hz).")
        }
        telemetry.removeValue(forKey: connection)?.cancel()
        let interval = TimeAmount.nanoseconds(1_000_000_000 / hz)
        telemetry[connection] = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            guard connection.channel.isActive else {
                task.cancel()
                return
            }
            self.takeSnapshots()  // the newest tick's, not the housekeeping period's
            let status = self.currentStatus
            if connection.notify("telemetry", params: status) {
                self.telemetryMissed[connection] = nil
                return
            }
            // Not reading: never queue without bound, never wait. Dropped after a while, and told.
            let missed = (self.telemetryMissed[connection] ?? 0) + 1
            self.telemetryMissed[connection] = missed
            guard missed >= Int(hz) * Self.slowSubscriberSeconds else { return }
            task.cancel()
            self.telemetry[connection] = nil
            self.telemetryMissed[connection] = nil
            let reason =
                "You did not read telemetry for \(Self.slowSubscriberSeconds) s; the subscription was dropped. Subscribe again."
            let line = JSONRPCResponse.notification("telemetry.dropped", params: .object([("reason", .string(reason))]))
            connection.channel.writeAndFlush(ByteBuffer(string: line.serialized + "\n"), promise: nil)
        }
        return succeed(.object([("subscribed", true), ("hz", .int(hz))]))
    }

    /// An event, or — to a subscriber whose socket was full — first the count it missed.
    private func notifyEvent(_ subscriber: RPCConnection, _ json: JSONValue) {
        if let missed = eventsMissed[subscriber] {
            guard subscriber.notify("events.dropped", params: .object([("count", .int(Int64(missed)))])) else {
                eventsMissed[subscriber] = missed + 1
                return
            }
            eventsMissed[subscriber] = nil
        }
        if !subscriber.notify("event", params: json) {
            eventsMissed[subscriber, default: 0] += 1
        }
    }

    /// `[sensor]` as configured: `{kind, countsPerRevolution}` or `{kind, pulsesPerRevolution}`.
    static func sensorJSON(_ sensor: SpeedSensor) -> JSONValue {
        switch sensor {
        case .quadrature(let counts):
            .object([("kind", "quadrature"), ("countsPerRevolution", .int(Int64(counts)))])
        case .tachometer(let pulses):
            .object([("kind", "tachometer"), ("pulsesPerRevolution", .int(Int64(pulses)))])
        }
    }

    private func info() -> JSONValue {
        let limits = limitsInForce
        return .object([
            ("version", .string(Self.version)),
            ("backend", .string(backendName)),
            ("tickRateHertz", .int(configuration.tickRateHertz)),
            ("configuration", configurationSource?.json ?? .null),
            ("limits", StatusJSON.limits(limits)),
            (
                "areas",
                .array(
                    TreatmentArea.allCases.map { area in
                        .object([
                            ("area", .string(area.rawValue)),
                            ("maxDepthMicrometres", .int(Int64(limits.effectiveDepthMax(in: area).rawValue))),
                        ])
                    })
            ),
            (
                "pen",
                .object([
                    ("needleCount", .int(Int64(configuration.needleCount))),
                    ("maxDepthMicrometres", .int(Int64(limits.depthMax.rawValue))),
                    ("strokeRateHertz", .object([("min", limits.speedMin.json), ("max", limits.speedMax.json)])),
                    ("depthStepMicrometres", .int(Int64(configuration.pen.depthAxis.micrometresPerStep))),
                    ("speedSensor", Self.sensorJSON(configuration.pen.speedControl.sensor)),
                ])
            ),
            (
                "loop",
                .object([
                    ("ticks", .int(channels.ticks.load(ordering: .relaxed))),
                    ("overruns", .int(channels.overruns.load(ordering: .relaxed))),
                    ("droppedEvents", .int(channels.droppedEvents.load(ordering: .relaxed))),
                    ("droppedSnapshots", .int(channels.droppedSnapshots.load(ordering: .relaxed))),
                    ("droppedReplies", .int(channels.droppedReplies.load(ordering: .relaxed))),
                ])
            ),
            (
                "stops",
                .object([
                    ("answeredAtAccept", .int(Int64(channels.stops.answeredAtAccept.load(ordering: .relaxed)))),
                    ("unansweredAtAccept", .int(Int64(channels.stops.unansweredAtAccept.load(ordering: .relaxed)))),
                ])
            ),
            ("socket", socketFigures?() ?? .null),
            (
                "records",
                penIdentity.map {
                    .object([
                        ("penID", .string($0.penID)), ("storeID", .string($0.storeID)),
                        ("storeNumber", .int(Int64($0.storeNumber))), ("storeCreatedAt", .string($0.storeCreatedAt)),
                    ])
                } ?? .null
            ),
        ])
    }
}
