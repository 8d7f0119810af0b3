import NIOCore
import NeedleCore
import NeedledConfig
import NeedledLoop
import NeedledRPC
import NeedledStore

/// The daemon's methods: `daemon.info` (what this pen is and how it is set up), `daemon.stats`
/// (the loop's figures, from the loop) and `rpc.listMethods` (what this daemon answers).
struct DaemonMethods {
    let eventLoop: any EventLoop
    let view: PenView
    let loop: LoopClient
    let configuration: DaemonConfiguration
    let backendName: String
    let softwareVersion: String
    /// The socket's connections and slots, from the server (read for `daemon.info` only).
    let socketFigures: (@Sendable () -> JSONValue)?
    let penIdentity: PenIdentity?

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
                return StatusJSON.statistics(statistics, reset: reset)
            }
        case .listMethods:
            _ = try method.params(NoParams.self, of: request)
            return eventLoop.makeSucceededFuture(.array(availableMethods.map { .string($0.name) }))
        default:
            throw .methodNotFound(method.name)
        }
    }

    /// Every method but the simulator's, which only the simulated pen answers.
    private var availableMethods: [APIMethod] {
        APIMethod.allCases.filter { configuration.backend == .simulated || $0.domain != .simulator }
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
        let limits = view.limitsInForce
        let channels = loop.channels
        return .object([
            ("version", .string(softwareVersion)),
            ("backend", .string(backendName)),
            ("tickRateHertz", .int(configuration.tickRateHertz)),
            ("configuration", view.configurationSource?.json ?? .null),
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
