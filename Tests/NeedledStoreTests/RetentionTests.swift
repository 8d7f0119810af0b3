import Foundation
import Testing

@testable import NeedledStore

/// Records that last (issue 17, item 3): telemetry and flight windows pruned by age or for room,
/// oldest first, only once exported unless configured otherwise; everything else kept; the
/// chains still verify over what was pruned.
@Suite("Retention: what is pruned, and what never is")
struct RetentionTests {
    static let day: TimeInterval = 86_400

    /// A closed session opened `daysAgo` days before `now`, with `samples` telemetry rows written
    /// in one transaction and a fault with a 100-tick window; returns its id.
    static func session(
        _ store: TreatmentStore, _ serial: String, daysAgo: Double, now: Date, samples: Int = 600, tick: Int64
    ) async throws -> Int64 {
        let opened = now.addingTimeInterval(-daysAgo * day)
        try await store.registerCartridge(serial: serial, needles: 12, lot: nil, expires: nil, at: opened)
        let row = try await store.openSession(
            area: "cheeks", cartridge: serial, reference: nil, softwareVersion: "test", limitsJSON: "{}", at: opened,
            tick: tick, tickPeriodNanoseconds: 1_000_000)
        let id = try #require(row.id)
        try await store.append(
            (0..<samples).map { index in
                TelemetrySample(
                    sessionID: id, tick: tick + Int64(index) * 100, state: "running", depthMicrometres: 800,
                    depthTargetMicrometres: 800, speedMillihertz: 120_000, speedTargetMillihertz: 120_000,
                    strokes: Int64(index) * 12)
            })
        let window = (0..<100).map { offset in
            FlightSampleRow(
                tick: tick + Int64(offset), state: "running", hardware: "simulated", encoderCount: 0,
                measuredPeriodNanoseconds: 0, temperatureMillicelsius: 35_000, homeSwitch: false,
                cartridgePresent: true, driverFault: false, emergencyStop: false, motorEnabled: true,
                brakeEngaged: false, motorDutyPpm: 0, heartbeat: true, stepperEnabled: true, depthSteps: 0,
                depthMicrometres: 0, depthTargetMicrometres: 0, speedMillihertz: 0, speedTargetMillihertz: 0,
                rampedSpeedMillihertz: 0)
        }
        _ = try await store.saveFault(
            FaultRecordRow(
                sessionID: id, code: "stall", message: "The motor stalled.", tick: tick + 100,
                wallTime: TreatmentStore.timestamp(opened), tickPeriodNanoseconds: 1_000_000, sampleCount: 100),
            samples: window)
        try await store.closeSession(
            id: id, at: opened.addingTimeInterval(1_800), tick: tick + Int64(samples) * 100, strokes: 7_200)
        return id
    }

    func newStore(maxSizeBytes: Int64 = 4 << 30) throws -> (TreatmentStore, String) {
        let state = NSTemporaryDirectory() + "needled-retention-\(UUID().uuidString.prefix(8))"
        return (try TreatmentStore(directory: state, maxSizeBytes: maxSizeBytes), state)
    }

    @Test("By age: an exported session older than keep-telemetry-days loses its telemetry and windows, nothing else")
    func byAge() async throws {
        let (store, state) = try newStore()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let now = Date()
        let oldExported = try await Self.session(store, "A", daysAgo: 400, now: now, tick: 1_000_000)
        let oldUnexported = try await Self.session(store, "B", daysAgo: 390, now: now, tick: 2_000_000)
        let recent = try await Self.session(store, "C", daysAgo: 10, now: now, tick: 3_000_000)
        try await store.markExported([oldExported, recent], at: now)

        var policy = RetentionPolicy()
        policy.keepTelemetryDays = 365
        let report = try await store.prune(policy, now: now)
        #expect(report.sessions == [oldExported])
        #expect(report.telemetryRows == 600)
        #expect(report.flightRows == 100)
        #expect(try await store.telemetry(session: oldExported, limit: 10).isEmpty)
        #expect(try await store.flightSamples(fault: 1, limit: 10).isEmpty)
        #expect(try await store.telemetry(session: oldUnexported, limit: 1000).count == 600, "pruned before its export")
        #expect(try await store.telemetry(session: recent, limit: 1000).count == 600)
        // Kept for good: the summary, its events, the fault, the ledger; the chain still verifies.
        let session = try #require(try await store.session(id: oldExported))
        #expect(session.telemetryPrunedAt != nil)
        #expect(session.strokes == 7_200)
        #expect(try await store.faults(session: oldExported, limit: 10).first?.windowPrunedAt != nil)
        #expect(TreatmentStore.rejection(of: try await store.cartridge(serial: "A"), today: now) == .reused)
        #expect(try await store.verifySession(id: oldExported)?.state == .intact)
        #expect(try await store.verifyRecords().brokenCount == 0)

        // A second pass has nothing left to do; with prune-unexported the other old one goes too.
        #expect(try await store.prune(policy, now: now).isEmpty)
        policy.pruneUnexported = true
        #expect(try await store.prune(policy, now: now).sessions == [oldUnexported])
    }

    @Test("Rows written into a pruned block, or into a pruned window, break the chain")
    func writtenAfterPruning() async throws {
        let (store, state) = try newStore()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let now = Date()
        let id = try await Self.session(store, "A", daysAgo: 400, now: now, tick: 1_000_000)
        try await store.markExported([id], at: now)
        _ = try await store.prune(RetentionPolicy(), now: now)
        try await store.write { db in
            try db.execute(
                sql:
                    "INSERT INTO telemetry_sample (session_id, tick, state, depth_micrometres, depth_target_micrometres, speed_millihertz, speed_target_millihertz) VALUES (?, 1000500, 'running', 2900, 2900, 1, 1)",
                arguments: [id])
        }
        let verdict = try #require(try await store.verifySession(id: id))
        #expect(verdict.state == .broken)
    }

    @Test("For room: past prune-above-percent the oldest exported sessions go first, until below it")
    func forRoom() async throws {
        // 3 MiB: three sessions of 6,000 samples (about 0.5 MiB each with the index) fill 50 %.
        let (store, state) = try newStore(maxSizeBytes: 3 << 20)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let now = Date()
        var ids: [Int64] = []
        for (index, serial) in ["A", "B", "C", "D"].enumerated() {
            ids.append(
                try await Self.session(
                    store, serial, daysAgo: Double(40 - index), now: now, samples: 6_000,
                    tick: Int64(index + 1) * 10_000_000))
        }
        let before = try await store.fillLevel()
        var policy = RetentionPolicy()
        policy.keepTelemetryDays = 0  // no age limit: room alone decides
        policy.pruneAbovePercent = max(10, before.percent - 15)

        // Nothing exported: nothing pruned, and the pass says how many wait for an export.
        let waiting = try await store.prune(policy, now: now)
        #expect(waiting.isEmpty)
        #expect(waiting.waitingForExport == 4)

        try await store.markExported(ids, at: now)
        let report = try await store.prune(policy, now: now)
        #expect(report.sessions == Array(ids.prefix(report.sessions.count)), "oldest first: \(report.sessions)")
        #expect(!report.sessions.isEmpty && report.sessions.count < ids.count)
        #expect(try await store.fillLevel().percent <= policy.pruneAbovePercent)
        #expect(try await store.telemetry(session: ids[ids.count - 1], limit: 10).count == 10, "the newest kept")
        #expect(try await store.verifyRecords().intact == ids.count)
    }
}
