public import Foundation
import GRDB

/// The records as they go to the clinic's fleet: each closed session whole (its row, its chain,
/// its events, its faults with their flight windows, its cartridges), once, in the order the pen
/// closed them; the events and faults outside any session by id. The pen's store stays its own
/// truth: these reads and marks only say what the fleet holds.
extension TreatmentStore {
    /// Closed sessions the fleet does not hold yet, oldest first.
    public func sessionsNotInFleet(limit: Int) async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(
                db,
                sql:
                    "SELECT id FROM session WHERE closed_at IS NOT NULL AND fleet_replicated_at IS NULL ORDER BY id LIMIT ?",
                arguments: [limit])
        }
    }

    /// One closed session's records, as the fleet stores them.
    public func fleetReplica(session id: Int64) async throws -> FleetSessionRows? {
        try await read { db in
            guard let session = try SessionRow.fetchOne(db, key: id) else { return nil }
            let links = try Row.fetchAll(
                db,
                sql: """
                    SELECT seq, kind, row_id, subject, row_count, rows_sha256, content_sha256, chain_sha256
                    FROM chain_link WHERE session_id = ? ORDER BY seq
                    """, arguments: [id]
            ).map {
                FleetChainLinkRow(
                    seq: $0["seq"], kind: $0["kind"], rowID: $0["row_id"], subject: $0["subject"],
                    rowCount: $0["row_count"], rowsSHA256: $0["rows_sha256"], contentSHA256: $0["content_sha256"],
                    chainSHA256: $0["chain_sha256"])
            }
            let events = try EventRow.filter(Column("session_id") == id).order(Column("id")).fetchAll(db)
            let faults = try FaultRecordRow.filter(Column("session_id") == id).order(Column("id")).fetchAll(db)
            let windows = try faults.map { try Self.flightWindowJSON(db, fault: $0.id!) }
            let cartridges = try CartridgeRecord.filter(Column("session_id") == id).order(Column("serial")).fetchAll(db)
            return FleetSessionRows(
                session: session, links: links, events: events, faults: zip(faults, windows).map { ($0, $1) },
                cartridges: cartridges)
        }
    }

    /// A fault's flight window as one JSON text: an array of rows, each the columns of
    /// `flight_sample` in the order the record chain hashes them.
    static func flightWindowJSON(_ db: Database, fault: Int64) throws -> String {
        var rows: [String] = []
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT \(RecordChain.flightColumns) FROM flight_sample WHERE fault_id = ? ORDER BY tick, rowid",
            arguments: [fault])
        while let row = try cursor.next() {
            let cells = row.databaseValues.map { value -> String in
                switch value.storage {
                case .int64(let integer): String(integer)
                case .string(let text): Self.quoted(text)
                case .double(let double): String(double)
                case .null, .blob: "null"
                }
            }
            rows.append("[" + cells.joined(separator: ",") + "]")
        }
        return "[" + rows.joined(separator: ",") + "]"
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The fleet holds `session`'s records, verified against its chain.
    public func markSessionInFleet(_ id: Int64, at now: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE session SET fleet_replicated_at = ? WHERE id = ? AND fleet_replicated_at IS NULL",
                arguments: [Self.timestamp(now), id])
        }
    }

    /// Events outside any session after `afterID`, oldest first (a store's start, conflicts).
    public func sessionlessEvents(after afterID: Int64, limit: Int) async throws -> [EventRow] {
        try await read { db in
            try EventRow.filter(Column("session_id") == nil && Column("id") > afterID).order(Column("id")).limit(limit)
                .fetchAll(db)
        }
    }

    /// Faults outside any session after `afterID`, oldest first, with their flight windows.
    public func sessionlessFaults(after afterID: Int64, limit: Int) async throws -> [(FaultRecordRow, String)] {
        try await read { db in
            let faults = try FaultRecordRow.filter(Column("session_id") == nil && Column("id") > afterID)
                .order(Column("id")).limit(limit).fetchAll(db)
            return try faults.map { ($0, try Self.flightWindowJSON(db, fault: $0.id!)) }
        }
    }

    /// How far the fleet's copy has come for `name` (`events`, `faults`): the last id it holds.
    public func fleetProgress(_ name: String) async throws -> Int64 {
        try await read { db in
            try Int64.fetchOne(db, sql: "SELECT last_id FROM fleet_progress WHERE name = ?", arguments: [name]) ?? 0
        }
    }

    public func setFleetProgress(_ name: String, to lastID: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO fleet_progress (name, last_id) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET last_id = max(last_id, excluded.last_id)
                    """, arguments: [name, lastID])
        }
    }

    /// What the fleet does not hold yet: closed sessions, events and faults outside sessions, and
    /// since when the oldest of those sessions waits.
    public func fleetReplicationBacklog() async throws -> (records: Int, oldestClosedAt: String?) {
        try await read { db in
            let sessions = try Row.fetchOne(
                db,
                sql:
                    "SELECT count(*) AS n, min(closed_at) AS oldest FROM session WHERE closed_at IS NOT NULL AND fleet_replicated_at IS NULL"
            )
            let eventsAfter =
                try Int64.fetchOne(db, sql: "SELECT last_id FROM fleet_progress WHERE name = 'events'") ?? 0
            let faultsAfter =
                try Int64.fetchOne(db, sql: "SELECT last_id FROM fleet_progress WHERE name = 'faults'") ?? 0
            let events =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM event WHERE session_id IS NULL AND id > ?", arguments: [eventsAfter])
                ?? 0
            let faults =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM fault_record WHERE session_id IS NULL AND id > ?",
                    arguments: [faultsAfter]) ?? 0
            let count: Int = sessions?["n"] ?? 0
            return (count + events + faults, sessions?["oldest"])
        }
    }
}

/// A closed session's records for the fleet.
public struct FleetSessionRows: Sendable {
    public var session: SessionRow
    public var links: [FleetChainLinkRow]
    public var events: [EventRow]
    public var faults: [(FaultRecordRow, String)]
    public var cartridges: [CartridgeRecord]
}

/// One link of a session's record chain, as `chain_link` keeps it.
public struct FleetChainLinkRow: Sendable, Equatable {
    public var seq: Int64
    public var kind: String
    public var rowID: Int64?
    public var subject: String?
    public var rowCount: Int64
    public var rowsSHA256: String?
    public var contentSHA256: String
    public var chainSHA256: String
}
