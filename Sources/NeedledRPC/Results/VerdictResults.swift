/// `session.verify`: a session's record chain recomputed from its rows — intact (or open, its
/// chain good so far), recorded before chaining, or broken at the first record that differs.
public struct SessionVerdictResult: MethodResult, Equatable {
    public var session: String
    public var recordID: String?
    /// intact, open, notChained or broken.
    public var state: String
    public var intact: Bool
    public var links: Int64
    public var firstDifference: String?

    public init(session: String, recordID: String?, state: String, intact: Bool, links: Int64, firstDifference: String?)
    {
        self.session = session
        self.recordID = recordID
        self.state = state
        self.intact = intact
        self.links = links
        self.firstDifference = firstDifference
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("session", .string(session)),
            ("recordID", .nullable(recordID)),
            ("state", .string(state)),
            ("intact", .bool(intact)),
            ("links", .int(links)),
            ("firstDifference", .nullable(firstDifference)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        session = try result.string("session")
        recordID = try result.nullableString("recordID")
        state = try result.string("state")
        intact = try result.bool("intact")
        links = try result.integer("links")
        firstDifference = try result.nullableString("firstDifference")
    }
}

/// `records.verify`: every session's chain, counted by verdict; the broken ones named.
public struct RecordsVerdictResult: MethodResult, Equatable {
    public var intact: Bool
    public var sessions: Int64
    public var counts: VerdictCountsResult
    public var broken: [SessionVerdictResult]

    public init(intact: Bool, sessions: Int64, counts: VerdictCountsResult, broken: [SessionVerdictResult]) {
        self.intact = intact
        self.sessions = sessions
        self.counts = counts
        self.broken = broken
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("intact", .bool(intact)),
            ("sessions", .int(sessions)),
            ("counts", counts.json),
            ("broken", .array(broken.map(\.json))),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        intact = try result.bool("intact")
        sessions = try result.integer("sessions")
        counts = try result.decode("counts")
        broken = try result.list("broken")
    }
}

/// How many sessions' chains are intact, open, recorded before chaining, and broken.
public struct VerdictCountsResult: MethodResult, Equatable {
    public var intact: Int64
    public var open: Int64
    public var notChained: Int64
    public var broken: Int64

    public init(intact: Int64, open: Int64, notChained: Int64, broken: Int64) {
        self.intact = intact
        self.open = open
        self.notChained = notChained
        self.broken = broken
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("intact", .int(intact)),
            ("open", .int(open)),
            ("notChained", .int(notChained)),
            ("broken", .int(broken)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        intact = try result.integer("intact")
        open = try result.integer("open")
        notChained = try result.integer("notChained")
        broken = try result.integer("broken")
    }
}
