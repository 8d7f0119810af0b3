public import Foundation
import GRDB

/// One session's records as an export reads them: in one read transaction, so the session, its
/// cartridges, telemetry and faults are of one moment.
public struct SessionRecords: Sendable {
    public var session: SessionRow
    public var cartridges: [CartridgeRecord]
    public var telemetry: [TelemetrySample]
    public var faults: [FaultRecordRow]
}

extension TreatmentStore {
    /// nil: no such session.
    public func records(session id: Int64) async throws -> SessionRecords? {
        try await read { db in
            guard let session = try SessionRow.fetchOne(db, key: id) else { return nil }
            // The cartridges its chain names (opened with, taken in), and the one in its row (for
            // sessions from before the chains): each by its key, never a scan of the ledger.
            var serials = try String.fetchAll(
                db,
                sql:
                    "SELECT subject FROM chain_link WHERE session_id = ? AND kind IN ('opened', 'cartridge') ORDER BY seq",
                arguments: [id])
            if !serials.contains(session.cartridge) { serials.append(session.cartridge) }
            let cartridges = try serials.compactMap { try CartridgeRecord.fetchOne(db, key: $0) }
            let telemetry = try TelemetrySample.filter(Column("session_id") == id).order(Column("tick")).fetchAll(db)
            let faults = try FaultRecordRow.filter(Column("session_id") == id).order(Column("id")).fetchAll(db)
            return SessionRecords(session: session, cartridges: cartridges, telemetry: telemetry, faults: faults)
        }
    }

    /// Closed sessions opened at or after `since` (an ISO 8601 date or time), after `after`
    /// (the last id of the previous page), oldest first.
    public func closedSessionIDs(openedSince since: String, after: Int64, limit: Int) async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(
                db,
                sql:
                    "SELECT id FROM session WHERE opened_at >= ? AND id > ? AND closed_at IS NOT NULL ORDER BY id LIMIT ?",
                arguments: [since, after, limit])
        }
    }

    /// The sessions' records have left the pen: from now on their telemetry may be pruned
    /// (`RecordsRetention`). The first export's time is kept.
    public func markExported(_ ids: [Int64], at now: Date) async throws {
        guard !ids.isEmpty else { return }
        try await write { db in
            for id in ids {
                try db.execute(
                    sql:
                        "UPDATE session SET exported_at = ? WHERE id = ? AND exported_at IS NULL AND closed_at IS NOT NULL",
                    arguments: [Self.timestamp(now), id])
            }
        }
    }
}
