/// `session.list`: sessions opened since a time, newest first, a page of `limit` (1 to 1,000; 50).
public struct SessionListParams: MethodParams {
    public static let keys = ["since", "limit"]
    public var since: String?
    public var limit: Int

    public init(since: String? = nil, limit: Int = 50) {
        self.since = since
        self.limit = limit
    }

    public init(reading params: RPCParams) throws(RPCError) {
        since = try params.optionalString("since", meaning: "an ISO 8601 time, e.g. 2026-11-24T00:00:00Z")
        limit = try params.limit(default: 50, in: 1...1000, of: "sessions")
    }

    public var json: JSONValue? {
        var members: [(String, JSONValue)] = []
        if let since { members.append(("since", .string(since))) }
        members.append(("limit", .int(Int64(limit))))
        return .object(members)
    }
}

/// `session.get` and `session.verify`: one session, by its id.
public struct SessionParams: MethodParams {
    public static let keys = ["id"]
    public var id: RecordReference

    public init(id: RecordReference) { self.id = id }

    public init(reading params: RPCParams) throws(RPCError) { id = try params.sessionReference() }

    public var json: JSONValue? { .object([("id", .string(id.text))]) }
}

/// `session.telemetry`: a session's 10 Hz samples after a tick, a page of `limit` (1 to 36,000;
/// 600).
public struct SessionTelemetryParams: MethodParams {
    public static let keys = ["id", "limit", "after"]
    public var id: RecordReference
    public var limit: Int
    /// The last tick already read (-1: from the start).
    public var after: Int64

    public init(id: RecordReference, after: Int64 = -1, limit: Int = 600) {
        self.id = id
        self.after = after
        self.limit = limit
    }

    public init(reading params: RPCParams) throws(RPCError) {
        id = try params.sessionReference()
        limit = try params.limit(default: 600, in: 1...36_000, of: "samples")
        after =
            params["after"] == nil
            ? -1 : try params.requiredInteger("after", meaning: "the last tick already read, for the next page")
    }

    public var json: JSONValue? {
        var members: [(String, JSONValue)] = [("id", .string(id.text))]
        if after >= 0 { members.append(("after", .int(after))) }
        members.append(("limit", .int(Int64(limit))))
        return .object(members)
    }
}

/// `session.export`: one session as a FHIR R4 Bundle (`format` "fhir", the only one).
public struct SessionExportParams: MethodParams {
    public static let keys = ["id", "format"]
    public var id: RecordReference

    public init(id: RecordReference) { self.id = id }

    public init(reading params: RPCParams) throws(RPCError) {
        id = try params.sessionReference()
        let format = try params.requiredString("format", meaning: "the export's format: \"fhir\" (a FHIR R4 Bundle)")
        guard format == "fhir" else {
            throw .invalidParams("\"format\" must be \"fhir\" (a FHIR R4 Bundle), not \"\(format)\".")
        }
    }

    public var json: JSONValue? { .object([("id", .string(id.text)), ("format", "fhir")]) }
}

/// `records.export`: the sessions since a date, a page of `limit` (1 to 200; 20) after a session.
public struct RecordsExportParams: MethodParams {
    public static let keys = ["since", "after", "limit"]
    /// An ISO 8601 date or time (the daemon checks it is one).
    public var since: String
    /// The last session already exported (0: from the start).
    public var after: Int64
    public var limit: Int

    public init(since: String, after: RecordReference? = nil, limit: Int = 20) {
        self.since = since
        self.after = after?.number ?? 0
        afterText = after?.text
        self.limit = limit
    }

    /// The `after` a client wrote, sent as it was written.
    private var afterText: String?

    public init(reading params: RPCParams) throws(RPCError) {
        since = try params.requiredString("since", meaning: "an ISO 8601 date or time, e.g. 2026-01-01")
        let afterReference: RecordReference? = params["after"] == nil ? nil : try params.sessionReference("after")
        after = afterReference?.number ?? 0
        afterText = afterReference?.text
        limit = try params.limit(default: 20, in: 1...200, of: "sessions")
    }

    public var json: JSONValue? {
        var members: [(String, JSONValue)] = [("since", .string(since))]
        if let afterText { members.append(("after", .string(afterText))) }
        members.append(("limit", .int(Int64(limit))))
        return .object(members)
    }
}

/// `fault.list`: the faults, of one session or all, newest first, a page of `limit` (1 to 1,000; 50).
public struct FaultListParams: MethodParams {
    public static let keys = ["session", "limit"]
    public var session: RecordReference?
    public var limit: Int

    public init(session: RecordReference? = nil, limit: Int = 50) {
        self.session = session
        self.limit = limit
    }

    public init(reading params: RPCParams) throws(RPCError) {
        session = params["session"] == nil ? nil : try params.sessionReference("session")
        limit = try params.limit(default: 50, in: 1...1000, of: "faults")
    }

    public var json: JSONValue? {
        var members: [(String, JSONValue)] = []
        if let session { members.append(("session", .string(session.text))) }
        members.append(("limit", .int(Int64(limit))))
        return .object(members)
    }
}

/// `fault.get`: one fault with up to `limit` samples of its flight window (1 to 100,000; all).
public struct FaultGetParams: MethodParams {
    public static let keys = ["id", "limit"]
    public var id: RecordReference
    public var limit: Int

    public init(id: RecordReference, limit: Int = 100_000) {
        self.id = id
        self.limit = limit
    }

    public init(reading params: RPCParams) throws(RPCError) {
        id = try params.faultReference()
        limit = try params.limit(default: 100_000, in: 1...100_000, of: "samples")
    }

    public var json: JSONValue? {
        limit == 100_000
            ? .object([("id", .string(id.text))]) : .object([("id", .string(id.text)), ("limit", .int(Int64(limit)))])
    }
}
