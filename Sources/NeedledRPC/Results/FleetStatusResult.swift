/// Where the pen stands with the clinic's fleet (`pen.status`'s `fleet`, present only with
/// `[fleet]`): whether its server answered the last question, how far behind the pen is (what
/// it has not yet had confirmed, and since when), and the cartridges found used on two pens.
public struct FleetStatusResult: MethodResult, Equatable {
    public var reachable: Bool
    /// `refuse` or `local`: what the pen does with a cartridge while the fleet is unreachable.
    public var offlineCartridges: String
    /// When the server last answered (ISO 8601), or nil: never since the daemon started.
    public var lastContact: String?
    /// Why the last question went unanswered, while unreachable.
    public var lastError: String?
    /// Records (cartridge bindings) the fleet has not confirmed yet.
    public var behindRecords: Int64
    /// How long the oldest of them has waited.
    public var behindSeconds: Int64
    public var conflictCount: Int64
    /// The newest conflicts (at most 10), oldest first.
    public var conflicts: [FleetConflictResult]

    public static let conflictsShown = 10

    public init(
        reachable: Bool, offlineCartridges: String, lastContact: String?, lastError: String?, behindRecords: Int64,
        behindSeconds: Int64, conflictCount: Int64, conflicts: [FleetConflictResult]
    ) {
        self.reachable = reachable
        self.offlineCartridges = offlineCartridges
        self.lastContact = lastContact
        self.lastError = lastError
        self.behindRecords = behindRecords
        self.behindSeconds = behindSeconds
        self.conflictCount = conflictCount
        self.conflicts = conflicts
    }

    public var json: JSONValue {
        .object([
            ("reachable", .bool(reachable)),
            ("offlineCartridges", .string(offlineCartridges)),
            ("lastContact", .nullable(lastContact)),
            ("lastError", .nullable(lastError)),
            ("behindRecords", .int(behindRecords)),
            ("behindSeconds", .int(behindSeconds)),
            ("conflictCount", .int(conflictCount)),
            ("conflicts", .array(conflicts.map(\.json))),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        reachable = try result.bool("reachable")
        offlineCartridges = try result.string("offlineCartridges")
        lastContact = try result.nullableString("lastContact")
        lastError = try result.nullableString("lastError")
        behindRecords = try result.integer("behindRecords")
        behindSeconds = try result.integer("behindSeconds")
        conflictCount = try result.integer("conflictCount")
        conflicts = try result.list("conflicts")
    }
}

/// One cartridge used for a session here and for another pen's session too.
public struct FleetConflictResult: MethodResult, Equatable {
    public var cartridge: String
    /// This pen's session (its id, `S-0003`), or nil when the ledger no longer names one.
    public var session: String?
    public var otherPen: String
    public var otherSession: String
    public var foundAt: String

    public init(cartridge: String, session: String?, otherPen: String, otherSession: String, foundAt: String) {
        self.cartridge = cartridge
        self.session = session
        self.otherPen = otherPen
        self.otherSession = otherSession
        self.foundAt = foundAt
    }

    public var json: JSONValue {
        .object([
            ("cartridge", .string(cartridge)), ("session", .nullable(session)), ("otherPen", .string(otherPen)),
            ("otherSession", .string(otherSession)), ("foundAt", .string(foundAt)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        cartridge = try result.string("cartridge")
        session = try result.nullableString("session")
        otherPen = try result.string("otherPen")
        otherSession = try result.string("otherSession")
        foundAt = try result.string("foundAt")
    }
}
