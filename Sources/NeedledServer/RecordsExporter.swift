import Foundation
import NIOCore
import NeedledFHIR
import NeedledRPC
import NeedledStore

/// `session.export` and `records.export`: the records read on the store's reader queue and
/// mapped to FHIR off the event loop; a session served whole counts as exported (its telemetry
/// may then be pruned, `RecordsRetention`).
struct RecordsExporter {
    let store: TreatmentStore
    let identity: PenIdentity?
    let eventLoop: any EventLoop
    let clock: any WallClock

    func set(_ records: SessionRecords) -> SessionRecordSet {
        let prefix = identity?.recordIDPrefix ?? ""
        return SessionRecordSet(
            session: records.session, recordID: prefix + records.session.displayID, penID: identity?.penID,
            cartridges: records.cartridges, telemetry: records.telemetry, faults: records.faults,
            faultRecordIDPrefix: prefix)
    }

    func bundle(session id: Int64, named text: String) -> EventLoopFuture<JSONValue> {
        let store = store
        let clock = clock
        return eventLoop.makeFutureWithTask { () async throws -> JSONValue? in
            guard let records = try await store.records(session: id) else { return nil }
            let now = clock.now()
            let bundle = FHIRExport.bundle(set(records), timestamp: TreatmentStore.timestamp(now))
            try await store.markExported([id], at: now)
            return bundle
        }.flatMapThrowing { bundle in
            guard let bundle else {
                throw RPCError(
                    code: -32602, message: "Invalid params: no session \(text).", data: .object([("id", .string(text))])
                )
            }
            return FHIRBundleResult(bundle).json
        }
    }

    /// One page: the resources of up to `limit` closed sessions, and the id to continue after.
    func page(since: String, after: Int64, limit: Int) -> EventLoopFuture<JSONValue> {
        let store = store
        let clock = clock
        return eventLoop.makeFutureWithTask { () async throws -> JSONValue in
            let ids = try await store.closedSessionIDs(openedSince: since, after: after, limit: limit)
            var resources: [JSONValue] = []
            for id in ids {
                guard let records = try await store.records(session: id) else { continue }
                resources += FHIRExport.resources(set(records), style: .bulkData)
            }
            try await store.markExported(ids, at: clock.now())
            return RecordsExportPageResult(
                sessions: ids.map(SessionRow.displayID(for:)), resources: resources,
                next: ids.count == limit ? SessionRow.displayID(for: ids[ids.count - 1]) : nil
            ).json
        }.flatMapErrorThrowing { error in
            throw RPCError.internalError("the records could not be read (\(error)).")
        }
    }

    /// "2026-01-01" or "2026-01-01T08:00:00Z": what `opened_at` is compared with, as text.
    static func isISODate(_ text: String) -> Bool {
        let date = text.prefix(10)
        guard date.count == 10, date.split(separator: "-").count == 3,
            ISO8601DateFormatter.fullDate.date(from: String(date)) != nil
        else { return false }
        return text.count == 10 || ISO8601DateFormatter().date(from: text) != nil
    }
}

extension ISO8601DateFormatter {
    /// A new formatter of dates alone ("2026-01-01"); made per use, not shared between threads.
    static var fullDate: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter
    }
}
