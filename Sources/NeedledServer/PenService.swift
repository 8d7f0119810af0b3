import Foundation
public import NIOCore
package import NeedleCore
public import NeedledConfig
public import NeedledLoop
public import NeedledRPC
public import NeedledStore

/// The API (Docs/api.md) on the socket side of the loop: routes each method to its domain's
/// handler, and keeps the pieces they share up to date from the loop's rings. Runs on one event
/// loop, woken when the loop publishes something (a reply, an event, an applied stop) and at the
/// housekeeping period otherwise. The pieces are their own types: `LoopClient` (the mailbox and
/// the stop lane), `PenView` (what the socket side knows of the pen), `Subscriptions`,
/// `TreatmentRecordKeeper` (what goes into the records) and `StatusLine` (systemd's STATUS=).
public final class PenService: RPCService, @unchecked Sendable {
    public static let version = "0.2.0"

    let eventLoop: any EventLoop
    let configuration: DaemonConfiguration
    private let backendName: String
    /// The backend's own controls by number (the simulated pen's faults, `sim.*`): given by the
    /// assembly, so the server does not link the simulator.
    private let backendControls: [String]
    private let flight: FlightRecorder
    private let clock: any WallClock
    private let store: TreatmentStore
    let recorder: EventRecorder
    /// The socket's connections and slots (`daemon.info` `socket`), from the server once it
    /// exists: it is made after the service.
    public var socketFigures: (@Sendable () -> SocketFiguresResult)?
    /// Which pen this is and which records store is its own (`daemon.info` `records`).
    public var penIdentity: PenIdentity?
    /// The records' fill level and pruning (nil in tests that build a service alone).
    package var retention: RecordsRetentionService?
    /// The clinic's fleet (`[fleet]`); set before `start()`. Nil: the pen is on its own.
    package var fleet: FleetLink?

    let loop: LoopClient
    let view: PenView
    /// The metrics' registry (`metricsText`); its loop timing is drained by `runMetrics`.
    let metrics: DaemonMetrics
    private let keeper: TreatmentRecordKeeper
    private let subscriptions: Subscriptions
    private let statusLine = StatusLine()
    private let pen: PenMethods
    private var poller: RepeatedTask?

    public init(
        eventLoop: any EventLoop, channels: LoopChannels, configuration: DaemonConfiguration, backendName: String,
        store: TreatmentStore, recorder: EventRecorder, flight: FlightRecorder,
        clock: any WallClock = SystemWallClock(),
        backendControls: [String] = []
    ) {
        self.backendControls = backendControls
        self.flight = flight
        self.clock = clock
        self.store = store
        self.recorder = recorder
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.backendName = backendName
        let loop = LoopClient(
            channels: channels, eventLoop: eventLoop, connectionsMax: configuration.connectionLimits.connectionsMax)
        let view = PenView(limits: configuration.pen.limits, source: configuration.source)
        let keeper = TreatmentRecordKeeper(
            store: store, recorder: recorder, clock: clock, tickPeriod: configuration.pen.tickPeriod)
        self.loop = loop
        self.view = view
        self.keeper = keeper
        self.metrics = DaemonMetrics(channels: channels, version: Self.version, backend: backendName)
        let tickPeriod = configuration.pen.tickPeriod
        let takeSnapshots: @Sendable () -> Void = {
            Self.takeSnapshots(loop.channels, into: view, keeper, tickPeriod: tickPeriod)
        }
        self.subscriptions = Subscriptions(eventLoop: eventLoop) {
            takeSnapshots()  // the newest tick's, not the housekeeping period's
            return view.status
        }
        self.pen = PenMethods(
            eventLoop: eventLoop, view: view, loop: loop, keeper: keeper, takeSnapshots: takeSnapshots)
    }

    /// How often the rings are drained when the loop has rung for nothing: the snapshots (for
    /// the session's telemetry samples, taken from every one) before their ring can fill, the
    /// records' health, the status line. A quarter of the snapshot ring's ticks, at most 50 ms.
    var housekeepingPeriod: TimeAmount {
        let channels = loop.channels
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
        let signal = loop.channels.published
        guard signal.isAvailable else { return }
        let eventLoop = self.eventLoop
        let waiter = Thread {
            while signal.wait() { eventLoop.execute { self.poll() } }
        }
        waiter.name = "needled-published"
        waiter.start()
    }

    /// Drains the loop's timing samples into the metrics' histograms until cancelled (the
    /// daemon runs it for its life; a scrape drains too).
    package func runMetrics() async { await metrics.timing.run() }

    public func stop() -> EventLoopFuture<Void> {
        loop.channels.published.stopWaiting()
        return eventLoop.submit {
            self.poller?.cancel()
            self.subscriptions.cancelAll()
        }
    }

    /// The loop's snapshots, oldest first: the newest becomes the view's; each is a candidate
    /// for the session's telemetry record.
    private static func takeSnapshots(
        _ channels: LoopChannels, into view: PenView, _ keeper: TreatmentRecordKeeper, tickPeriod: Nanoseconds
    ) {
        while let snapshot = channels.snapshots.pop() {
            view.latest = snapshot
            view.tally.snapshot(snapshot.status, tickPeriod: tickPeriod)
            keeper.telemetry(snapshot.status, session: view.session)
        }
    }

