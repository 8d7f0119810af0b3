import GRDB

/// A session's record chain recomputed from the rows as they are now (`RecordChain`): intact,
/// or the first row that differs from what was chained, named so a person can find it.
public struct ChainVerdict: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Every link recomputes, the seal matches, nothing was added.
        case intact
        /// Still open: intact so far, not sealed yet.
        case open
        /// Recorded before the records were chained (schema v8): nothing to verify against.
        case notChained
        case broken
    }

    public var sessionID: Int64
    public var state: State
    public var links: Int
    /// For `broken`: the first thing that differs.
    public var firstDifference: String?
}

/// The whole store: every session's verdict, counted.
public struct RecordsVerdict: Sendable, Equatable {
    public var sessions = 0
    public var intact = 0
    public var open = 0
    public var notChained = 0
    /// The broken sessions, oldest first (at most `maxListed`).
    public var broken: [ChainVerdict] = []
    public var brokenCount = 0
    static let maxListed = 20
}

extension TreatmentStore {
    /// nil: no such session.
    public func verifySession(id: Int64) async throws -> ChainVerdict? {
        try await read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM session WHERE id = ?", arguments: [id]) != nil else {
                return nil
            }
            return try ChainVerifier.verify(db, session: id)
        }
    }

    /// Every session, in one read transaction (a consistent snapshot; writers are not held up).
    public func verifyRecords() async throws -> RecordsVerdict {
        try await read { db in
            var verdict = RecordsVerdict()
            let ids = try Int64.fetchCursor(db, sql: "SELECT id FROM session ORDER BY id")
            while let id = try ids.next() {
                let session = try ChainVerifier.verify(db, session: id)
                verdict.sessions += 1
                switch session.state {
                case .intact: verdict.intact += 1
                case .open: verdict.open += 1
                case .notChained: verdict.notChained += 1
                case .broken:
                    verdict.brokenCount += 1
                    if verdict.broken.count < RecordsVerdict.maxListed { verdict.broken.append(session) }
                }
            }
            return verdict
        }
    }
}

enum ChainVerifier {
    struct StoredLink {
        var seq: Int64
        var kind: String
        var rowID: Int64?
        var subject: String?
        var afterTick: Int64?
        var throughTick: Int64
        var rowCount: Int64
        var rowsSHA256: String?
        var contentSHA256: String
        var chainSHA256: String
    }

    struct Broken: Error {
        var difference: String
    }

    static func verify(_ db: Database, session id: Int64) throws -> ChainVerdict {
        let links = try Row.fetchAll(
            db, sql: "SELECT * FROM chain_link WHERE session_id = ? ORDER BY seq", arguments: [id]
        ).map {
            StoredLink(
                seq: $0["seq"], kind: $0["kind"], rowID: $0["row_id"], subject: $0["subject"],
                afterTick: $0["after_tick"], throughTick: $0["through_tick"], rowCount: $0["row_count"],
                rowsSHA256: $0["rows_sha256"], contentSHA256: $0["content_sha256"], chainSHA256: $0["chain_sha256"])
        }
        let seal = try String.fetchOne(db, sql: "SELECT seal_sha256 FROM session WHERE id = ?", arguments: [id])
        let closed =
            try Bool.fetchOne(db, sql: "SELECT closed_at IS NOT NULL FROM session WHERE id = ?", arguments: [id])
            ?? false
        if links.isEmpty {
            if seal != nil {
                return ChainVerdict(
                    sessionID: id, state: .broken, links: 0,
                    firstDifference: "the session is sealed but its chain's links are gone (deleted from chain_link)")
            }
            if try chainedAfter(db, session: id) {
                return ChainVerdict(
                    sessionID: id, state: .broken, links: 0,
                    firstDifference:
                        "the session has no chain, yet sessions before it were chained: its links were deleted")
            }
            return ChainVerdict(sessionID: id, state: .notChained, links: 0, firstDifference: nil)
        }
        do {
            try check(db, session: id, links: links, seal: seal, closed: closed)
            return ChainVerdict(
                sessionID: id, state: links.last?.kind == RecordChain.Kind.closed.rawValue ? .intact : .open,
                links: links.count, firstDifference: nil)
        } catch let broken as Broken {
            return ChainVerdict(sessionID: id, state: .broken, links: links.count, firstDifference: broken.difference)
        }
    }

