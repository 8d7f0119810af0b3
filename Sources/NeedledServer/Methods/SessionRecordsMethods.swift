import NIOCore
import NeedledRPC
import NeedledStore

/// `session.list`, `session.get`, `session.telemetry`, `session.verify`, `records.verify`,
/// `session.export` and `records.export`: the treatment records, read from the store off the
/// event loop. Records carry an id unique across pens and stores, beside the local "S-0001".
struct SessionRecordsMethods {
    let store: TreatmentStore
    let eventLoop: any EventLoop
    let exporter: RecordsExporter
    let recordIDPrefix: String?

    func handle(_ method: APIMethod, _ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        let prefix = recordIDPrefix
        switch method {
        case .sessionList:
            let params = try RPCParams(request, allowed: ["since", "limit"])
            let since = try params.optionalString("since", meaning: "an ISO 8601 time, e.g. 2026-11-24T00:00:00Z")
            let limit = try params.limit(default: 50, in: 1...1000, of: "sessions")
            return eventLoop.makeFutureWithTask {
                .array(
                    try await store.sessions(since: since, limit: limit).map {
                        StatusJSON.session($0, recordIDPrefix: prefix)
                    })
            }.flatMapErrorThrowing { throw RPCError.internalError("the records could not be read (\($0)).") }
        case .sessionGet:
            let params = try RPCParams(request, allowed: ["id"])
            let (text, id) = try sessionID(params)
            return storedRecord(
                on: eventLoop,
                named: "session \(text)", text: text,
                fetch: { (try await store.session(id: id), try await store.events(session: id, limit: 1000)) },
                json: { StatusJSON.session($0, recordIDPrefix: prefix) }, childrenKey: "events",
                childJSON: StatusJSON.event)
        case .sessionVerify:
            let params = try RPCParams(request, allowed: ["id"])
            let (text, id) = try sessionID(params)
            return eventLoop.makeFutureWithTask { try await store.verifySession(id: id) }.flatMapThrowing { verdict in
                guard let verdict else {
                    throw RPCError(
                        code: -32602, message: "Invalid params: no session \(text).",
                        data: .object([("id", .string(text))]))
                }
                return StatusJSON.verdict(verdict, recordIDPrefix: prefix)
            }
        case .recordsVerify:
            _ = try RPCParams(request, allowed: [])
            return eventLoop.makeFutureWithTask {
                StatusJSON.verdict(try await store.verifyRecords(), recordIDPrefix: prefix)
            }.flatMapErrorThrowing { error in
                if let error = error as? RPCError { throw error }
                throw RPCError.internalError("the records could not be read (\(error)).")
            }
        case .sessionExport:
            let params = try RPCParams(request, allowed: ["id", "format"])
            let (text, id) = try sessionID(params)
            let format = try params.requiredString(
                "format", meaning: "the export's format: \"fhir\" (a FHIR R4 Bundle)")
            guard format == "fhir" else {
                throw .invalidParams("\"format\" must be \"fhir\" (a FHIR R4 Bundle), not \"\(format)\".")
            }
            return exporter.bundle(session: id, named: text)
        case .recordsExport:
            let params = try RPCParams(request, allowed: ["since", "after", "limit"])
            let since = try params.requiredString("since", meaning: "an ISO 8601 date or time, e.g. 2026-01-01")
            guard RecordsExporter.isISODate(since) else {
                throw .invalidParams("\"since\" must be an ISO 8601 date or time such as 2026-01-01, not \"\(since)\".")
            }
            let after: Int64 = params["after"] == nil ? 0 : try sessionID(params, key: "after").id
            let limit = try params.limit(default: 20, in: 1...200, of: "sessions")
            return exporter.page(since: since, after: after, limit: limit)
        case .sessionTelemetry:
            let params = try RPCParams(request, allowed: ["id", "limit", "after"])
            let (_, id) = try sessionID(params)
            let limit = try params.limit(default: 600, in: 1...36_000, of: "samples")
            let after =
                params["after"] == nil
                ? -1 : try params.requiredInteger("after", meaning: "the last tick already read, for the next page")
            return eventLoop.makeFutureWithTask {
                .array(
                    try await store.telemetry(session: id, afterTick: after, limit: limit).map(StatusJSON.sample))
            }
        default: throw .methodNotFound(request.method)  // routed here only for its own methods
        }
    }
}

/// A session id param ("S-0001", or its number), or the invalid-params error naming the key.
func sessionID(_ params: RPCParams, key: String = "id") throws(RPCError) -> (text: String, id: Int64) {
    let text = try params.requiredString(key, meaning: "a session id such as S-0001")
    guard let id = Int64(text.hasPrefix("S-") ? String(text.dropFirst(2)) : text) else {
        throw .invalidParams("\"\(key)\" must be a session id such as S-0001, not \"\(text)\".")
    }
    return (text, id)
}

/// One stored record with its children (a session's events, a fault's samples), or the
/// invalid-params error naming what does not exist.
func storedRecord<Row: Sendable, Child: Sendable>(
    on eventLoop: any EventLoop, named name: String, text: String,
    fetch: @escaping @Sendable () async throws -> (Row?, [Child]), json: @escaping @Sendable (Row) -> JSONValue,
    childrenKey: String, childJSON: @escaping @Sendable (Child) -> JSONValue
) -> EventLoopFuture<JSONValue> {
    eventLoop.makeFutureWithTask(fetch).flatMapThrowing { row, children in
        guard let row else {
            throw RPCError(
                code: -32602, message: "Invalid params: no \(name).", data: .object([("id", .string(text))]))
        }
        guard case .object(var members) = json(row) else { return .null }
        members.append((childrenKey, .array(children.map(childJSON))))
        return .object(members)
    }
}
