public import NeedleCore

/// `pen.status`, and what every `telemetry` notification carries: the pen's state, targets and
/// limit now, the latched fault, the cartridge in the slot, the open session and the records'
/// health.
public struct PenStatusResult: MethodResult, Equatable {
    public var state: PenPhase
    public var homed: Bool
    public var depth: Micrometres
    public var depthTarget: Micrometres
    public var speed: Hertz
    public var speedTarget: Hertz
    /// The deepest the pen may go now: the global limit, or the open session's area's.
    public var depthMax: Micrometres
    public var motorEnabled: Bool
    public var temperature: MilliCelsius
    public var fault: LatchedFaultResult?
    public var cartridge: CartridgeInSlotResult?
    public var session: OpenSessionResult?
    public var tick: TickIndex
    /// False: the records cannot be written, and the pen does not treat until they can.
    public var recordsWritable: Bool
    public var recordsFillPercent: Int64
    public var recordsWarning: String?
    /// The clinic's fleet, with `[fleet]` only: without one the member is absent, as before.
    public var fleet: FleetStatusResult?

    public init(
        state: PenPhase, homed: Bool, depth: Micrometres, depthTarget: Micrometres, speed: Hertz, speedTarget: Hertz,
        depthMax: Micrometres, motorEnabled: Bool, temperature: MilliCelsius, fault: LatchedFaultResult?,
        cartridge: CartridgeInSlotResult?, session: OpenSessionResult?, tick: TickIndex, recordsWritable: Bool,
        recordsFillPercent: Int64, recordsWarning: String?, fleet: FleetStatusResult? = nil
    ) {
        self.state = state
        self.homed = homed
        self.depth = depth
        self.depthTarget = depthTarget
        self.speed = speed
        self.speedTarget = speedTarget
        self.depthMax = depthMax
        self.motorEnabled = motorEnabled
        self.temperature = temperature
        self.fault = fault
        self.cartridge = cartridge
        self.session = session
        self.tick = tick
        self.recordsWritable = recordsWritable
        self.recordsFillPercent = recordsFillPercent
        self.recordsWarning = recordsWarning
        self.fleet = fleet
    }

    public var json: JSONValue {
        .object(
            [
                ("state", .string(state.rawValue)),
                ("homed", .bool(homed)),
                ("depthMicrometres", .int(Int64(depth.rawValue))),
                ("depthTargetMicrometres", .int(Int64(depthTarget.rawValue))),
                ("speedHertz", speed.json),
                ("speedTargetHertz", speedTarget.json),
                ("maxDepthMicrometres", .int(Int64(depthMax.rawValue))),
                ("motorEnabled", .bool(motorEnabled)),
                ("temperatureMillicelsius", .int(Int64(temperature.rawValue))),
                ("fault", fault?.json ?? .null),
                ("cartridge", cartridge?.json ?? .null),
                ("session", session?.json ?? .null),
                ("tick", .int(tick.rawValue)),
                ("recordsWritable", .bool(recordsWritable)),
                ("recordsFillPercent", .int(recordsFillPercent)),
                ("recordsWarning", .nullable(recordsWarning)),
            ] + (fleet.map { [("fleet", $0.json)] } ?? []))
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        state = try result.name("state")
        homed = try result.bool("homed")
        depth = Micrometres(try result.integer32("depthMicrometres"))
        depthTarget = Micrometres(try result.integer32("depthTargetMicrometres"))
        speed = try result.hertz("speedHertz")
        speedTarget = try result.hertz("speedTargetHertz")
        depthMax = Micrometres(try result.integer32("maxDepthMicrometres"))
        motorEnabled = try result.bool("motorEnabled")
        temperature = MilliCelsius(try result.integer32("temperatureMillicelsius"))
        fault = try result.nullableDecode("fault")
        cartridge = try result.nullableDecode("cartridge")
        session = try result.nullableDecode("session")
        tick = TickIndex(try result.integer("tick"))
        recordsWritable = try result.bool("recordsWritable")
        recordsFillPercent = try result.integer("recordsFillPercent")
        recordsWarning = try result.optionalString("recordsWarning")
        fleet = try result.optionalDecode("fleet")
    }
}

