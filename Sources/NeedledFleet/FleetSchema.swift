public import Logging
public import PostgresNIO

/// The fleet database's schema, versioned like the pen's own store: each migration once, in
/// order, in its own transaction, its number recorded. Applied by the fleet's owner role (the
/// clinic's IT, `needled_fleet_owner`), never by a pen: a pen's role may read every binding and
/// insert its own, and nothing else.
///
/// Needs the group role `needled_pen` (every pen's role is in it), created with the pens' roles
/// (Docs/operations.md).
public enum FleetSchema {
    /// The version this release reads and writes.
    public static let version = migrations.count

    /// Migration N (from 1) is `migrations[N - 1]`: statements run in one transaction.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE cartridge_binding (
                serial text PRIMARY KEY CHECK (length(serial) BETWEEN 1 AND 24),
                pen name NOT NULL DEFAULT current_user,
                session text NOT NULL CHECK (length(session) BETWEEN 1 AND 128),
                bound_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "ALTER TABLE cartridge_binding ENABLE ROW LEVEL SECURITY",
            // Every pen reads every binding (to say who used a cartridge); a pen inserts only as
            // itself; nobody updates or deletes one (no grant, no policy).
            "CREATE POLICY every_pen_reads ON cartridge_binding FOR SELECT TO needled_pen USING (true)",
            """
            CREATE POLICY a_pen_binds_as_itself ON cartridge_binding FOR INSERT TO needled_pen
                WITH CHECK (pen = current_user)
            """,
            "GRANT SELECT, INSERT ON cartridge_binding TO needled_pen",
        ],
        [
            // A cartridge that served two pens while they were apart: reported by the pen whose
            // binding came second (as itself), read by every pen (the first learns of it here).
            """
            CREATE TABLE cartridge_conflict (
                serial text NOT NULL REFERENCES cartridge_binding (serial),
                bound_pen name NOT NULL,
                bound_session text NOT NULL,
                other_pen name NOT NULL DEFAULT current_user,
                other_session text NOT NULL CHECK (length(other_session) BETWEEN 1 AND 128),
                found_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (serial, other_pen, other_session)
            )
            """,
            "ALTER TABLE cartridge_conflict ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY every_pen_reads ON cartridge_conflict FOR SELECT TO needled_pen USING (true)",
            """
            CREATE POLICY a_pen_reports_as_itself ON cartridge_conflict FOR INSERT TO needled_pen
                WITH CHECK (other_pen = current_user)
            """,
            "GRANT SELECT, INSERT ON cartridge_conflict TO needled_pen",
        ],
        [
            // The pens' records (issue 20, item 3): each closed session whole with its chain, its
            // events, its faults with their flight windows, its cartridges; the events and faults
            // outside sessions. Keyed by the pens' record ids: a copy sent twice is stored once.
            // A pen reads and adds only its own; nobody updates or deletes.
            """
            CREATE TABLE session_record (
                record_id text PRIMARY KEY, pen name NOT NULL DEFAULT current_user, store_id text NOT NULL,
                area text NOT NULL, cartridge text NOT NULL, reference text, opened_at text NOT NULL,
                closed_at text NOT NULL, close_reason text NOT NULL, opened_tick bigint, closed_tick bigint,
                tick_period_nanoseconds bigint, strokes bigint NOT NULL, software_version text NOT NULL,
                limits_json text NOT NULL, configuration_sha256 text, seal_sha256 text,
                stored_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE session_chain_link (
                session_record_id text NOT NULL REFERENCES session_record, seq bigint NOT NULL,
                pen name NOT NULL DEFAULT current_user, kind text NOT NULL, row_id bigint, subject text,
                row_count bigint NOT NULL, rows_sha256 text, content_sha256 text NOT NULL,
                chain_sha256 text NOT NULL, PRIMARY KEY (session_record_id, seq))
            """,
            """
            CREATE TABLE event_record (
                record_id text PRIMARY KEY, pen name NOT NULL DEFAULT current_user, session_record_id text,
                tick bigint NOT NULL, wall_time text NOT NULL, kind text NOT NULL, detail_json text NOT NULL)
            """,
            "CREATE INDEX event_record_session ON event_record (session_record_id)",
            """
            CREATE TABLE fault_record (
                record_id text PRIMARY KEY, pen name NOT NULL DEFAULT current_user, session_record_id text,
                code text NOT NULL, message text NOT NULL, tick bigint NOT NULL, wall_time text NOT NULL,
                tick_period_nanoseconds bigint NOT NULL, sample_count bigint NOT NULL,
                flight_window jsonb NOT NULL)
            """,
            "CREATE INDEX fault_record_session ON fault_record (session_record_id)",
            """
            CREATE TABLE cartridge_record (
                serial text NOT NULL, pen name NOT NULL DEFAULT current_user, session_record_id text NOT NULL,
                needles bigint NOT NULL, lot text, expires text, registered_at text NOT NULL, first_used_at text,
                use_ended_at text, use_end_reason text, PRIMARY KEY (serial, session_record_id))
            """,
        ]
            + ["session_record", "session_chain_link", "event_record", "fault_record", "cartridge_record"].flatMap {
                table in
                [
                    "ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY",
                    "CREATE POLICY a_pen_reads_its_own ON \(table) FOR SELECT TO needled_pen USING (pen = current_user)",
                    "CREATE POLICY a_pen_adds_its_own ON \(table) FOR INSERT TO needled_pen WITH CHECK (pen = current_user)",
                    "GRANT SELECT, INSERT ON \(table) TO needled_pen",
                ]
            },
    ]

    /// Applies the migrations this database has not had; returns the version it is at after.
    /// A database newer than this release is refused, not touched.
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws -> Int {
        try await client.query(
            """
            CREATE TABLE IF NOT EXISTS needled_fleet_schema (
                version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let current = try await appliedVersion(client, logger: logger)
        guard current <= version else {
            throw FleetError.refused("the fleet's schema is version \(current), newer than this release's \(version)")
        }
        for number in (current + 1)..<(version + 1) {
            try await client.withTransaction(logger: logger) { connection in
                for statement in migrations[number - 1] {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO needled_fleet_schema (version) VALUES (\(number))", logger: logger)
            }
        }
        return version
    }
}

extension FleetSchema {
    /// Connects as the fleet's owner with `settings`, applies what this database lacks, and
    /// disconnects: `needled fleet-schema`, run by the clinic's IT once for each release.
    /// Returns the versions before and after.
    public static func migrate(
        _ settings: FleetConnectionSettings, logger: Logger
    ) async throws -> (before: Int, after: Int) {
        let client = PostgresClient(
            configuration: try PostgresFleetLedger.clientConfiguration(settings), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let before = try await appliedVersion(client, logger: logger)
            return (before, try await migrate(client, logger: logger))
        }
    }

    /// The newest migration this database has had (0: none).
    static func appliedVersion(_ client: PostgresClient, logger: Logger) async throws -> Int {
        for try await exists in try await client.query(
            "SELECT to_regclass('needled_fleet_schema') IS NOT NULL", logger: logger
        ).decode(Bool.self) where !exists {
            return 0
        }
        for try await version in try await client.query(
            "SELECT coalesce(max(version), 0) FROM needled_fleet_schema", logger: logger
        ).decode(Int.self) {
            return version
        }
        return 0
    }
}
