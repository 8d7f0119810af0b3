import Crypto
import Foundation
import GRDB

/// Each session's records chained by SHA-256 (issue 17, item 4; the audit trail 21 CFR Part 11
/// expects of electronic records): its opening, every event, fault and cartridge taken in, its
/// telemetry in blocks, and its close, each a link whose hash covers the one before. The close
/// seals the session; the first link starts from the previous session's seal, so a session
/// deleted whole breaks the next one's chain. `ChainVerification` recomputes it all.
///
/// What it proves: a row changed, deleted, added or moved with `sqlite3` after it was written is
/// found. What it cannot: someone who rewrites the rows *and* recomputes every link after them
/// (the code is public) is found only by an anchor outside the file — a signed seal, or the
/// fleet's copy (issue 20). Docs/safety.md, H23.
enum RecordChain {
    /// Telemetry is linked in blocks of at most this many ticks (and before every other link):
    /// one link a minute at 1 kHz instead of 600 rows of hashes.
    static let telemetryBlockTicks: Int64 = 60_000

    enum Kind: String {
        case opened, event, telemetry, fault, cartridge, closed
    }

    /// The last link of a session: where the next one continues.
    struct Tail {
        var seq: Int64
        var chainSHA256: String
        var telemetryThroughTick: Int64
        var kind: String
    }

    /// What a store's first session chains from: the store itself.
    static func genesis(storeID: String?) -> String {
        hex(SHA256.hash(data: Data("needled store \(storeID ?? "")".utf8)))
    }

    static func chain(previous: String, kind: String, content: String) -> String {
        var hasher = Fields()
        hasher.add(previous)
        hasher.add(kind)
        hasher.add(content)
        return hasher.sha256
    }

    /// Lowercase hex, as `sha256sum` prints it (by table: Foundation's formatting made
    /// `records verify` spend most of its time here).
    static func hex<D: Digest>(_ digest: D) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(D.byteCount * 2)
        digest.withUnsafeBytes { bytes in
            for byte in bytes {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// An unambiguous encoding of a row's values, hashed as it goes: a tag, then a length for
    /// text, so that no two different rows encode alike.
    struct Fields {
        private var hash = SHA256()

        mutating func add(_ value: Int64?) {
            guard let value else { return hash.update(data: [0x6E]) }  // n
            withUnsafeBytes(of: value.bigEndian) { bytes in
                hash.update(data: [0x69])  // i
                hash.update(bufferPointer: bytes)
            }
        }

        mutating func add(_ value: String?) {
            guard let value else { return hash.update(data: [0x6E]) }
            let utf8 = Data(value.utf8)
            add(Int64(utf8.count))
            hash.update(data: [0x74])  // t
            hash.update(data: utf8)
        }

        mutating func add(_ value: DatabaseValue) {
            switch value.storage {
            case .null: add(nil as Int64?)
            case .int64(let integer): add(integer)
            case .double(let double): add(String(double.bitPattern, radix: 16))
            case .string(let text): add(text)
            case .blob(let data): add(data.base64EncodedString())
            }
        }

        /// Every column of `row`, in the order selected.
        mutating func add(row: Row) {
            for (_, value) in row { add(value) }
        }

        var sha256: String { RecordChain.hex(hash.finalize()) }
    }
}

// MARK: The rows each link covers, as hashed

extension RecordChain {
    static let openedColumns =
        "id, area, reference, opened_at, software_version, limits_json, opened_tick, tick_period_nanoseconds, configuration_sha256"
    static let closedColumns = "closed_at, close_reason, closed_tick, strokes, cartridge"
    static let eventColumns = "id, session_id, tick, wall_time, kind, detail_json"
    static let faultColumns = "id, session_id, code, message, tick, wall_time, tick_period_nanoseconds, sample_count"
    static let telemetryColumns =
        "tick, state, depth_micrometres, depth_target_micrometres, speed_millihertz, speed_target_millihertz, strokes"
    static var flightColumns: String {
        (FlightSampleRow.integerColumns + ["state", "hardware"]).joined(separator: ", ")
    }

    /// The hash of one row of `table` (nil: no such row).
    static func rowSHA256(
        _ db: Database, table: String, columns: String, id: Int64, extra: [String] = []
    ) throws
        -> String?
    {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM \(table) WHERE id = ?", arguments: [id])
        else { return nil }
        var fields = Fields()
        fields.add(row: row)
        for value in extra { fields.add(value) }
        return fields.sha256
    }

    /// A session's telemetry in (after, through], in tick order: its hash and count.
    static func telemetrySHA256(_ db: Database, session: Int64, after: Int64, through: Int64) throws -> (String, Int64)
    {
        var fields = Fields()
        var count: Int64 = 0
        let rows = try Row.fetchCursor(
            db,
            sql:
                "SELECT \(telemetryColumns) FROM telemetry_sample WHERE session_id = ? AND tick > ? AND tick <= ? ORDER BY tick, rowid",
            arguments: [session, after, through])
        while let row = try rows.next() {
            fields.add(row: row)
            count += 1
        }
        return (fields.sha256, count)
    }

    /// A fault's flight window, in tick order: its hash and count.
    static func flightSHA256(_ db: Database, fault: Int64) throws -> (String, Int64) {
        var fields = Fields()
        var count: Int64 = 0
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(flightColumns) FROM flight_sample WHERE fault_id = ? ORDER BY tick, rowid",
            arguments: [fault])
        while let row = try rows.next() {
            fields.add(row: row)
            count += 1
        }
        return (fields.sha256, count)
    }
}
