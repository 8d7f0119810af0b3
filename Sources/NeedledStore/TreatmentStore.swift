public import Foundation
public import GRDB

/// Treatment records and single-use cartridges, in SQLite (WAL, `synchronous=FULL`): what was
/// acknowledged survives a crash or a power cut. Every call runs on GRDB's own writer or reader
/// queue; callers on an event loop use the async forms and never block it.
public final class TreatmentStore: Sendable {
    public static let fileName = "needled.sqlite"

    private let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the store in `directory`. A directory that cannot be written is
    /// a clear error at start, never a silent loss later.
    /// `maxSizeBytes` caps the database (SQLite's `max_page_count`): a write past it fails, which
    /// the daemon reports as a latched fault, never as silent loss.
    public init(directory: String, maxSizeBytes: Int64 = 4 << 30) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotOpen(
                path: directory, reason: "cannot create the state directory (\(error.localizedDescription))")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw StoreError.cannotOpen(path: directory, reason: "the state directory is not writable")
        }
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        // As root, permissions do not stop a write; a read-only file system still does (EROFS).
        if FileManager.default.fileExists(atPath: path), access(path, W_OK) != 0 {
            throw StoreError.readOnly(path: path, reason: String(cString: strerror(errno)))
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // 512 KiB of page cache a connection (SQLite's default is 2 MiB): the records are
            // written once and read rarely, and with memory locked a cache is resident for good.
            try db.execute(sql: "PRAGMA cache_size = -512")
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            try db.execute(sql: "PRAGMA max_page_count = \(max(1, maxSizeBytes / pageSize))")
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try Self.probe(path) }
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB's WAL set-up lowers the writer to synchronous=NORMAL after prepareDatabase,
            // which a power cut can roll back past an acknowledged record: FULL again.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.opening(path: path, error)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        self.path = path
    }

    /// Looks at an existing file read-only before anything writes to it: one that is not a
    /// database, or that a newer needled migrated, is refused as it was found (opening a pool
    /// writes to it, and migrating a newer store "up" would hide what this build cannot keep).
    private static func probe(_ path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        let unknown = try queue.read { db in
            try migrator.appliedIdentifiers(db).filter { !schemaSteps.contains($0) }
        }
        if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknownSteps: unknown.sorted()) }
    }

    /// The schema's steps, oldest first: a store has taken some prefix of them. Each has a
    /// fixture in Tests/Fixtures/stores that every build must open and migrate.
    public static var schemaSteps: [String] { migrator.migrations }

    /// Whether SQLite finds the file whole (`PRAGMA integrity_check`); a damaged store is refused
    /// with what to do, never treated on.
    public func checkIntegrity() throws(StoreError) {
        let result: String
        do {
            result = try pool.read { db in
                try String.fetchAll(db, sql: "PRAGMA integrity_check(5)").joined(separator: "; ")
            }
        } catch let error as DatabaseError {
            throw StoreError.opening(path: path, error)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        guard result == "ok" else { throw StoreError.damaged(path: path, detail: "integrity_check: \(result)") }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: cartridges and sessions") { db in
            try db.create(table: "cartridge") { table in
                table.primaryKey("serial", .text)
                table.column("needles", .integer).notNull()
                table.column("lot", .text)
                table.column("expires", .text)  // ISO 8601 date, or NULL
                table.column("registered_at", .text).notNull()
                table.column("session_id", .integer)  // the one session it may ever serve
                table.column("first_used_at", .text)
            }
            try db.create(table: "session") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("area", .text).notNull()
                table.column("cartridge", .text).notNull().references("cartridge")
                table.column("reference", .text)
                table.column("opened_at", .text).notNull()
                table.column("closed_at", .text)
                table.column("close_reason", .text)  // closed | interrupted
                table.column("software_version", .text).notNull()
                table.column("limits_json", .text).notNull()
            }
        }
        migrator.registerMigration("v2: the session's event log") { db in
            try db.create(table: "event") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("session_id", .integer).indexed()
                table.column("tick", .integer).notNull()  // the loop's tick: monotonic, immune to clock changes
                table.column("wall_time", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("detail_json", .text).notNull()
            }
        }
        migrator.registerMigration("v3: telemetry at 10 Hz, cartridge end of use") { db in
            try db.create(table: "telemetry_sample") { table in
                table.column("session_id", .integer).notNull().indexed()
                table.column("tick", .integer).notNull()
                table.column("state", .text).notNull()
                table.column("depth_micrometres", .integer).notNull()
                table.column("depth_target_micrometres", .integer).notNull()
                table.column("speed_millihertz", .integer).notNull()
                table.column("speed_target_millihertz", .integer).notNull()
            }
            try db.alter(table: "cartridge") { table in table.add(column: "use_ended_at", .text) }
        }
        migrator.registerMigration("v4: monotonic durations, strokes, cartridge use time, flight records") { db in
            // Durations come from the loop's ticks, never from the wall clock, which can jump.
            try db.alter(table: "session") { table in
                table.add(column: "opened_tick", .integer)
                table.add(column: "closed_tick", .integer)
                table.add(column: "tick_period_nanoseconds", .integer)
                table.add(column: "strokes", .integer).notNull().defaults(to: 0)
            }
            try db.alter(table: "cartridge") { table in
                table.add(column: "use_end_reason", .text)  // removed | usageTimeExceeded
            }
            try db.alter(table: "telemetry_sample") { table in
                table.add(column: "strokes", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "fault_record") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("session_id", .integer).indexed()
                table.column("code", .text).notNull()
                table.column("message", .text).notNull()
                table.column("tick", .integer).notNull()
                table.column("wall_time", .text).notNull()
                table.column("tick_period_nanoseconds", .integer).notNull()
                table.column("sample_count", .integer).notNull()
            }
            try db.create(table: "flight_sample") { table in
                table.column("fault_id", .integer).notNull().indexed().references("fault_record")
                for column in FlightSampleRow.integerColumns { table.column(column, .integer).notNull() }
                table.column("state", .text).notNull()
                table.column("hardware", .text).notNull()
            }
        }
        migrator.registerMigration("v5: the configuration each session was opened under") { db in
            // The SHA-256 of the needled.toml in force (NULL: the built-in defaults), beside the
            // limits themselves (limits_json): a record says under which limits and which file
            // the patient was treated.
            try db.alter(table: "session") { table in table.add(column: "configuration_sha256", .text) }
        }
        migrator.registerMigration("v6: the pen's identity") { db in
            // One row: which pen keeps this store, and which store it is (LedgerContinuity).
            try db.create(table: "store_identity") { table in
                table.column("pen_id", .text).notNull()
                table.column("store_id", .text).notNull()
                table.column("store_created_at", .text).notNull()
            }
        }
        migrator.registerMigration("v7: the store's number among the pen's stores") { db in
            try db.alter(table: "store_identity") { table in
                table.add(column: "store_number", .integer).notNull().defaults(to: 1)
            }
        }
        migrator.registerMigration("v8: each session's records chained by SHA-256") { db in
            // RecordChain: a session's links in order; the close's chain hash is its seal.
            try db.create(table: "chain_link") { table in
                table.column("session_id", .integer).notNull()
                table.column("seq", .integer).notNull()
                table.column("kind", .text).notNull()  // opened | event | telemetry | fault | cartridge | closed
                table.column("row_id", .integer)  // the event's or fault's id
                table.column("subject", .text)  // the cartridge's serial (opened, cartridge)
                table.column("after_tick", .integer)  // telemetry: the block is (after_tick, through_tick]
                table.column("through_tick", .integer).notNull()
                table.column("row_count", .integer).notNull()
                table.column("rows_sha256", .text)  // telemetry rows, or a fault's flight window
                table.column("content_sha256", .text).notNull()
                table.column("chain_sha256", .text).notNull()
                table.primaryKey(["session_id", "seq"])
            }
            try db.alter(table: "session") { table in table.add(column: "seal_sha256", .text) }
            // Telemetry read by tick within a session: blocks, pages, verification.
            try db.create(
                index: "telemetry_sample_session_tick", on: "telemetry_sample", columns: ["session_id", "tick"])
            // The cartridges the chains name: refused even if the ledger was edited to free one.
            try db.create(index: "chain_link_subject", on: "chain_link", columns: ["subject"])
        }
        migrator.registerMigration("v9: exports and retention") { db in
            // When a session's records first left the pen (session.export, records.export), and
            // when its telemetry and its faults' flight windows were pruned (RecordsRetention).
            try db.alter(table: "session") { table in
                table.add(column: "exported_at", .text)
                table.add(column: "telemetry_pruned_at", .text)
            }
            try db.alter(table: "fault_record") { table in table.add(column: "window_pruned_at", .text) }
        }
        migrator.registerMigration("v10: the fleet's bindings and conflicts") { db in
            // When the clinic's fleet confirmed the cartridge's binding (NULL: not yet, or no
            // fleet); and each cartridge another pen used too, found when the pens met again.
            try db.alter(table: "cartridge") { table in table.add(column: "fleet_bound_at", .text) }
            try db.create(table: "fleet_conflict") { table in
                table.column("serial", .text).notNull()
                table.column("session_id", .integer)  // this pen's session that used it
                table.column("other_pen", .text).notNull()
                table.column("other_session", .text).notNull()
                table.column("found_at", .text).notNull()
                table.column("reported_at", .text)  // told to the fleet (NULL: found here, not yet)
                table.primaryKey(["serial", "other_pen", "other_session"])
            }
        }
        migrator.registerMigration("v11: the records' copy in the fleet") { db in
            // When a closed session's records (and its chain) were stored in the fleet, verified;
            // and how far the records outside any session have gone (FleetReplicaRows).
            try db.alter(table: "session") { table in table.add(column: "fleet_replicated_at", .text) }
            try db.create(table: "fleet_progress") { table in
                table.primaryKey("name", .text)
                table.column("last_id", .integer).notNull()
            }
        }
        return migrator
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.write(body)
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    // MARK: Room left

    /// Bytes the records can still grow by: the lesser of what `max_page_count` leaves (free
    /// pages inside the file counted) and what the file system has free for the daemon.
    public func headroomBytes() async throws -> Int64 {
        let withinLimit = try await pool.read { db -> Int64 in
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            let pagesMax = try Int64.fetchOne(db, sql: "PRAGMA max_page_count") ?? 0
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            return max(0, pagesMax - pages + free) * pageSize
        }
        var fileSystem = statvfs()
        guard statvfs((path as NSString).deletingLastPathComponent, &fileSystem) == 0 else { return withinLimit }
        return min(withinLimit, Int64(fileSystem.f_bavail) * Int64(fileSystem.f_frsize))
    }

    // MARK: Telemetry and cartridge use

    public func append(_ samples: [TelemetrySample]) async throws {
        guard !samples.isEmpty else { return }
        try await pool.write { db in
            for sample in samples {
                try sample.insert(db)
                try RecordChain.telemetryWritten(db, session: sample.sessionID, tick: sample.tick)
            }
        }
    }

    /// A session's samples in tick order, from the first after `afterTick` (pages of `limit`).
    public func telemetry(session id: Int64, afterTick: Int64 = -1, limit: Int) async throws -> [TelemetrySample] {
        try await pool.read { db in
            try TelemetrySample.filter(Column("session_id") == id && Column("tick") > afterTick).order(Column("tick"))
                .limit(limit).fetchAll(db)
        }
    }

    /// The cartridge's use is over for good: it left the slot during its session (`removed`) or
    /// reached its maximum use time (`usageTimeExceeded`).
    public func endCartridgeUse(serial: String, at now: Date, reason: CartridgeUseEnd) async throws {
        try await pool.write { db in
            try db.execute(
                sql:
                    "UPDATE cartridge SET use_ended_at = ?, use_end_reason = ? WHERE serial = ? AND use_ended_at IS NULL",
                arguments: [Self.timestamp(now), reason.rawValue, serial])
        }
    }

    // MARK: Events

    /// Appends events in one transaction (the recorder batches them).
    public func append(_ events: [EventRow]) async throws {
        guard !events.isEmpty else { return }
        try await pool.write { db in
            for var event in events {
                try event.insert(db)
                if let session = event.sessionID, let id = event.id {
                    try RecordChain.linkEvent(db, id: id, session: session)
                }
            }
        }
    }

    public func events(session id: Int64, limit: Int) async throws -> [EventRow] {
        try await pool.read { db in
            try EventRow.filter(Column("session_id") == id).order(Column("id")).limit(limit).fetchAll(db)
        }
    }

    // MARK: Cartridges

    /// Registers a cartridge; registering the same serial again with the same data is a no-op.
    @discardableResult
    public func registerCartridge(
        serial: String, needles: Int, lot: String?, expires: String?, at now: Date
    ) async throws -> CartridgeRecord {
        try await pool.write { db in
            if let existing = try CartridgeRecord.fetchOne(db, key: serial) { return existing }
            let record = CartridgeRecord(
                serial: serial, needles: needles, lot: lot, expires: expires,
                registeredAt: Self.timestamp(now), sessionID: nil, firstUsedAt: nil, useEndedAt: nil,
                useEndReason: nil)
            try record.insert(db)
            return record
        }
    }

    public func cartridge(serial: String) async throws -> CartridgeRecord? {
        try await pool.read { db in try CartridgeRecord.fetchOne(db, key: serial) }
    }

    public func cartridges() async throws -> [CartridgeRecord] {
        try await pool.read { db in try CartridgeRecord.order(Column("registered_at")).fetchAll(db) }
    }

    /// Why a cartridge may not serve a new session, or nil when it may.
    public static func rejection(of cartridge: CartridgeRecord?, today: Date) -> CartridgeRejection? {
        guard let cartridge else { return .unknown }
        if cartridge.useEndReason == CartridgeUseEnd.usageTimeExceeded.rawValue { return .usageTimeExceeded }
        if cartridge.sessionID != nil { return .reused }
        if let expires = cartridge.expires, expires < Self.day(today) { return .expired }
        return nil
    }

    // MARK: Sessions

    /// Opens a session bound to `cartridge`, atomically with marking the cartridge as used by it.
    public func openSession(
        area: String, cartridge serial: String, reference: String?, softwareVersion: String, limitsJSON: String,
        configurationSHA256: String? = nil, at now: Date, tick: Int64, tickPeriodNanoseconds: Int64
    ) async throws -> SessionRow {
        try await pool.write { db in
            var session = SessionRow(
                id: nil, area: area, cartridge: serial, reference: reference, openedAt: Self.timestamp(now),
                closedAt: nil, closeReason: nil, softwareVersion: softwareVersion, limitsJSON: limitsJSON,
                openedTick: tick, closedTick: nil, tickPeriodNanoseconds: tickPeriodNanoseconds, strokes: 0,
                configurationSHA256: configurationSHA256)
            // Checked before the row (which references the cartridge), bound after it (it needs the id).
            try Self.check(serial, at: now, in: db)
            try session.insert(db)
            try Self.bind(serial, toSession: session.id!, at: now, in: db)
            try RecordChain.linkOpened(db, session: session.id!, cartridge: serial)
            return session
        }
    }

    /// A new cartridge taken into an open session (the old one was removed): checked and bound
    /// atomically, like the first.
    public func bindCartridge(_ serial: String, toSession id: Int64, at now: Date) async throws {
        try await pool.write { db in
            try Self.bind(serial, toSession: id, at: now, in: db)
            try db.execute(sql: "UPDATE session SET cartridge = ? WHERE id = ?", arguments: [serial, id])
            try RecordChain.linkCartridge(db, serial: serial, session: id)
        }
    }

    private static func check(_ serial: String, at now: Date, in db: Database) throws {
        let cartridge = try CartridgeRecord.fetchOne(db, key: serial)
        if let rejection = rejection(of: cartridge, today: now) { throw StoreError.cartridgeRejected(rejection) }
        // The ledger says unused; the record chains are a second witness that it served before.
        if try RecordChain.namesCartridge(db, serial) { throw StoreError.cartridgeRejected(.reused) }
    }

    /// Whether a session's record chain names the cartridge (opened with it, or took it in).
    public func chainedCartridge(_ serial: String) async throws -> Bool {
        try await pool.read { db in try RecordChain.namesCartridge(db, serial) }
    }

    /// Checks that the cartridge may serve and binds it to the session for good; the one place
    /// single use is decided.
    private static func bind(_ serial: String, toSession id: Int64, at now: Date, in db: Database) throws {
        try check(serial, at: now, in: db)
        try db.execute(
            sql: "UPDATE cartridge SET session_id = ?, first_used_at = ? WHERE serial = ?",
            arguments: [id, timestamp(now), serial])
    }

    public func closeSession(
        id: Int64, at now: Date, tick: Int64, strokes: Int64, reason: String = "closed"
    ) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE session SET closed_at = ?, close_reason = ?, closed_tick = ?, strokes = ?"
                    + " WHERE id = ? AND closed_at IS NULL",
                arguments: [Self.timestamp(now), reason, tick, strokes, id])
            try RecordChain.seal(db, session: id)
        }
    }

    /// Sessions a crash left open are closed as `interrupted`, with the last tick and stroke count
    /// their records reached (the duration runs to the last thing recorded); returns their ids.
    public func closeInterruptedSessions(at now: Date) throws -> [Int64] {
        try pool.write { db in
            let open = try Int64.fetchAll(db, sql: "SELECT id FROM session WHERE closed_at IS NULL")
            try db.execute(
                sql: Self.closeInterruptedSQL, arguments: [Self.timestamp(now)])
            for session in open { try RecordChain.seal(db, session: session) }
            return open
        }
    }

    private static let closeInterruptedSQL = """
        UPDATE session SET closed_at = ?, close_reason = 'interrupted',
          closed_tick = max(coalesce(opened_tick, 0),
            coalesce((SELECT max(tick) FROM event WHERE event.session_id = session.id), 0),
            coalesce((SELECT max(tick) FROM telemetry_sample t WHERE t.session_id = session.id), 0)),
          strokes = coalesce((SELECT max(strokes) FROM telemetry_sample t WHERE t.session_id = session.id), 0)
        WHERE closed_at IS NULL
        """

    public func sessions(since: String?, limit: Int) async throws -> [SessionRow] {
        try await pool.read { db in
            var request = SessionRow.order(Column("id").desc).limit(limit)
            if let since { request = request.filter(Column("opened_at") >= since) }
            return try request.fetchAll(db)
        }
    }

    public func session(id: Int64) async throws -> SessionRow? {
        try await pool.read { db in try SessionRow.fetchOne(db, key: id) }
    }

    // MARK: Identity

    /// The pen and store this store belongs to; nil before `adopt(_:)`.
    public func identity() throws -> PenIdentity? {
        try pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT pen_id, store_id, store_number, store_created_at FROM store_identity"
            ).map {
                PenIdentity(
                    penID: $0["pen_id"], storeID: $0["store_id"], storeNumber: $0["store_number"],
                    storeCreatedAt: $0["store_created_at"])
            }
        }
    }

    /// Makes `identity` this store's, once; with the event that says so (`storeStarted`, no
    /// session), so the store itself records how and why it was begun.
    public func adopt(_ identity: PenIdentity, detailJSON: String, at now: Date) throws {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM store_identity") == 0 else {
                throw StoreError.cannotOpen(path: path, reason: "the store has an identity already")
            }
            try db.execute(
                sql:
                    "INSERT INTO store_identity (pen_id, store_id, store_number, store_created_at) VALUES (?, ?, ?, ?)",
                arguments: [identity.penID, identity.storeID, identity.storeNumber, identity.storeCreatedAt])
            var event = EventRow(sessionID: nil, tick: 0, wallTime: now, kind: "storeStarted", detailJSON: detailJSON)
            try event.insert(db)
        }
    }

    // MARK: Time

    public static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    static func day(_ date: Date) -> String { String(timestamp(date).prefix(10)) }
}

