public import Foundation
import GRDB

/// What the records keep and for how long (`[records]`): session summaries, events, faults, the
/// cartridge ledger and the record chains for the life of the device; telemetry and flight
/// windows until they are older than `keepTelemetryDays`, or the store is fuller than
/// `pruneAbovePercent` — oldest first, and only once exported unless `pruneUnexported`.
public struct RetentionPolicy: Sendable, Equatable {
    /// 0: no age limit (pruned only for room).
    public var keepTelemetryDays = 365
    public var pruneAbovePercent = 80
    /// The fill level that warns: reached only when pruning cannot make room.
    public var warnAbovePercent = 90
    public var pruneUnexported = false

    public init() {}
}

/// How full the records are: of the lesser of `[records] max-size-mebibytes` and what the file
/// system leaves the file.
public struct FillLevel: Sendable, Equatable {
    public var usedBytes: Int64
    public var capacityBytes: Int64
    public var percent: Int { capacityBytes > 0 ? Int(usedBytes * 100 / capacityBytes) : 100 }
}

/// What one pruning pass did, for the journal and the `recordsPruned` event.
public struct PruneReport: Sendable, Equatable {
    public var sessions: [Int64] = []
    public var faults: [Int64] = []
    public var telemetryRows = 0
    public var flightRows = 0
    /// Closed sessions whose telemetry would have been pruned for room but waits for an export.
    public var waitingForExport = 0
    public var isEmpty: Bool { sessions.isEmpty && faults.isEmpty }
}

extension TreatmentStore {
    public func fillLevel() async throws -> FillLevel {
        let (used, file, maxBytes) = try await read { db -> (Int64, Int64, Int64) in
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let maxPages = try Int64.fetchOne(db, sql: "PRAGMA max_page_count") ?? 0
            return ((pages - free) * pageSize, pages * pageSize, maxPages * pageSize)
        }
        var fileSystem = statvfs()
        var capacity = maxBytes
        if statvfs((path as NSString).deletingLastPathComponent, &fileSystem) == 0 {
            capacity = min(capacity, file + Int64(fileSystem.f_bavail) * Int64(fileSystem.f_frsize))
        }
        return FillLevel(usedBytes: used, capacityBytes: capacity)
    }

    /// Prunes by age, then for room, one session (or fault) a transaction so the records writer
    /// never waits long; records the pass as a `recordsPruned` event.
    public func prune(_ policy: RetentionPolicy, now: Date) async throws -> PruneReport {
        var report = PruneReport()
        let exported = policy.pruneUnexported ? "1" : "exported_at IS NOT NULL"
        if policy.keepTelemetryDays > 0 {
            let cutoff = Self.timestamp(now.addingTimeInterval(-Double(policy.keepTelemetryDays) * 86_400))
            for id in try await read({ db in
                try Int64.fetchAll(
                    db,
                    sql:
                        "SELECT id FROM session WHERE telemetry_pruned_at IS NULL AND closed_at IS NOT NULL AND closed_at < ? AND \(exported) ORDER BY id",
                    arguments: [cutoff])
            }) {
                try await pruneSession(id, now: now, into: &report)
            }
            for id in try await read({ db in
                try Int64.fetchAll(
                    db,
                    sql:
                        "SELECT f.id FROM fault_record f LEFT JOIN session s ON s.id = f.session_id WHERE f.window_pruned_at IS NULL AND f.wall_time < ? AND (f.session_id IS NULL OR s.closed_at IS NOT NULL AND \(policy.pruneUnexported ? "1" : "s.exported_at IS NOT NULL")) ORDER BY f.id",
                    arguments: [cutoff])
            }) {
                try await pruneWindow(id, now: now, into: &report)
            }
        }
        while try await fillLevel().percent > policy.pruneAbovePercent {
            guard
                let id = try await read({ db in
                    try Int64.fetchOne(
                        db,
                        sql:
                            "SELECT id FROM session WHERE telemetry_pruned_at IS NULL AND closed_at IS NOT NULL AND \(exported) ORDER BY id LIMIT 1"
                    )
                })
            else {
                report.waitingForExport = try await read { db in
                    try Int.fetchOne(
                        db,
                        sql:
                            "SELECT count(*) FROM session WHERE telemetry_pruned_at IS NULL AND closed_at IS NOT NULL AND exported_at IS NULL"
                    ) ?? 0
                }
                break
            }
            try await pruneSession(id, now: now, into: &report)
        }
        if !report.isEmpty {
            let detail =
                "{\"sessions\":\(report.sessions.count),\"faultWindows\":\(report.faults.count),\"telemetryRows\":\(report.telemetryRows),\"flightRows\":\(report.flightRows)}"
            try await append([
                EventRow(sessionID: nil, tick: 0, wallTime: now, kind: "recordsPruned", detailJSON: detail)
            ])
        }
        return report
    }

    /// A session's telemetry and its faults' flight windows; its summary, events, faults and
    /// chain stay (the chain keeps the pruned rows' hashes, so it still verifies).
    private func pruneSession(_ id: Int64, now: Date, into report: inout PruneReport) async throws {
        let (rows, flight, faults) = try await write { db -> (Int, Int, [Int64]) in
            try db.execute(sql: "DELETE FROM telemetry_sample WHERE session_id = ?", arguments: [id])
            let rows = db.changesCount
            let faults = try Int64.fetchAll(
                db, sql: "SELECT id FROM fault_record WHERE session_id = ? AND window_pruned_at IS NULL",
                arguments: [id])
            var flight = 0
            for fault in faults { flight += try Self.deleteWindow(fault, now: now, in: db) }
            try db.execute(
                sql: "UPDATE session SET telemetry_pruned_at = ? WHERE id = ?", arguments: [Self.timestamp(now), id])
            return (rows, flight, faults)
        }
        report.sessions.append(id)
        report.faults += faults
        report.telemetryRows += rows
        report.flightRows += flight
    }

    private func pruneWindow(_ id: Int64, now: Date, into report: inout PruneReport) async throws {
        let flight = try await write { db in try Self.deleteWindow(id, now: now, in: db) }
        report.faults.append(id)
        report.flightRows += flight
    }

    private static func deleteWindow(_ fault: Int64, now: Date, in db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM flight_sample WHERE fault_id = ?", arguments: [fault])
        let rows = db.changesCount
        try db.execute(
            sql: "UPDATE fault_record SET window_pruned_at = ? WHERE id = ?", arguments: [timestamp(now), fault])
        return rows
    }
}
