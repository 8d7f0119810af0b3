public import Foundation
import GRDB

/// What the pen's own records keep of the clinic's fleet: which cartridge bindings the fleet has
/// confirmed (the rest are sent when it is reachable, after a restart too), and the conflicts
/// found when a cartridge turned out to have served on another pen as well. The records stay the
/// pen's own truth; these columns only say what the fleet has been told.
extension TreatmentStore {
    /// The id the next session will get: sessions' ids are never reused (AUTOINCREMENT), and the
    /// daemon opens one session at a time, so a binding can name its session before the row exists.
    public func nextSessionID() async throws -> Int64 {
        try await read { db in
            try Int64.fetchOne(
                db, sql: "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'session'), 0) + 1") ?? 1
        }
    }

    /// Cartridges bound to a session here that the fleet has not confirmed, oldest use first;
    /// those found in conflict are not sent again.
    public func fleetUnsentBindings(limit: Int = 100) async throws -> [FleetUnsentBinding] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT serial, session_id, first_used_at FROM cartridge
                    WHERE session_id IS NOT NULL AND fleet_bound_at IS NULL
                      AND serial NOT IN (SELECT serial FROM fleet_conflict)
                    ORDER BY first_used_at, serial LIMIT ?
                    """, arguments: [limit]
            ).map {
                FleetUnsentBinding(serial: $0["serial"], sessionID: $0["session_id"], firstUsedAt: $0["first_used_at"])
            }
        }
    }

    /// How many bindings the fleet has not confirmed yet, and when the oldest was made (what
    /// `pen.status` says the pen is behind by).
    public func fleetUnsentBindingCount() async throws -> (count: Int, oldestUse: String?) {
        try await read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS count, min(first_used_at) AS oldest FROM cartridge
                    WHERE session_id IS NOT NULL AND fleet_bound_at IS NULL
                      AND serial NOT IN (SELECT serial FROM fleet_conflict)
                    """)
            return (row?["count"] ?? 0, row?["oldest"])
        }
    }

    /// The fleet holds this cartridge's binding (bound now, or found bound to the same session).
    public func markFleetBound(serial: String, at now: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE cartridge SET fleet_bound_at = ? WHERE serial = ? AND fleet_bound_at IS NULL",
                arguments: [Self.timestamp(now), serial])
        }
    }

    /// Records that `serial` served another pen's session too, with an event in the records
    /// (kind `cartridgeConflict`, outside any session: a sealed session's chain stays as it was).
    /// `reported`: the fleet knows of it already (the other pen reported it); otherwise this pen
    /// tells the fleet (`fleetConflictsUnreported`). Returns false when it was recorded before.
    @discardableResult
    public func recordFleetConflict(
        serial: String, otherPen: String, otherSession: String, reported: Bool, detailJSON: String, at now: Date,
        tick: Int64
    ) async throws -> Bool {
        try await write { db in
            let session = try Int64.fetchOne(
                db, sql: "SELECT session_id FROM cartridge WHERE serial = ?", arguments: [serial])
            let time = Self.timestamp(now)
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO fleet_conflict (serial, session_id, other_pen, other_session, found_at, reported_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [serial, session, otherPen, otherSession, time, reported ? time : nil])
            guard db.changesCount == 1 else { return false }
            var event = EventRow(
                sessionID: nil, tick: tick, wallTime: now, kind: "cartridgeConflict", detailJSON: detailJSON)
            try event.insert(db)
            return true
        }
    }

    /// Conflicts found here that the fleet has not been told of.
    public func fleetConflictsUnreported() async throws -> [FleetConflictRow] {
        try await fleetConflicts(where: "reported_at IS NULL")
    }

    public func markFleetConflictReported(_ conflict: FleetConflictRow, at now: Date) async throws {
        try await write { db in
            try db.execute(
                sql:
                    "UPDATE fleet_conflict SET reported_at = ? WHERE serial = ? AND other_pen = ? AND other_session = ?",
                arguments: [Self.timestamp(now), conflict.serial, conflict.otherPen, conflict.otherSession])
        }
    }

    /// Every conflict found, oldest first.
    public func fleetConflicts() async throws -> [FleetConflictRow] {
        try await fleetConflicts(where: "1")
    }

    private func fleetConflicts(where condition: String) async throws -> [FleetConflictRow] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT serial, session_id, other_pen, other_session, found_at FROM fleet_conflict
                    WHERE \(condition) ORDER BY found_at, serial
                    """
            ).map {
                FleetConflictRow(
                    serial: $0["serial"], sessionID: $0["session_id"], otherPen: $0["other_pen"],
                    otherSession: $0["other_session"], foundAt: $0["found_at"])
            }
        }
    }
}

/// A cartridge bound to a session on this pen, not yet confirmed by the fleet.
public struct FleetUnsentBinding: Sendable, Equatable {
    public var serial: String
    public var sessionID: Int64
    public var firstUsedAt: String?
}

/// A cartridge that served a session here and another pen's session too.
public struct FleetConflictRow: Sendable, Equatable {
    public var serial: String
    /// This pen's session (nil only if the ledger lost it: then the conflict says so).
    public var sessionID: Int64?
    public var otherPen: String
    public var otherSession: String
    public var foundAt: String

    public init(serial: String, sessionID: Int64?, otherPen: String, otherSession: String, foundAt: String) {
        self.serial = serial
        self.sessionID = sessionID
        self.otherPen = otherPen
        self.otherSession = otherSession
        self.foundAt = foundAt
    }
}
