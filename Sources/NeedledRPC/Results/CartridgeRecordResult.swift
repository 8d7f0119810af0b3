/// A single-use cartridge in the ledger (`cartridge.register`, `cartridge.get`, and
/// `cartridge.list`'s elements): what it is, and the session it served, once it has.
public struct CartridgeRecordResult: MethodResult, Equatable {
    public var serial: String
    public var needles: Int64
    public var lot: String?
    public var expires: String?
    public var registeredAt: String
    /// The session it served; nil: unused.
    public var session: String?
    public var firstUsedAt: String?
    public var useEndedAt: String?
    public var useEndReason: String?

    public init(
        serial: String, needles: Int64, lot: String?, expires: String?, registeredAt: String, session: String?,
        firstUsedAt: String?, useEndedAt: String?, useEndReason: String?
    ) {
        self.serial = serial
        self.needles = needles
        self.lot = lot
        self.expires = expires
        self.registeredAt = registeredAt
        self.session = session
        self.firstUsedAt = firstUsedAt
        self.useEndedAt = useEndedAt
        self.useEndReason = useEndReason
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("serial", .string(serial)),
            ("needles", .int(needles)),
            ("lot", .nullable(lot)),
            ("expires", .nullable(expires)),
            ("registeredAt", .string(registeredAt)),
            ("session", .nullable(session)),
            ("firstUsedAt", .nullable(firstUsedAt)),
            ("useEndedAt", .nullable(useEndedAt)),
            ("useEndReason", .nullable(useEndReason)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        serial = try result.string("serial")
        needles = try result.integer("needles")
        lot = try result.nullableString("lot")
        expires = try result.nullableString("expires")
        registeredAt = try result.string("registeredAt")
        session = try result.nullableString("session")
        firstUsedAt = try result.nullableString("firstUsedAt")
        useEndedAt = try result.nullableString("useEndedAt")
        useEndReason = try result.nullableString("useEndReason")
    }
}
