import Foundation
import Testing

@testable import NeedledStore

/// Tamper evidence (issue 17, item 4): each session's rows chained by SHA-256 and sealed at its
/// close; rows edited, deleted, reordered or added with the real `sqlite3` CLI are each found,
/// and the first row that differs is named.
@Suite("Record chains find every edit")
struct RecordChainTests {
    /// A store with two sealed sessions, written as the daemon writes them: S-0001 with events,
    /// 1,201 telemetry samples (three blocks), a fault with its window and a second cartridge;
    /// S-0002 short.
    static func treatedStore() async throws -> (TreatmentStore, String) {
        let state = NSTemporaryDirectory() + "needled-chain-\(UUID().uuidString.prefix(8))"
        let store = try TreatmentStore(directory: state)
        let now = Date()
        for serial in ["CART-A", "CART-B", "CART-C"] {
            try await store.registerCartridge(serial: serial, needles: 12, lot: "L1", expires: nil, at: now)
        }
        let session = try await store.openSession(
            area: "cheeks", cartridge: "CART-A", reference: "R-1", softwareVersion: "test",
            limitsJSON: #"{"maxDepthMicrometres":1500}"#, configurationSHA256: "abc", at: now, tick: 1_000,
            tickPeriodNanoseconds: 1_000_000)
        let id = try #require(session.id)
        try await store.append([
            EventRow(sessionID: id, tick: 1_000, wallTime: now, kind: "command", detailJSON: #"{"command":"arm"}"#),
            EventRow(sessionID: id, tick: 1_001, wallTime: now, kind: "command", detailJSON: #"{"command":"start"}"#),
        ])
        for tick in stride(from: Int64(1_000), through: 121_000, by: 100) {
            try await store.append([
                TelemetrySample(
                    sessionID: id, tick: tick, state: "running", depthMicrometres: 800, depthTargetMicrometres: 800,
                    speedMillihertz: 120_000, speedTargetMillihertz: 120_000, strokes: (tick - 1_000) / 8)
            ])
        }
        let window = (0..<50).map { offset in
            FlightSampleRow(
                tick: 60_950 + Int64(offset), state: "running", hardware: "simulated", encoderCount: Int64(offset),
                measuredPeriodNanoseconds: 8_333_333, temperatureMillicelsius: 35_000, homeSwitch: false,
                cartridgePresent: true, driverFault: false, emergencyStop: false, motorEnabled: true,
                brakeEngaged: false, motorDutyPpm: 400_000, heartbeat: offset % 2 == 0, stepperEnabled: true,
                depthSteps: 800, depthMicrometres: 800, depthTargetMicrometres: 800, speedMillihertz: 120_000,
                speedTargetMillihertz: 120_000, rampedSpeedMillihertz: 120_000)
        }
        _ = try await store.saveFault(
            FaultRecordRow(
                sessionID: id, code: "stall", message: "The motor stalled.", tick: 61_000,
                wallTime: TreatmentStore.timestamp(now), tickPeriodNanoseconds: 1_000_000, sampleCount: 50),
            samples: window)
        try await store.bindCartridge("CART-B", toSession: id, at: now)
        try await store.append([
            EventRow(sessionID: id, tick: 121_000, wallTime: now, kind: "command", detailJSON: #"{"command":"stop"}"#)
        ])
        try await store.closeSession(id: id, at: now, tick: 121_500, strokes: 15_000)
        let second = try await store.openSession(
            area: "forehead", cartridge: "CART-C", reference: nil, softwareVersion: "test", limitsJSON: "{}",
            at: now, tick: 200_000, tickPeriodNanoseconds: 1_000_000)
        try await store.closeSession(id: second.id!, at: now, tick: 200_100, strokes: 10)
        return (store, state)
    }

    /// The treated store, copied, edited with `sqlite3`, reopened: the two sessions' verdicts
    /// (nil: the session is gone).
    func tampered(_ sql: String) async throws -> (ChainVerdict?, ChainVerdict?) {
        let (original, state) = try await Self.treatedStore()
        defer { try? FileManager.default.removeItem(atPath: state) }
        _ = original
        // A copy made by SQLite's backup (the store stays open here, its last pages in the WAL).
        let copy = state + "-tampered"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        let (backup, backupErrors) = try sqlite3(state + "/needled.sqlite", ".backup '\(copy)/needled.sqlite'")
        #expect(backup == 0, "sqlite3 .backup: \(backupErrors)")
        let (code, errors) = try sqlite3(copy + "/needled.sqlite", sql)
        #expect(code == 0, "sqlite3: \(errors)")
        let store = try TreatmentStore(directory: copy)
        return (try await store.verifySession(id: 1), try await store.verifySession(id: 2))
    }

    func sqlite3(_ path: String, _ sql: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus,
            String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        )
    }

    @Test("Sessions written as the daemon writes them verify intact, and the store as a whole")
    func intact() async throws {
        let (store, state) = try await Self.treatedStore()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = try #require(try await store.verifySession(id: 1))
        #expect(first.state == .intact, "\(first.firstDifference ?? "")")
        // opened, 2 events, 2 telemetry blocks before the fault's, the fault, the cartridge, the
        // last block, the stop event, closed: links are few, not one a row.
        #expect((8...14).contains(first.links), "\(first.links) links")
        #expect(try await store.verifySession(id: 2)?.state == .intact)
        let records = try await store.verifyRecords()
        #expect(records == RecordsVerdict(sessions: 2, intact: 2, open: 0, notChained: 0, broken: [], brokenCount: 0))
    }

    @Test(
        "An edit to any row is found, and the first row that differs named",
        arguments: [
            (
                "UPDATE event SET detail_json = '{\"command\":\"home\"}' WHERE id = 2",
                "event #2 (tick 1001, command) differs from what was chained"
            ),
            ("DELETE FROM event WHERE id = 1", "event #1 was deleted"),
            (
                "UPDATE telemetry_sample SET depth_micrometres = 2900 WHERE session_id = 1 AND tick = 30000",
                "differs from what was chained: a row changed or moved"
            ),
            (
                "DELETE FROM telemetry_sample WHERE session_id = 1 AND tick = 90000",
                "has 599 rows where 600 were chained: rows deleted or added"
            ),
            (
                "UPDATE session SET limits_json = '{\"maxDepthMicrometres\":3000}' WHERE id = 1",
                "the session's opening (area, reference, time, software, limits, configuration) differs"
            ),
            (
                "UPDATE session SET strokes = 10 WHERE id = 1",
                "the session's close (time, reason, duration, strokes, cartridge) differs"
            ),
            ("UPDATE fault_record SET code = 'overspeed' WHERE id = 1", "F-0001 or its flight window differs"),
            (
                "DELETE FROM flight_sample WHERE fault_id = 1 AND tick = 60960",
                "F-0001's flight window has 49 rows where 50 were chained"
            ),
            (
                "UPDATE cartridge SET session_id = NULL, first_used_at = NULL WHERE serial = 'CART-A'",
                "the cartridge ledger: CART-A served this session"
            ),
            (
                "INSERT INTO event (session_id, tick, wall_time, kind, detail_json) VALUES (1, 5000, '2026-01-01T00:00:00Z', 'command', '{}')",
                "is not in the chain: it was added after the seal"
            ),
            (
                "INSERT INTO telemetry_sample (session_id, tick, state, depth_micrometres, depth_target_micrometres, speed_millihertz, speed_target_millihertz) VALUES (1, 121400, 'running', 800, 800, 1, 1)",
                "telemetry from tick 121400 is not in the chain: it was added after the seal"
            ),
            (
                "UPDATE chain_link SET chain_sha256 = 'x' || substr(chain_sha256, 2) WHERE session_id = 1 AND seq = 3",
                "link 3 ("
            ),
            ("DELETE FROM chain_link WHERE session_id = 1 AND seq = 2", "link 2 is missing"),
            ("UPDATE session SET seal_sha256 = NULL WHERE id = 1", "the seal in the session's row differs"),
        ])
    func edits(sql: String, named: String) async throws {
        let first = try #require(try await tampered(sql).0)
        #expect(first.state == .broken)
        #expect(first.firstDifference?.contains(named) == true, "got: \(first.firstDifference ?? "intact")")
    }

    @Test("Rows reordered are found: two events' ids swapped, two samples' ticks swapped")
    func reorders() async throws {
        let events = try #require(
            try await tampered(
                "UPDATE event SET id = -1 WHERE id = 1; UPDATE event SET id = 1 WHERE id = 2; UPDATE event SET id = 2 WHERE id = -1;"
            ).0)
        #expect(events.firstDifference?.hasPrefix("event #1 (tick 1001, command) differs") == true, "\(events)")
        let samples = try #require(
            try await tampered(
                "UPDATE telemetry_sample SET tick = -1 WHERE session_id = 1 AND tick = 5000; UPDATE telemetry_sample SET tick = 5000 WHERE session_id = 1 AND tick = 5100; UPDATE telemetry_sample SET tick = 5100 WHERE session_id = 1 AND tick = -1;"
            ).0)
        #expect(samples.firstDifference?.contains("a row changed or moved") == true, "\(samples)")
    }