/// The fault the pen holds until a reset: its code, what it says, the tick that latched it and
/// what the technician should do.
public struct LatchedFaultResult: MethodResult, Equatable {
    public var code: FaultCode
    public var message: String
    public var tick: TickIndex

    public init(_ fault: Fault) {
        self.code = fault.code
        self.message = fault.message
        self.tick = fault.tick
    }

    public var action: String { code.technicianAction }

    public var json: JSONValue {
        .object([
            ("code", .string(code.rawValue)), ("message", .string(message)), ("tick", .int(tick.rawValue)),
            ("action", .string(action)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        code = try result.name("code")
        message = try result.string("message")
        tick = TickIndex(try result.integer("tick"))
        _ = try result.string("action")
    }
}

/// The cartridge in the slot: its serial where the ID chip gave one, and whether the open
/// session accepted it.
public struct CartridgeInSlotResult: MethodResult, Equatable {
    public var serial: String?
    public var accepted: Bool

    public init(serial: String?, accepted: Bool) {
        self.serial = serial
        self.accepted = accepted
    }

    public var json: JSONValue {
        .object([("serial", .nullable(serial)), ("accepted", .bool(accepted))])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        serial = try result.nullableString("serial")
        accepted = try result.bool("accepted")
    }
}

/// The open treatment session as `pen.status` and `session.open` show it: its area's depth
/// limit, how long it has run and how long its cartridge has been used.
public struct OpenSessionResult: MethodResult, Equatable {
    public var id: String
    public var area: TreatmentArea
    public var cartridge: String
    public var reference: String?
    public var openedAt: String
    public var depthMax: Micrometres
    public var expired: Bool
    public var strokes: Int64
    public var elapsedSeconds: Int64
    public var cartridgeUseSeconds: Int64
    public var cartridgeUseMaxSeconds: Int64

    public init(
        id: String, area: TreatmentArea, cartridge: String, reference: String?, openedAt: String,
        depthMax: Micrometres, expired: Bool, strokes: Int64, elapsedSeconds: Int64, cartridgeUseSeconds: Int64,
        cartridgeUseMaxSeconds: Int64
    ) {
        self.id = id
        self.area = area
        self.cartridge = cartridge
        self.reference = reference
        self.openedAt = openedAt
        self.depthMax = depthMax
        self.expired = expired
        self.strokes = strokes
        self.elapsedSeconds = elapsedSeconds
        self.cartridgeUseSeconds = cartridgeUseSeconds
        self.cartridgeUseMaxSeconds = cartridgeUseMaxSeconds
    }

    public var json: JSONValue {
        .object([
            ("id", .string(id)),
            ("area", .string(area.rawValue)),
            ("cartridge", .string(cartridge)),
            ("reference", .nullable(reference)),
            ("openedAt", .string(openedAt)),
            ("maxDepthMicrometres", .int(Int64(depthMax.rawValue))),
            ("expired", .bool(expired)),
            ("strokes", .int(strokes)),
            ("elapsedSeconds", .int(elapsedSeconds)),
            ("cartridgeUseSeconds", .int(cartridgeUseSeconds)),
            ("maxCartridgeUseSeconds", .int(cartridgeUseMaxSeconds)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        id = try result.string("id")
        area = try result.name("area")
        cartridge = try result.string("cartridge")
        reference = try result.nullableString("reference")
        openedAt = try result.string("openedAt")
        depthMax = Micrometres(try result.integer32("maxDepthMicrometres"))
        expired = try result.bool("expired")
        strokes = try result.integer("strokes")
        elapsedSeconds = try result.integer("elapsedSeconds")
        cartridgeUseSeconds = try result.integer("cartridgeUseSeconds")
        cartridgeUseMaxSeconds = try result.integer("maxCartridgeUseSeconds")
    }
}
