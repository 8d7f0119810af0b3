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
            let params = try method.params(SessionListParams.self, of: request)
            let (since, limit) = (params.since, params.limit)
            return eventLoop.makeFutureWithTask {
                ListResult(
                    try await store.sessions(since: since, limit: limit).map {
                        SessionRecordResult($0, recordIDPrefix: prefix)
                    }
                ).json
            }.flatMapErrorThrowing { throw RPCError.internalError("the records could not be read (\($0)).") }
        case .sessionGet:
            let session = try method.params(SessionParams.self, of: request).id
            let (text, id) = (session.text, session.number)
            return storedRecord(
                on: eventLoop,
                named: "session \(text)", text: text,
                fetch: { (try await store.session(id: id), try await store.events(session: id, limit: 1000)) },
                result: { row, events in
                    SessionDetailResult(
                        session: SessionRecordResult(row, recordIDPrefix: prefix),
                        events: events.map(RecordedEventResult.init))
                })
        case .sessionVerify:
            let session = try method.params(SessionParams.self, of: request).id
            let (text, id) = (session.text, session.number)
            return eventLoop.makeFutureWithTask { try await store.verifySession(id: id) }.flatMapThrowing { verdict in
                guard let verdict else {
                    throw RPCError(
                        code: -32602, message: "Invalid params: no session \(text).",
                        data: .object([("id", .string(text))]))
                }
                return SessionVerdictResult(verdict, recordIDPrefix: prefix).json
            }
        case .recordsVerify:
            _ = try method.params(NoParams.self, of: request)
            return eventLoop.makeFutureWithTask {
                RecordsVerdictResult(try await store.verifyRecords(), recordIDPrefix: prefix).json
            }.flatMapErrorThrowing { error in
                if let error = error as? RPCError { throw error }
                throw RPCError.internalError("the records could not be read (\(error)).")
            }
        case .sessionExport:
            let session = try method.params(SessionExportParams.self, of: request).id
            return exporter.bundle(session: session.number, named: session.text)
        case .recordsExport:
            let params = try method.params(RecordsExportParams.self, of: request)
            guard RecordsExporter.isISODate(params.since) else {
                throw .invalidParams(
                    "\"since\" must be an ISO 8601 date or time such as 2026-01-01, not \"\(params.since)\".")
            }
            return exporter.page(since: params.since, after: params.after, limit: params.limit)
        case .sessionTelemetry:
            let params = try method.params(SessionTelemetryParams.self, of: request)
            let (id, limit, after) = (params.id.number, params.limit, params.after)
            return eventLoop.makeFutureWithTask {
                ListResult(
                    try await store.telemetry(session: id, afterTick: after, limit: limit).map(
                        TelemetrySampleResult.init)
                ).json
            }
        default: throw .methodNotFound(request.method)  // routed here only for its own methods
        }
    }
}

/// One stored record with its children (a session's events, a fault's samples), or the
/// invalid-params error naming what does not exist.
func storedRecord<Row: Sendable, Child: Sendable>(
    on eventLoop: any EventLoop, named name: String, text: String,
    fetch: @escaping @Sendable () async throws -> (Row?, [Child]),
    result: @escaping @Sendable (Row, [Child]) -> some MethodResult
) -> EventLoopFuture<JSONValue> {
    eventLoop.makeFutureWithTask(fetch).flatMapThrowing { row, children in
        guard let row else {
            throw RPCError(
                code: -32602, message: "Invalid params: no \(name).", data: .object([("id", .string(text))]))
        }
        return result(row, children).json
    }
}
