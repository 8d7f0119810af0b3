public import NeedleCore

/// `daemon.info`: what this pen is and how it is set up — the software, the backend, the
/// configuration file it runs, the limits in force and each area's, the pen's build, the loop's
/// and the socket's counters, and the records' identity.
public struct DaemonInfoResult: MethodResult, Equatable {
    public var version: String
    public var backend: String
    public var tickRateHertz: Int64
    /// The file read, or nil: the built-in defaults.
    public var configuration: ConfigurationFileResult?
    public var limits: LimitsResult
    public var areas: [AreaDepthResult]
    public var pen: PenBuildResult
    public var loop: LoopCountersResult
    public var stops: StopCountersResult
    /// nil where no socket serves the daemon (a test's embedded service).
    public var socket: SocketFiguresResult?
    /// nil before the records' store is open.
    public var records: RecordsIdentityResult?

    public init(
        version: String, backend: String, tickRateHertz: Int64, configuration: ConfigurationFileResult?,
        limits: SafetyLimits, pen: PenBuildResult, loop: LoopCountersResult, stops: StopCountersResult,
        socket: SocketFiguresResult?, records: RecordsIdentityResult?
    ) {
        self.version = version
        self.backend = backend
        self.tickRateHertz = tickRateHertz
        self.configuration = configuration
        self.limits = LimitsResult(limits)
        self.areas = TreatmentArea.allCases.map {
            AreaDepthResult(area: $0, depthMax: limits.effectiveDepthMax(in: $0))
        }
        self.pen = pen
        self.loop = loop
        self.stops = stops
        self.socket = socket
        self.records = records
    }

