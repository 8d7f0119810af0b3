import Foundation
import GRDB
import NeedledStore
import Testing

/// Every store an earlier needled wrote opens, migrates and keeps what it held (issue 17,
/// item 7): above all its cartridge ledger, so an upgrade never frees a used cartridge.
@Suite("Stores from every earlier schema version")
struct SchemaUpgradeTests {
    @Test("Each schema step has its fixture, and each fixture holds the steps up to its version")
    func everyStepHasAFixture() throws {
        let steps = TreatmentStore.schemaSteps
        #expect(
            StoreFixture.versions == Array(1...steps.count), "add Tests/Fixtures/stores/store-vN.sql for each new step")
        for version in StoreFixture.versions {
            let dump = try StoreFixture.dump(version: version)
            for (index, step) in steps.enumerated() {
                let recorded = dump.contains(
                    "INSERT INTO grdb_migrations VALUES('\(step.replacingOccurrences(of: "'", with: "''"))')")
                #expect(recorded == (index < version), "store-v\(version).sql and step \"\(step)\"")
            }
        }
    }

    @Test(
        "A store of every earlier version opens, migrates, and keeps its session, events, telemetry, faults and ledger",
        arguments: StoreFixture.versions)
    func upgrades(version: Int) async throws {
        let state = try StoreFixture.stateDirectory(version: version)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = try TreatmentStore(directory: state)
        try store.checkIntegrity()
        // store-v9 holds store-v8's rows as v9 migrated them and an export marked them (v9 added
        // columns only), and store-v10 and -v11 those with the fleet's: their names are v8's.
        let data = min(version, 8)

        let session = try #require(try await store.session(id: 1))
        #expect(session.area == "forehead")
        #expect(session.reference == "REF-V\(data)")
        #expect(session.closeReason == "closed")
        #expect(session.softwareVersion == "0.\(data).0")
        #expect(session.durationNanoseconds == (version >= 4 ? 1_800_000_000_000 : nil))
        #expect(session.strokes == (version >= 4 ? 216_000 : 0))
        #expect(
            session.configurationSHA256
                == (version >= 5 ? "a3f1c2d4e5b60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00" : nil))
        #expect(
            try await store.events(session: 1, limit: 10).map(\.kind)
                == (version >= 2 ? ["sessionOpened", "sessionClosed"] : []))
        #expect(try await store.telemetry(session: 1, limit: 100).count == (version >= 3 ? 20 : 0))
        let faults = try await store.faults(session: 1, limit: 10)
        #expect(faults.map(\.code) == (version >= 4 ? ["stall"] : []))
        if let fault = faults.first {
            #expect(
                try await store.flightSamples(fault: fault.id!, limit: 10).map(\.tick) == [499_998, 499_999, 500_000])
        }
        #expect(try store.identity()?.penID == (version >= 6 ? "PEN-0000000\(data)" : nil))
        #expect(try store.identity()?.storeNumber == (version >= 6 ? 1 : nil))

        // The ledger: the cartridge that served S-0001 is refused, before and after an upgrade.
        let cartridge = try await store.cartridge(serial: "FIXTURE-V\(data)-CART")
        #expect(cartridge?.sessionID == 1)
        #expect(TreatmentStore.rejection(of: cartridge, today: Date()) == .reused)
        await #expect(throws: StoreError.self) {
            _ = try await store.openSession(
                area: "cheeks", cartridge: "FIXTURE-V\(data)-CART", reference: nil, softwareVersion: "test",
                limitsJSON: "{}", at: Date(), tick: 0, tickPeriodNanoseconds: 1_000_000)
        }

        // Sessions chained when they were written verify as they were sealed (the hash encoding
        // cannot change under them); older ones say they were never chained.
        #expect(try await store.verifySession(id: 1)?.state == (version >= 8 ? .intact : .notChained))
        #expect(session.exportedAt == (version >= 9 ? "2025-03-09T10:00:00Z" : nil))

        // The fleet (v10): the cartridge confirmed and a conflict found; an older store has told
        // the fleet nothing, so its used cartridge is sent when a fleet is configured.
        #expect(try await store.fleetUnsentBindings().map(\.serial) == (version >= 10 ? [] : ["FIXTURE-V\(data)-CART"]))
        #expect(
            try await store.fleetConflicts()
                == (version >= 10
                    ? [
                        FleetConflictRow(
                            serial: "FIXTURE-V8-CART", sessionID: 1, otherPen: "pen_b",
                            otherSession: "PEN-0B0B0B0B-1-S-0007", foundAt: "2025-03-10T08:00:00Z")
                    ] : []))

        // The fleet's copy (v11): the closed session held there, the events outside sessions
        // through the conflict's; an older store's records all wait to be copied.
        #expect(try await store.sessionsNotInFleet(limit: 10) == (version >= 11 ? [] : [1]))
        #expect(try await store.fleetProgress("events") == (version >= 11 ? 4 : 0))
        let backlog = try await store.fleetReplicationBacklog()
        let outsideSessions = version >= 11 ? 0 : (version >= 10 ? 2 : version >= 8 ? 1 : 0)
        #expect(backlog.records == (version >= 11 ? 0 : 1) + outsideSessions)

        // And the migrated store takes new records in the newest schema, chained.
        #expect(try await store.nextSessionID() == 2)
        try await store.registerCartridge(serial: "NEW-CART", needles: 12, lot: nil, expires: nil, at: Date())
        let next = try await store.openSession(
            area: "cheeks", cartridge: "NEW-CART", reference: nil, softwareVersion: "test", limitsJSON: "{}",
            configurationSHA256: nil, at: Date(), tick: 5, tickPeriodNanoseconds: 1_000_000)
        #expect(next.displayID == "S-0002")
        try await store.closeSession(id: 2, at: Date(), tick: 10, strokes: 3)
        #expect(try await store.session(id: 2)?.durationNanoseconds == 5_000_000)
        #expect(try await store.verifySession(id: 2)?.state == .intact)
    }
}