    @Test("A session deleted whole breaks the next one's chain; its links deleted break its own")
    func deletedSession() async throws {
        let (gone, second) = try await tampered(
            "DELETE FROM chain_link WHERE session_id = 1; DELETE FROM event WHERE session_id = 1; DELETE FROM telemetry_sample WHERE session_id = 1; DELETE FROM flight_sample; DELETE FROM fault_record; DELETE FROM session WHERE id = 1;"
        )
        #expect(gone == nil)
        let next = try #require(second)
        #expect(next.state == .broken)
        #expect(
            next.firstDifference?.hasPrefix("its chain starts from a seal no earlier session has") == true, "\(next)")
        let unlinked = try #require(try await tampered("DELETE FROM chain_link WHERE session_id = 1").0)
        #expect(
            unlinked.firstDifference == "the session is sealed but its chain's links are gone (deleted from chain_link)"
        )
    }

    @Test("A cartridge the chain names is refused even when the ledger was edited to free it")
    func ledgerEditDoesNotFreeACartridge() async throws {
        let (original, state) = try await Self.treatedStore()
        defer { try? FileManager.default.removeItem(atPath: state) }
        _ = original
        let (code, errors) = try sqlite3(
            state + "/needled.sqlite",
            "UPDATE cartridge SET session_id = NULL, first_used_at = NULL, use_ended_at = NULL WHERE serial = 'CART-A'")
        #expect(code == 0, "\(errors)")
        let store = try TreatmentStore(directory: state)
        await #expect(throws: StoreError.self) {
            _ = try await store.openSession(
                area: "neck", cartridge: "CART-A", reference: nil, softwareVersion: "test", limitsJSON: "{}",
                at: Date(), tick: 300_000, tickPeriodNanoseconds: 1_000_000)
        }
        #expect(try await store.chainedCartridge("CART-A"))
    }
}