    public var json: JSONValue {
        .object([
            ("version", .string(version)),
            ("backend", .string(backend)),
            ("tickRateHertz", .int(tickRateHertz)),
            ("configuration", configuration?.json ?? .null),
            ("limits", limits.json),
            ("areas", .array(areas.map(\.json))),
            ("pen", pen.json),
            ("loop", loop.json),
            ("stops", stops.json),
            ("socket", socket?.json ?? .null),
            ("records", records?.json ?? .null),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        version = try result.string("version")
        backend = try result.string("backend")
        tickRateHertz = try result.integer("tickRateHertz")
        configuration = try result.nullableDecode("configuration")
        limits = try result.decode("limits")
        areas = try result.list("areas")
        pen = try result.decode("pen")
        loop = try result.decode("loop")
        stops = try result.decode("stops")
        socket = try result.nullableDecode("socket")
        records = try result.nullableDecode("records")
    }
}

/// The configuration file the daemon runs: where, its SHA-256 (compare with `sha256sum`), when read.
public struct ConfigurationFileResult: MethodResult, Equatable {
    public var path: String
    public var sha256: String
    public var loadedAt: String

    public init(path: String, sha256: String, loadedAt: String) {
        self.path = path
        self.sha256 = sha256
        self.loadedAt = loadedAt
    }

    public var json: JSONValue {
        .object([("path", .string(path)), ("sha256", .string(sha256)), ("loadedAt", .string(loadedAt))])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        path = try result.string("path")
        sha256 = try result.string("sha256")
        loadedAt = try result.string("loadedAt")
    }
}

/// One treatment area's depth limit in force (never deeper than the global one).
public struct AreaDepthResult: MethodResult, Equatable {
    public var area: TreatmentArea
    public var depthMax: Micrometres

    public init(area: TreatmentArea, depthMax: Micrometres) {
        self.area = area
        self.depthMax = depthMax
    }

    public var json: JSONValue {
        .object([("area", .string(area.rawValue)), ("maxDepthMicrometres", .int(Int64(depthMax.rawValue)))])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        area = try result.name("area")
        depthMax = Micrometres(try result.integer32("maxDepthMicrometres"))
    }
}

/// The pen as built and configured: needles, depth and stroke-rate range, the depth axis' step
/// and the speed sensor.
public struct PenBuildResult: MethodResult, Equatable {
    public var needleCount: Int64
    public var depthMax: Micrometres
    public var strokeRateMin: Hertz
    public var strokeRateMax: Hertz
    public var depthStepMicrometres: Int64
    public var speedSensor: SpeedSensor

    public init(
        needleCount: Int64, depthMax: Micrometres, strokeRateMin: Hertz, strokeRateMax: Hertz,
        depthStepMicrometres: Int64, speedSensor: SpeedSensor
    ) {
        self.needleCount = needleCount
        self.depthMax = depthMax
        self.strokeRateMin = strokeRateMin
        self.strokeRateMax = strokeRateMax
        self.depthStepMicrometres = depthStepMicrometres
        self.speedSensor = speedSensor
    }

    public var json: JSONValue {
        .object([
            ("needleCount", .int(needleCount)),
            ("maxDepthMicrometres", .int(Int64(depthMax.rawValue))),
            ("strokeRateHertz", .object([("min", strokeRateMin.json), ("max", strokeRateMax.json)])),
            ("depthStepMicrometres", .int(depthStepMicrometres)),
            ("speedSensor", Self.sensorJSON(speedSensor)),
        ])
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

    public init(reading result: ResultReader) throws(ResultShapeError) {
        needleCount = try result.integer("needleCount")
        depthMax = Micrometres(try result.integer32("maxDepthMicrometres"))
        let rate = try result.object("strokeRateHertz")
        strokeRateMin = try rate.hertz("min")
        strokeRateMax = try rate.hertz("max")
        depthStepMicrometres = try result.integer("depthStepMicrometres")
        let sensor = try result.object("speedSensor")
        switch try sensor.string("kind") {
        case "quadrature": speedSensor = .quadrature(countsPerRevolution: try Self.count(sensor, "countsPerRevolution"))
        case "tachometer": speedSensor = .tachometer(pulsesPerRevolution: try Self.count(sensor, "pulsesPerRevolution"))
        case let kind:
            throw ResultShapeError(
                method: result.method, field: "speedSensor.kind", expected: "quadrature or tachometer",
                found: .string(kind))
        }
    }

    private static func count(_ sensor: ResultReader, _ key: String) throws(ResultShapeError) -> Int32 {
        try sensor.integer32(key)
    }
}

/// The loop's counters since start: ticks, overruns, and what the socket side could not take.
public struct LoopCountersResult: MethodResult, Equatable {
    public var ticks: Int64
    public var overruns: Int64
    public var droppedEvents: Int64
    public var droppedSnapshots: Int64
    public var droppedReplies: Int64

    public init(ticks: Int64, overruns: Int64, droppedEvents: Int64, droppedSnapshots: Int64, droppedReplies: Int64) {
        self.ticks = ticks
        self.overruns = overruns
        self.droppedEvents = droppedEvents
        self.droppedSnapshots = droppedSnapshots
        self.droppedReplies = droppedReplies
    }

    public var json: JSONValue {
        .object([
            ("ticks", .int(ticks)), ("overruns", .int(overruns)), ("droppedEvents", .int(droppedEvents)),
            ("droppedSnapshots", .int(droppedSnapshots)), ("droppedReplies", .int(droppedReplies)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        ticks = try result.integer("ticks")
        overruns = try result.integer("overruns")
        droppedEvents = try result.integer("droppedEvents")
        droppedSnapshots = try result.integer("droppedSnapshots")
        droppedReplies = try result.integer("droppedReplies")
    }
}

/// Stops answered by the socket's acceptor before a connection was registered, and those it could
/// not answer there.
public struct StopCountersResult: MethodResult, Equatable {
    public var answeredAtAccept: Int64
    public var unansweredAtAccept: Int64

    public init(answeredAtAccept: Int64, unansweredAtAccept: Int64) {
        self.answeredAtAccept = answeredAtAccept
        self.unansweredAtAccept = unansweredAtAccept
    }

    public var json: JSONValue {
        .object([("answeredAtAccept", .int(answeredAtAccept)), ("unansweredAtAccept", .int(unansweredAtAccept))])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        answeredAtAccept = try result.integer("answeredAtAccept")
        unansweredAtAccept = try result.integer("unansweredAtAccept")
    }
}

/// The socket's connections and slots now, and the connections it refused.
public struct SocketFiguresResult: MethodResult, Equatable {
    public var connectionsOpen: Int64
    public var slotsHeld: Int64
    public var slotsHeldReadOnly: Int64
    public var connectionsMax: Int64
    public var refusedBusy: Int64
    public var refusedUnauthorized: Int64

    public init(
        connectionsOpen: Int64, slotsHeld: Int64, slotsHeldReadOnly: Int64, connectionsMax: Int64, refusedBusy: Int64,
        refusedUnauthorized: Int64
    ) {
        self.connectionsOpen = connectionsOpen
        self.slotsHeld = slotsHeld
        self.slotsHeldReadOnly = slotsHeldReadOnly
        self.connectionsMax = connectionsMax
        self.refusedBusy = refusedBusy
        self.refusedUnauthorized = refusedUnauthorized
    }

    public var json: JSONValue {
        .object([
            ("connectionsOpen", .int(connectionsOpen)), ("slotsHeld", .int(slotsHeld)),
            ("slotsHeldReadOnly", .int(slotsHeldReadOnly)), ("maxConnections", .int(connectionsMax)),
            ("refusedBusy", .int(refusedBusy)), ("refusedUnauthorized", .int(refusedUnauthorized)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        connectionsOpen = try result.integer("connectionsOpen")
        slotsHeld = try result.integer("slotsHeld")
        slotsHeldReadOnly = try result.integer("slotsHeldReadOnly")
        connectionsMax = try result.integer("maxConnections")
        refusedBusy = try result.integer("refusedBusy")
        refusedUnauthorized = try result.integer("refusedUnauthorized")
    }
}

/// The records' identity: the pen, its store, and when the store was made.
public struct RecordsIdentityResult: MethodResult, Equatable {
    public var penID: String
    public var storeID: String
    public var storeNumber: Int64
    public var storeCreatedAt: String

    public init(penID: String, storeID: String, storeNumber: Int64, storeCreatedAt: String) {
        self.penID = penID
        self.storeID = storeID
        self.storeNumber = storeNumber
        self.storeCreatedAt = storeCreatedAt
    }

    public var json: JSONValue {
        .object([
            ("penID", .string(penID)), ("storeID", .string(storeID)), ("storeNumber", .int(storeNumber)),
            ("storeCreatedAt", .string(storeCreatedAt)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        penID = try result.string("penID")
        storeID = try result.string("storeID")
        storeNumber = try result.integer("storeNumber")
        storeCreatedAt = try result.string("storeCreatedAt")
    }
}