public enum CartridgeRejection: String, Sendable, Equatable {
    case unknown, reused, expired, usageTimeExceeded
}

/// Why a cartridge's use ended for good.
public enum CartridgeUseEnd: String, Sendable, Equatable {
    case removed, usageTimeExceeded
}

public struct CartridgeRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "cartridge"
    public var serial: String
    public var needles: Int
    public var lot: String?
    public var expires: String?
    public var registeredAt: String
    public var sessionID: Int64?
    public var firstUsedAt: String?
    /// When its use ended for good: it left the slot during its session, or reached its use time.
    public var useEndedAt: String?
    public var useEndReason: String?

    enum CodingKeys: String, CodingKey {
        case serial, needles, lot, expires
        case registeredAt = "registered_at"
        case sessionID = "session_id"
        case firstUsedAt = "first_used_at"
        case useEndedAt = "use_ended_at"
        case useEndReason = "use_end_reason"
    }
}

public struct SessionRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "session"
    public var id: Int64?
    public var area: String
    public var cartridge: String
    public var reference: String?
    public var openedAt: String
    public var closedAt: String?
    public var closeReason: String?
    public var softwareVersion: String
    public var limitsJSON: String
    /// The loop's tick at open and close: the session's duration is measured by these, never by
    /// the wall clock (which an NTP step or a technician can move).
    public var openedTick: Int64?
    public var closedTick: Int64?
    public var tickPeriodNanoseconds: Int64?
    /// Needle strokes (cam revolutions) in the session.
    public var strokes: Int64
    /// The SHA-256 of the configuration file in force when the session opened (lowercase hex,
    /// as `sha256sum` prints it); nil: the built-in defaults, or a record from before v5.
    public var configurationSHA256: String?
    /// The session's seal: the hash that ends its record chain (RecordChain), set at its close;
    /// nil while open, and for sessions recorded before v8.
    public var sealSHA256: String? = nil
    /// When its records first left the pen (an export); nil: never exported.
    public var exportedAt: String? = nil
    /// When its telemetry was pruned (the summary, events, faults and chain are kept for good).
    public var telemetryPrunedAt: String? = nil

    /// The monotonic duration, once closed (nil for records from before v4).
    public var durationNanoseconds: Int64? {
        guard let openedTick, let closedTick, let tickPeriodNanoseconds else { return nil }
        return (closedTick - openedTick) * tickPeriodNanoseconds
    }

    enum CodingKeys: String, CodingKey {
        case id, area, cartridge, reference, strokes
        case openedTick = "opened_tick"
        case closedTick = "closed_tick"
        case tickPeriodNanoseconds = "tick_period_nanoseconds"
        case openedAt = "opened_at"
        case closedAt = "closed_at"
        case closeReason = "close_reason"
        case softwareVersion = "software_version"
        case limitsJSON = "limits_json"
        case configurationSHA256 = "configuration_sha256"
        case sealSHA256 = "seal_sha256"
        case exportedAt = "exported_at"
        case telemetryPrunedAt = "telemetry_pruned_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// "S-0001"
    public var displayID: String { Self.displayID(for: id ?? 0) }

    public static func displayID(for id: Int64) -> String { recordDisplayID(prefix: "S", id) }
}