    /// Drains replies, events and snapshots (bounded per call by the rings' capacities), then
    /// brings what depends on them up to date.
    func poll() {
        eventLoop.preconditionInEventLoop()
        loop.takeReplies()
        while let event = loop.channels.events.pop() {
            switch event {
            case .faultLatched(let fault): view.tally.faultLatched(fault.code)
            case .sessionOpened: view.tally.sessionsOpened += 1
            default: break
            }
            let json = PenEventNotification.params(event)
            subscriptions.publish(event: json)
            keeper.event(event, json, session: view.session)
        }
        Self.takeSnapshots(loop.channels, into: view, keeper, tickPeriod: configuration.pen.tickPeriod)
        if view.limitsPending && view.latest.limitsPending == false {
            // The loop applied the waiting limits at rest; ask it which are in force now.
            view.limitsPending = false
            _ = loop.send(.reloadLimits(nil)).map { outcome in
                if case .limits(let inForce, let pending) = outcome {
                    self.view.limitsInForce = inForce
                    self.view.limitsPending = pending
                }
            }
        }
        statusLine.update(view.latest.status, session: view.session, recordsWritable: view.recordsWritableTold)
        if let window = flight.takeFrozenWindow() { keeper.fault(window, session: view.session) }
        if let fill = retention?.fill, fill != view.recordsFillTold { view.recordsFillTold = fill }
        if let fleet {
            fleet.latestTick.store(view.latest.status.tick.rawValue, ordering: .relaxed)
            let standing = fleet.status
            if standing != view.fleet { view.fleet = standing }
        }
        let writable = recorder.writable.load(ordering: .acquiring)
        if writable != view.recordsWritableTold {
            view.recordsWritableTold = writable
            // Told again on the next poll if the loop could not take it.
            loop.send(.recordsWritable(writable)).whenFailure { _ in self.view.recordsWritableTold = !writable }
        }
    }

    /// A reloaded configuration's limits, to the loop: `(inForce, pending)` as the loop applied
    /// them (a loosened limit waits until the pen is at rest).
    package func reloadLimits(
        _ limits: SafetyLimits, from source: ConfigurationSource? = nil
    ) -> EventLoopFuture<(inForce: SafetyLimits, pending: Bool)> {
        eventLoop.flatSubmit {
            self.loop.send(.reloadLimits(limits)).flatMapThrowing { outcome in
                guard case .limits(let inForce, let pending) = outcome else {
                    throw RPCError.internalError("the loop did not take the limits.")
                }
                self.view.limitsInForce = inForce
                self.view.limitsPending = pending
                if let source { self.view.configurationSource = source }
                return (inForce, pending)
            }
        }
    }

    public var latestSnapshot: LoopSnapshot { view.latest }

    /// One line for `systemctl status` (STATUS=): the pen's state, session and fault.
    package var summary: String { statusLine.text }

    /// A stop answered on the acceptor's thread goes into the open session's record too.
    func recordStop(_ kind: StopLane.Kind, _ state: PenPhase) { pen.recordStop(kind, state) }

    public func connectionClosed(_ connection: RPCConnection) {
        eventLoop.execute { self.subscriptions.connectionClosed(connection) }
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

    /// Each method to its domain's handler (an exhaustive switch over `APIDomain`).
    private func dispatch(
        _ request: JSONRPCRequest, connection: RPCConnection
    ) throws(RPCError) -> EventLoopFuture<JSONValue> {
        guard let method = APIMethod(rawValue: request.method) else { throw .methodNotFound(request.method) }
        switch method.domain {
        case .pen: return try pen.handle(method, request, connection: connection)
        case .daemon:
            return try DaemonMethods(
                eventLoop: eventLoop, view: view, loop: loop, configuration: configuration, backendName: backendName,
                softwareVersion: Self.version, socketFigures: socketFigures, penIdentity: penIdentity,
                metricsText: { self.metricsText() }
            ).handle(method, request, connection: connection)
        case .session:
            return try SessionMethods(
                eventLoop: eventLoop, view: view, pen: pen, store: store, recorder: recorder, clock: clock,
                configuration: configuration, retention: retention, fleet: fleet, softwareVersion: Self.version
            ).handle(method, request)
        case .sessionRecords:
            return try SessionRecordsMethods(
                store: store, eventLoop: eventLoop,
                exporter: RecordsExporter(store: store, identity: penIdentity, eventLoop: eventLoop, clock: clock),
                recordIDPrefix: penIdentity?.recordIDPrefix
            ).handle(method, request)
        case .faultRecords:
            return try FaultRecordsMethods(
                store: store, eventLoop: eventLoop, recordIDPrefix: penIdentity?.recordIDPrefix
            )
            .handle(method, request)
        case .cartridges:
            return try CartridgeMethods(store: store, eventLoop: eventLoop, clock: clock).handle(method, request)
        case .subscriptions:
            return eventLoop.makeSucceededFuture(try subscriptions.handle(method, request, connection: connection))
        case .simulator:
            return try SimulatorMethods(
                loop: loop, simulated: configuration.backend == .simulated, controls: backendControls
            ).handle(method, request, connection: connection)
        }
    }
}
