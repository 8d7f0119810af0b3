import NIOCore
import NeedleCore
import NeedledConfig
import NeedledLoop
import NeedledMetrics
import NeedledRPC
import NeedledStore

/// The daemon's methods: `daemon.info` (what this pen is and how it is set up), `daemon.stats`
/// (the loop's figures, from the loop), `daemon.metrics` (Prometheus' text, from what the first
/// two read) and `rpc.listMethods` (what this daemon answers).
struct DaemonMethods {
    let eventLoop: any EventLoop
    let view: PenView
    let loop: LoopClient
    let configuration: DaemonConfiguration
    let backendName: String
    let softwareVersion: String
    /// The socket's connections and slots, from the server (read for `daemon.info` only).
    let socketFigures: (@Sendable () -> SocketFiguresResult)?
    let penIdentity: PenIdentity?
    /// Prometheus' text of the daemon's metrics (`PenService.metricsText`).
    let metricsText: () -> EventLoopFuture<String>

    func handle(
        _ method: APIMethod, _ request: JSONRPCRequest, connection: RPCConnection
    ) throws(RPCError) -> EventLoopFuture<JSONValue> {
        switch method {
        case .daemonInfo:
            _ = try method.params(NoParams.self, of: request)
            return eventLoop.makeSucceededFuture(info())
        case .daemonStats:
            let reset = try method.params(StatsParams.self, of: request).reset
            return loop.send(.stats(reset: reset), for: connection).flatMapThrowing { outcome in
                guard case .stats(let statistics) = outcome else {
                    throw RPCError.internalError("the loop did not report its figures.")
                }
                return StatsResult(statistics, reset: reset).json
            }
        case .daemonMetrics:
            _ = try method.params(NoParams.self, of: request)
            return metricsText().map {
                MetricsTextResult(contentType: MetricsHTTPServer.contentType, text: $0).json
            }
        case .listMethods:
            _ = try method.params(NoParams.self, of: request)
            return eventLoop.makeSucceededFuture(MethodListResult(availableMethods).json)
        default:
            throw .methodNotFound(method.name)
        }
    }

    /// Every method but the simulator's, which only the simulated pen answers.
    private var availableMethods: [APIMethod] {
        APIMethod.allCases.filter { configuration.backend == .simulated || $0.domain != .simulator }
    }

    private func info() -> JSONValue {
        let limits = view.limitsInForce
        let channels = loop.channels
        let pen = PenBuildResult(
            needleCount: Int64(configuration.needleCount), depthMax: limits.depthMax, strokeRateMin: limits.speedMin,
            strokeRateMax: limits.speedMax,
            depthStepMicrometres: Int64(configuration.pen.depthAxis.micrometresPerStep),
            speedSensor: configuration.pen.speedControl.sensor)
        let counters = LoopCountersResult(
            ticks: channels.ticks.load(ordering: .relaxed), overruns: channels.overruns.load(ordering: .relaxed),
            droppedEvents: channels.droppedEvents.load(ordering: .relaxed),
            droppedSnapshots: channels.droppedSnapshots.load(ordering: .relaxed),
            droppedReplies: channels.droppedReplies.load(ordering: .relaxed))
        let stops = StopCountersResult(
            answeredAtAccept: Int64(channels.stops.answeredAtAccept.load(ordering: .relaxed)),
            unansweredAtAccept: Int64(channels.stops.unansweredAtAccept.load(ordering: .relaxed)))
        let records = penIdentity.map {
            RecordsIdentityResult(
                penID: $0.penID, storeID: $0.storeID, storeNumber: Int64($0.storeNumber),
                storeCreatedAt: $0.storeCreatedAt)
        }
        let configurationFile = view.configurationSource.map {
            ConfigurationFileResult(path: $0.path, sha256: $0.sha256, loadedAt: $0.loadedAt)
        }
        return DaemonInfoResult(
            version: softwareVersion, backend: backendName, tickRateHertz: configuration.tickRateHertz,
            configuration: configurationFile, limits: limits, pen: pen, loop: counters, stops: stops,
            socket: socketFigures?(), records: records
        ).json
    }
}
