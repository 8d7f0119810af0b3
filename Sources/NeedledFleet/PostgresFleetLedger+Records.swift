import Logging
import PostgresNIO

/// The pen's records into the fleet: a session whole in one transaction (its rows in a few
/// statements, each table's rows as arrays), so that a copy is all there or not at all, and a
/// copy sent again (its answer lost, a restart, `kill -9`) is found by its id and not stored twice.
extension PostgresFleetLedger {
    public func store(_ copy: FleetSessionCopy) async throws(FleetError) -> FleetCopyOutcome {
        let (client, logger) = (self.client, self.logger)
        return try await ask {
            let stored = try await client.withTransaction(logger: logger) { connection -> Bool in
                var inserted = false
                for try await _ in try await connection.query(
                    """
                    INSERT INTO session_record (record_id, store_id, area, cartridge, reference, opened_at, closed_at,
                        close_reason, opened_tick, closed_tick, tick_period_nanoseconds, strokes, software_version,
                        limits_json, configuration_sha256, seal_sha256)
                    VALUES (\(copy.recordID), \(copy.storeID), \(copy.area), \(copy.cartridge), \(copy.reference),
                        \(copy.openedAt), \(copy.closedAt), \(copy.closeReason), \(copy.openedTick), \(copy.closedTick),
                        \(copy.tickPeriodNanoseconds), \(copy.strokes), \(copy.softwareVersion), \(copy.limitsJSON),
                        \(copy.configurationSHA256), \(copy.sealSHA256))
                    ON CONFLICT (record_id) DO NOTHING RETURNING record_id
                    """, logger: logger
                ) { inserted = true }
                guard inserted else { return false }
                try await Self.insertLinks(copy, connection, logger)
                try await Self.insert(events: copy.events, connection, logger)
                for fault in copy.faults { try await Self.insert(fault, connection, logger) }
                try await Self.insertCartridges(copy, connection, logger)
                return true
            }
            let held = try await Self.fingerprint(copy.recordID, client, logger)
            guard held == copy.fingerprint else {
                throw FleetError.refused(
                    "the fleet's copy of \(copy.recordID) is not the pen's: the fleet holds \(held.map(\.description) ?? "nothing"), the pen \(copy.fingerprint)"
                )
            }
            return stored ? .stored : .heldAlready
        }
    }

    public func store(events: [FleetEventCopy], faults: [FleetFaultCopy]) async throws(FleetError) {
        let (client, logger) = (self.client, self.logger)
        try await ask {
            try await client.withTransaction(logger: logger) { connection in
                try await Self.insert(events: events, connection, logger)
                for fault in faults { try await Self.insert(fault, connection, logger) }
            }
        }
    }

    public func fingerprint(ofSession recordID: String) async throws(FleetError) -> FleetCopyFingerprint? {
        let (client, logger) = (self.client, self.logger)
        return try await ask { try await Self.fingerprint(recordID, client, logger) }
    }

    static func fingerprint(
        _ recordID: String, _ client: PostgresClient, _ logger: Logger
    ) async throws -> FleetCopyFingerprint? {
        for try await (seal, links, last, events, faults) in try await client.query(
            """
            SELECT s.seal_sha256,
                (SELECT count(*) FROM session_chain_link WHERE session_record_id = s.record_id),
                (SELECT chain_sha256 FROM session_chain_link WHERE session_record_id = s.record_id
                    ORDER BY seq DESC LIMIT 1),
                (SELECT count(*) FROM event_record WHERE session_record_id = s.record_id),
                (SELECT count(*) FROM fault_record WHERE session_record_id = s.record_id)
            FROM session_record s WHERE s.record_id = \(recordID)
            """, logger: logger
        ).decode((String?, Int64, String?, Int64, Int64).self) {
            return FleetCopyFingerprint(
                links: links, lastChainSHA256: last, sealSHA256: seal, events: events, faults: faults)
        }
        return nil
    }

    // Arrays cannot hold NULL here (postgres-nio encodes no optional elements): an absent text
    // travels as '' and an absent id as -1, turned back into NULL by NULLIF (no real value is either).

    static func insertLinks(_ copy: FleetSessionCopy, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !copy.links.isEmpty else { return }
        let links = copy.links
        try await connection.query(
            """
            INSERT INTO session_chain_link (session_record_id, seq, kind, row_id, subject, row_count, rows_sha256,
                content_sha256, chain_sha256)
            SELECT \(copy.recordID), seq, kind, NULLIF(row_id, -1), NULLIF(subject, ''), row_count,
                NULLIF(rows_sha256, ''), content_sha256, chain_sha256
            FROM unnest(\(links.map(\.seq))::bigint[], \(links.map(\.kind))::text[],
                \(links.map { $0.rowID ?? -1 })::bigint[], \(links.map { $0.subject ?? "" })::text[],
                \(links.map(\.rowCount))::bigint[], \(links.map { $0.rowsSHA256 ?? "" })::text[],
                \(links.map(\.contentSHA256))::text[], \(links.map(\.chainSHA256))::text[])
                AS l(seq, kind, row_id, subject, row_count, rows_sha256, content_sha256, chain_sha256)
            """, logger: logger)
    }

    static func insert(events: [FleetEventCopy], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !events.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO event_record (record_id, session_record_id, tick, wall_time, kind, detail_json)
            SELECT record_id, NULLIF(session_record_id, ''), tick, wall_time, kind, detail_json
            FROM unnest(\(events.map(\.recordID))::text[], \(events.map { $0.sessionRecordID ?? "" })::text[],
                \(events.map(\.tick))::bigint[], \(events.map(\.wallTime))::text[], \(events.map(\.kind))::text[],
                \(events.map(\.detailJSON))::text[])
                AS e(record_id, session_record_id, tick, wall_time, kind, detail_json)
            ON CONFLICT (record_id) DO NOTHING
            """, logger: logger)
    }

    static func insert(_ fault: FleetFaultCopy, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO fault_record (record_id, session_record_id, code, message, tick, wall_time,
                tick_period_nanoseconds, sample_count, flight_window)
            VALUES (\(fault.recordID), \(fault.sessionRecordID), \(fault.code), \(fault.message), \(fault.tick),
                \(fault.wallTime), \(fault.tickPeriodNanoseconds), \(fault.sampleCount), \(fault.flightWindowJSON)::jsonb)
            ON CONFLICT (record_id) DO NOTHING
            """, logger: logger)
    }

    static func insertCartridges(
        _ copy: FleetSessionCopy, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let cartridges = copy.cartridges
        guard !cartridges.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO cartridge_record (serial, session_record_id, needles, lot, expires, registered_at,
                first_used_at, use_ended_at, use_end_reason)
            SELECT serial, \(copy.recordID), needles, NULLIF(lot, ''), NULLIF(expires, ''), registered_at,
                NULLIF(first_used_at, ''), NULLIF(use_ended_at, ''), NULLIF(use_end_reason, '')
            FROM unnest(\(cartridges.map(\.serial))::text[], \(cartridges.map(\.needles))::bigint[],
                \(cartridges.map { $0.lot ?? "" })::text[], \(cartridges.map { $0.expires ?? "" })::text[],
                \(cartridges.map(\.registeredAt))::text[], \(cartridges.map { $0.firstUsedAt ?? "" })::text[],
                \(cartridges.map { $0.useEndedAt ?? "" })::text[], \(cartridges.map { $0.useEndReason ?? "" })::text[])
                AS c(serial, needles, lot, expires, registered_at, first_used_at, use_ended_at, use_end_reason)
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }
}
