public import NeedleCore

/// A treatment session as the records keep it (`session.list`'s elements; `session.get` adds
/// its events): its local id ("S-0001") and the id unique across pens and stores, what was
/// treated with what, when, for how long, and the limits it ran under.
public struct SessionRecordResult: MethodResult, Equatable {
    public var id: String
    /// The id unique across pens and stores; nil before the store had an identity.
    public var recordID: String?
    /// As recorded (an area a later release renamed stays as it was).
    public var area: String
    public var cartridge: String
    public var reference: String?
    public var openedAt: String
    /// nil while the session is open.
    public var closedAt: String?
    public var closeReason: String?
    public var softwareVersion: String
    public var openedTick: Int64?
    public var closedTick: Int64?
    public var tickPeriodMicroseconds: Int64?
    public var durationSeconds: Double?
    public var strokes: Int64
    /// The limits in force when it opened, exactly as recorded then (null for sessions recorded before limits were).
    public var limits: JSONValue
    public var configurationSHA256: String?
    public var exportedAt: String?
    public var telemetryPrunedAt: String?

    public init(
        id: String, recordID: String?, area: String, cartridge: String, reference: String?, openedAt: String,
        closedAt: String?, closeReason: String?, softwareVersion: String, openedTick: Int64?, closedTick: Int64?,
        tickPeriodMicroseconds: Int64?, durationSeconds: Double?, strokes: Int64, limits: JSONValue,
        configurationSHA256: String?, exportedAt: String?, telemetryPrunedAt: String?
    ) {
        self.id = id
        self.recordID = recordID
        self.area = area
        self.cartridge = cartridge
        self.reference = reference
        self.openedAt = openedAt
        self.closedAt = closedAt
        self.closeReason = closeReason
        self.softwareVersion = softwareVersion
        self.openedTick = openedTick
        self.closedTick = closedTick
        self.tickPeriodMicroseconds = tickPeriodMicroseconds
        self.durationSeconds = durationSeconds
        self.strokes = strokes
        self.limits = limits
        self.configurationSHA256 = configurationSHA256
        self.exportedAt = exportedAt
        self.telemetryPrunedAt = telemetryPrunedAt
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("id", .string(id)),
            ("recordID", .nullable(recordID)),
            ("area", .string(area)),
            ("cartridge", .string(cartridge)),
            ("reference", .nullable(reference)),
            ("openedAt", .string(openedAt)),
            ("closedAt", .nullable(closedAt)),
            ("closeReason", .nullable(closeReason)),
            ("softwareVersion", .string(softwareVersion)),
            ("openedTick", .nullable(openedTick)),
            ("closedTick", .nullable(closedTick)),
            ("tickPeriodMicroseconds", .nullable(tickPeriodMicroseconds)),
            ("durationSeconds", .nullable(durationSeconds)),
            ("strokes", .int(strokes)),
            ("limits", limits),
            ("configurationSHA256", .nullable(configurationSHA256)),
            ("exportedAt", .nullable(exportedAt)),
            ("telemetryPrunedAt", .nullable(telemetryPrunedAt)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        id = try result.string("id")
        recordID = try result.nullableString("recordID")
        area = try result.string("area")
        cartridge = try result.string("cartridge")
        reference = try result.nullableString("reference")
        openedAt = try result.string("openedAt")
        closedAt = try result.nullableString("closedAt")
        closeReason = try result.nullableString("closeReason")
        softwareVersion = try result.string("softwareVersion")
        openedTick = try result.nullableInteger("openedTick")
        closedTick = try result.nullableInteger("closedTick")
        tickPeriodMicroseconds = try result.nullableInteger("tickPeriodMicroseconds")
        durationSeconds = try result.nullableNumber("durationSeconds")
        strokes = try result.integer("strokes")
        limits = try result.value("limits")
        configurationSHA256 = try result.nullableString("configurationSHA256")
        exportedAt = try result.nullableString("exportedAt")
        telemetryPrunedAt = try result.nullableString("telemetryPrunedAt")
    }
}

/// `session.get`: a session's record and its events, oldest first (one object on the wire).
public struct SessionDetailResult: MethodResult, Equatable {
    public var session: SessionRecordResult
    public var events: [RecordedEventResult]

    public init(session: SessionRecordResult, events: [RecordedEventResult]) {
        self.session = session
        self.events = events
    }

    public var json: JSONValue { session.json.appending("events", .array(events.map(\.json))) }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        session = try SessionRecordResult(reading: result)
        events = try result.list("events")
    }
}

/// A recorded event: its tick (monotonic), wall-clock time, kind, and what it carried (as
/// recorded, so an event of an older release reads as it was written).
public struct RecordedEventResult: MethodResult, Equatable {
    public var tick: Int64
    public var wallTime: String
    public var kind: String
    public var detail: JSONValue

    public init(tick: Int64, wallTime: String, kind: String, detail: JSONValue) {
        self.tick = tick
        self.wallTime = wallTime
        self.kind = kind
        self.detail = detail
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("tick", .int(tick)),
            ("wallTime", .string(wallTime)),
            ("kind", .string(kind)),
            ("detail", detail),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        tick = try result.integer("tick")
        wallTime = try result.string("wallTime")
        kind = try result.string("kind")
        detail = try result.value("detail")
    }
}

/// One of a session's telemetry samples (`session.telemetry`, 10 a second while it runs).
public struct TelemetrySampleResult: MethodResult, Equatable {
    public var tick: Int64
    public var state: String
    public var depthMicrometres: Int64
    public var depthTargetMicrometres: Int64
    public var speed: Hertz
    public var speedTarget: Hertz
    public var strokes: Int64

    public init(
        tick: Int64, state: String, depthMicrometres: Int64, depthTargetMicrometres: Int64, speed: Hertz,
        speedTarget: Hertz, strokes: Int64
    ) {
        self.tick = tick
        self.state = state
        self.depthMicrometres = depthMicrometres
        self.depthTargetMicrometres = depthTargetMicrometres
        self.speed = speed
        self.speedTarget = speedTarget
        self.strokes = strokes
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("tick", .int(tick)),
            ("state", .string(state)),
            ("depthMicrometres", .int(depthMicrometres)),
            ("depthTargetMicrometres", .int(depthTargetMicrometres)),
            ("speedHertz", speed.json),
            ("speedTargetHertz", speedTarget.json),
            ("strokes", .int(strokes)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        tick = try result.integer("tick")
        state = try result.string("state")
        depthMicrometres = try result.integer("depthMicrometres")
        depthTargetMicrometres = try result.integer("depthTargetMicrometres")
        speed = try result.hertz("speedHertz")
        speedTarget = try result.hertz("speedTargetHertz")
        strokes = try result.integer("strokes")
    }
}