    /// Whether an earlier session was chained (then this one, recorded later, should be too).
    static func chainedAfter(_ db: Database, session id: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM chain_link WHERE session_id < ? LIMIT 1", arguments: [id]) != nil
    }

    static func check(_ db: Database, session id: Int64, links: [StoredLink], seal: String?, closed: Bool) throws {
        var previous = try RecordChain.previousSeal(db, before: id)
        let telemetryPruned =
            try Bool.fetchOne(
                db, sql: "SELECT telemetry_pruned_at IS NOT NULL FROM session WHERE id = ?", arguments: [id]) ?? false
        var telemetryThrough: Int64 = -1
        var chainedEvents = Set<Int64>()
        var chainedFaults = Set<Int64>()
        for (index, link) in links.enumerated() {
            let name = "link \(link.seq) (\(link.kind))"
            guard link.seq == Int64(index) else {
                throw Broken(
                    difference: "link \(index) is missing: the chain goes from link \(index - 1) to link \(link.seq)")
            }
            let content = try recompute(
                db, session: id, link: link, telemetryThrough: telemetryThrough, telemetryPruned: telemetryPruned)
            guard let content, content == link.contentSHA256 else {
                throw Broken(difference: try describeChange(db, session: id, link: link))
            }
            let chain = RecordChain.chain(previous: previous, kind: link.kind, content: content)
            guard chain == link.chainSHA256 else {
                if index == 0 {
                    throw Broken(
                        difference:
                            "its chain starts from a seal no earlier session has: a session before it was deleted, or its seal or records changed"
                    )
                }
                throw Broken(
                    difference: "\(name) does not follow from link \(link.seq - 1): the chain itself was edited")
            }
            if link.kind == RecordChain.Kind.event.rawValue, let row = link.rowID { chainedEvents.insert(row) }
            if link.kind == RecordChain.Kind.fault.rawValue, let row = link.rowID { chainedFaults.insert(row) }
            if link.kind == RecordChain.Kind.opened.rawValue || link.kind == RecordChain.Kind.cartridge.rawValue,
                let serial = link.subject
            {
                let bound = try Int64.fetchOne(
                    db, sql: "SELECT session_id FROM cartridge WHERE serial = ?", arguments: [serial])
                guard bound == id else {
                    throw Broken(
                        difference:
                            "the cartridge ledger: \(serial) served this session (\(name)) but the ledger no longer binds it to it"
                    )
                }
            }
            telemetryThrough = link.throughTick
            previous = chain
        }
        let last = links[links.count - 1]
        let sealed = last.kind == RecordChain.Kind.closed.rawValue
        if sealed, seal != previous {
            throw Broken(difference: "the seal in the session's row differs from its chain's end")
        }
        if !sealed, closed {
            throw Broken(
                difference:
                    "the session is closed but its chain has no closing link: links after link \(last.seq) were deleted"
            )
        }
        let after = sealed ? "after the seal" : "without a link"
        for event in try Int64.fetchAll(
            db, sql: "SELECT id FROM event WHERE session_id = ? ORDER BY id", arguments: [id])
        where !chainedEvents.contains(event) {
            throw Broken(difference: "event #\(event) is not in the chain: it was added \(after)")
        }
        for fault in try Int64.fetchAll(
            db, sql: "SELECT id FROM fault_record WHERE session_id = ? ORDER BY id", arguments: [id])
        where !chainedFaults.contains(fault) {
            throw Broken(
                difference: "\(FaultRecordRow.displayID(for: fault)) is not in the chain: it was added \(after)")
        }
        if sealed,
            let extra = try Int64.fetchOne(
                db, sql: "SELECT min(tick) FROM telemetry_sample WHERE session_id = ? AND tick > ?",
                arguments: [id, telemetryThrough])
        {
            throw Broken(difference: "telemetry from tick \(extra) is not in the chain: it was added after the seal")
        }
    }

