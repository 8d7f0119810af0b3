import GRDB

/// Appending links, inside the write transaction that writes the rows they cover: a link and its
/// rows commit together or not at all, so the chain never lags or leads the records.
extension RecordChain {
    static func tail(_ db: Database, session: Int64) throws -> Tail? {
        try Row.fetchOne(
            db,
            sql:
                "SELECT seq, chain_sha256, through_tick, kind FROM chain_link WHERE session_id = ? ORDER BY seq DESC LIMIT 1",
            arguments: [session]
        ).map {
            Tail(
                seq: $0["seq"], chainSHA256: $0["chain_sha256"], telemetryThroughTick: $0["through_tick"],
                kind: $0["kind"])
        }
    }

    /// The seal a new session's chain starts from: the last sealed session's before it, or the
    /// store's genesis.
    static func previousSeal(_ db: Database, before session: Int64) throws -> String {
        if let seal = try String.fetchOne(
            db,
            sql: "SELECT seal_sha256 FROM session WHERE id < ? AND seal_sha256 IS NOT NULL ORDER BY id DESC LIMIT 1",
            arguments: [session])
        {
            return seal
        }
        return genesis(storeID: try String.fetchOne(db, sql: "SELECT store_id FROM store_identity"))
    }

    struct Link {
        var kind: Kind
        var rowID: Int64? = nil
        var subject: String? = nil
        var afterTick: Int64? = nil
        var rowCount: Int64 = 0
        var rowsSHA256: String? = nil
        var contentSHA256: String
    }

    /// Appends `link` after the session's tail (or as its first); returns the new chain hash.
    @discardableResult
    static func append(_ link: Link, session: Int64, throughTick: Int64? = nil, in db: Database) throws -> String {
        let tail = try tail(db, session: session)
        let previous = try tail?.chainSHA256 ?? previousSeal(db, before: session)
        let chain = chain(previous: previous, kind: link.kind.rawValue, content: link.contentSHA256)
        let through: Int64 = throughTick ?? tail?.telemetryThroughTick ?? -1
        let seq: Int64 = (tail?.seq ?? -1) + 1
        try db.execute(
            sql: """
                INSERT INTO chain_link (session_id, seq, kind, row_id, subject, after_tick, through_tick, row_count,
                  rows_sha256, content_sha256, chain_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                session, seq, link.kind.rawValue, link.rowID, link.subject, link.afterTick, through, link.rowCount,
                link.rowsSHA256, link.contentSHA256,
                chain,
            ])
        return chain
    }

    static func openedContent(_ db: Database, session: Int64, cartridge: String) throws -> String? {
        try rowSHA256(db, table: "session", columns: openedColumns, id: session, extra: [cartridge])
    }

    static func linkOpened(_ db: Database, session: Int64, cartridge: String) throws {
        guard let content = try openedContent(db, session: session, cartridge: cartridge) else { return }
        try append(Link(kind: .opened, subject: cartridge, contentSHA256: content), session: session, in: db)
    }

    static func telemetryContent(after: Int64, through: Int64, count: Int64, rows: String) -> String {
        var fields = Fields()
        fields.add(after)
        fields.add(through)
        fields.add(count)
        fields.add(rows)
        return fields.sha256
    }

    /// Links the session's telemetry not linked yet, through `through` (nil: all of it).
    static func linkTelemetry(_ db: Database, session: Int64, through: Int64? = nil) throws {
        guard let tail = try tail(db, session: session), tail.kind != Kind.closed.rawValue else { return }
        let after = tail.telemetryThroughTick
        guard
            let through = try through
                ?? Int64.fetchOne(
                    db, sql: "SELECT max(tick) FROM telemetry_sample WHERE session_id = ?", arguments: [session]),
            through > after
        else { return }
        let (rows, count) = try telemetrySHA256(db, session: session, after: after, through: through)
        guard count > 0 else { return }
        try append(
            Link(
                kind: .telemetry, afterTick: after, rowCount: count, rowsSHA256: rows,
                contentSHA256: telemetryContent(after: after, through: through, count: count, rows: rows)),
            session: session, throughTick: through, in: db)
    }

    /// After a telemetry row is written: a block is linked once it spans `telemetryBlockTicks`.
    static func telemetryWritten(_ db: Database, session: Int64, tick: Int64) throws {
        guard let tail = try tail(db, session: session), tick - tail.telemetryThroughTick >= telemetryBlockTicks
        else { return }
        try linkTelemetry(db, session: session, through: tick)
    }

    static func linkEvent(_ db: Database, id: Int64, session: Int64) throws {
        guard try isOpen(db, session: session) else { return }
        try linkTelemetry(db, session: session)
        guard let content = try rowSHA256(db, table: "event", columns: eventColumns, id: id) else { return }
        try append(Link(kind: .event, rowID: id, contentSHA256: content), session: session, in: db)
    }

    static func faultContent(row: String, flight: String, count: Int64) -> String {
        var fields = Fields()
        fields.add(row)
        fields.add(flight)
        fields.add(count)
        return fields.sha256
    }

    static func linkFault(_ db: Database, id: Int64, session: Int64) throws {
        guard try isOpen(db, session: session) else { return }
        try linkTelemetry(db, session: session)
        guard let row = try rowSHA256(db, table: "fault_record", columns: faultColumns, id: id) else { return }
        let (flight, count) = try flightSHA256(db, fault: id)
        try append(
            Link(
                kind: .fault, rowID: id, rowCount: count, rowsSHA256: flight,
                contentSHA256: faultContent(row: row, flight: flight, count: count)),
            session: session, in: db)
    }

    static func cartridgeContent(_ serial: String) -> String {
        var fields = Fields()
        fields.add(serial)
        return fields.sha256
    }

    static func linkCartridge(_ db: Database, serial: String, session: Int64) throws {
        guard try isOpen(db, session: session) else { return }
        try append(
            Link(kind: .cartridge, subject: serial, contentSHA256: cartridgeContent(serial)), session: session, in: db)
    }

    /// The close: the last telemetry, then the closing fields; the chain's end is the seal.
    static func seal(_ db: Database, session: Int64) throws {
        guard try isOpen(db, session: session) else { return }
        try linkTelemetry(db, session: session)
        guard let content = try rowSHA256(db, table: "session", columns: closedColumns, id: session) else { return }
        let seal = try append(Link(kind: .closed, contentSHA256: content), session: session, in: db)
        try db.execute(sql: "UPDATE session SET seal_sha256 = ? WHERE id = ?", arguments: [seal, session])
    }

    static func namesCartridge(_ db: Database, _ serial: String) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM chain_link WHERE subject = ? AND kind IN ('opened', 'cartridge') LIMIT 1",
            arguments: [serial]) != nil
    }

    /// Chained (opened under v8 or later) and not sealed yet.
    static func isOpen(_ db: Database, session: Int64) throws -> Bool {
        guard let tail = try tail(db, session: session) else { return false }
        return tail.kind != Kind.closed.rawValue
    }
}