/// "S-0001", "F-0012": a record's id as people read and type it.
func recordDisplayID(prefix: String, _ id: Int64) -> String {
    let number = String(id)
    return prefix + "-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
}

public struct EventRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "event"
    public var id: Int64?
    public var sessionID: Int64?
    public var tick: Int64
    public var wallTime: String
    public var kind: String
    public var detailJSON: String

    public init(sessionID: Int64?, tick: Int64, wallTime: Date, kind: String, detailJSON: String) {
        self.id = nil
        self.sessionID = sessionID
        self.tick = tick
        self.wallTime = TreatmentStore.timestamp(wallTime)
        self.kind = kind
        self.detailJSON = detailJSON
    }

    enum CodingKeys: String, CodingKey {
        case id, tick, kind
        case sessionID = "session_id"
        case wallTime = "wall_time"
        case detailJSON = "detail_json"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One telemetry sample of a session, every 100 ms (10 Hz), for plots and replay.
public struct TelemetrySample: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "telemetry_sample"
    public var sessionID: Int64
    public var tick: Int64
    public var state: String
    public var depthMicrometres: Int32
    public var depthTargetMicrometres: Int32
    public var speedMillihertz: Int32
    public var speedTargetMillihertz: Int32
    /// Strokes since the session opened, at this sample.
    public var strokes: Int64

    public init(
        sessionID: Int64, tick: Int64, state: String, depthMicrometres: Int32, depthTargetMicrometres: Int32,
        speedMillihertz: Int32, speedTargetMillihertz: Int32, strokes: Int64
    ) {
        self.strokes = strokes
        self.sessionID = sessionID
        self.tick = tick
        self.state = state
        self.depthMicrometres = depthMicrometres
        self.depthTargetMicrometres = depthTargetMicrometres
        self.speedMillihertz = speedMillihertz
        self.speedTargetMillihertz = speedTargetMillihertz
    }

    enum CodingKeys: String, CodingKey {
        case tick, state, strokes
        case sessionID = "session_id"
        case depthMicrometres = "depth_micrometres"
        case depthTargetMicrometres = "depth_target_micrometres"
        case speedMillihertz = "speed_millihertz"
        case speedTargetMillihertz = "speed_target_millihertz"
    }
}