    /// The link's content as the rows are now.
    /// Pruned telemetry and flight windows are checked by the hashes their links kept (the rows
    /// are gone by design); a pruned block that has rows again was written to after pruning.
    static func recompute(
        _ db: Database, session: Int64, link: StoredLink, telemetryThrough: Int64, telemetryPruned: Bool
    ) throws -> String? {
        switch RecordChain.Kind(rawValue: link.kind) {
        case .opened:
            return try RecordChain.openedContent(db, session: session, cartridge: link.subject ?? "")
        case .event:
            return try link.rowID.flatMap {
                try RecordChain.rowSHA256(db, table: "event", columns: RecordChain.eventColumns, id: $0)
            }
        case .telemetry:
            let after = link.afterTick ?? -2
            guard after == telemetryThrough else { return nil }
            let (rows, count) = try RecordChain.telemetrySHA256(
                db, session: session, after: after, through: link.throughTick)
            if telemetryPruned {
                guard count == 0, let kept = link.rowsSHA256 else { return nil }
                return RecordChain.telemetryContent(
                    after: after, through: link.throughTick, count: link.rowCount, rows: kept)
            }
            return RecordChain.telemetryContent(after: after, through: link.throughTick, count: count, rows: rows)
        case .fault:
            guard let id = link.rowID,
                let row = try RecordChain.rowSHA256(
                    db, table: "fault_record", columns: RecordChain.faultColumns, id: id)
            else { return nil }
            let (flight, count) = try RecordChain.flightSHA256(db, fault: id)
            let windowPruned =
                try Bool.fetchOne(
                    db, sql: "SELECT window_pruned_at IS NOT NULL FROM fault_record WHERE id = ?", arguments: [id])
                ?? false
            if windowPruned {
                guard count == 0, let kept = link.rowsSHA256 else { return nil }
                return RecordChain.faultContent(row: row, flight: kept, count: link.rowCount)
            }
            return RecordChain.faultContent(row: row, flight: flight, count: count)
        case .cartridge:
            return RecordChain.cartridgeContent(link.subject ?? "")
        case .closed:
            return try RecordChain.rowSHA256(db, table: "session", columns: RecordChain.closedColumns, id: session)
        case nil:
            return nil
        }
    }

    /// What changed under a link whose content no longer recomputes, in a person's words.
    static func describeChange(_ db: Database, session: Int64, link: StoredLink) throws -> String {
        let name = "link \(link.seq)"
        switch RecordChain.Kind(rawValue: link.kind) {
        case .opened:
            return
                "the session's opening (area, reference, time, software, limits, configuration) differs from what was chained (\(name))"
        case .closed:
            return
                "the session's close (time, reason, duration, strokes, cartridge) differs from what was chained (\(name))"
        case .event:
            guard let id = link.rowID,
                let row = try Row.fetchOne(db, sql: "SELECT tick, kind FROM event WHERE id = ?", arguments: [id])
            else { return "event #\(link.rowID ?? 0) was deleted (\(name))" }
            return
                "event #\(id) (tick \(row["tick"] as Int64), \(row["kind"] as String)) differs from what was chained (\(name))"
        case .fault:
            let id = link.rowID ?? 0
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM fault_record WHERE id = ?", arguments: [id]) != nil else {
                return "\(FaultRecordRow.displayID(for: id)) was deleted (\(name))"
            }
            let (_, count) = try RecordChain.flightSHA256(db, fault: id)
            if count != link.rowCount {
                return
                    "\(FaultRecordRow.displayID(for: id))'s flight window has \(count) rows where \(link.rowCount) were chained (\(name))"
            }
            return "\(FaultRecordRow.displayID(for: id)) or its flight window differs from what was chained (\(name))"
        case .telemetry:
            let after = link.afterTick ?? -1
            let (_, count) = try RecordChain.telemetrySHA256(
                db, session: session, after: after, through: link.throughTick)
            let range = "telemetry after tick \(after) through tick \(link.throughTick)"
            if count != link.rowCount {
                return "\(range) has \(count) rows where \(link.rowCount) were chained: rows deleted or added (\(name))"
            }
            return "\(range) differs from what was chained: a row changed or moved (\(name))"
        case .cartridge:
            return "the cartridge taken in differs from what was chained (\(name))"
        case nil:
            return "\(name) is of an unknown kind: the chain itself was edited"
        }
    }
}
