import Foundation
import Logging
import NeedledFleet
import PostgresNIO
import Testing

/// The fleet's single-use ledger against a real PostgreSQL 15 with TLS and a role per pen
/// (issue 20, items 1 and 5): reuse across pens refused naming the pen and the session, a race
/// for one cartridge won by exactly one pen, and a pen unable to write as another.
@Suite("The fleet ledger on a real PostgreSQL", .serialized)
struct FleetLedgerTests {
    static let pens = ["pen_a", "pen_b", "pen_c"]

    @Test("A cartridge bound on one pen is refused on another as reused, naming the pen and the session")
    func reuseAcrossPens() async throws {
        let server = try FleetServer(pens: Self.pens)
        #expect(try await migrate(server) == FleetSchema.version)
        let first = try await withLedger(server.settings("pen_a")) { ledger in
            (
                try await ledger.bind(serial: "C-0001", session: "PEN-A/1/S-0001"),
                try await ledger.bind(serial: "C-0001", session: "PEN-A/1/S-0001")
            )
        }
        #expect(first.0 == .bound)
        #expect(first.1 == .boundAlready, "a retry of the same binding is not a reuse")
        let (again, seen) = try await withLedger(server.settings("pen_b")) { ledger in
            (
                try await ledger.bind(serial: "C-0001", session: "PEN-B/1/S-0007"),
                try await ledger.binding(of: "C-0001")
            )
        }
        let used = CartridgeBinding(serial: "C-0001", pen: "pen_a", session: "PEN-A/1/S-0001")
        #expect(again == .reused(used))
        #expect(seen == used)
        // The same pen, another session: reused as well (the next patient on the same pen).
        let sameP = try await withLedger(server.settings("pen_a")) { ledger in
            try await ledger.bind(serial: "C-0001", session: "PEN-A/1/S-0002")
        }
        #expect(sameP == .reused(used))
        #expect(try await withLedger(server.settings("pen_c")) { try await $0.binding(of: "C-0404") } == nil)
    }

    @Test("Three pens race for one cartridge, 25 times: exactly one wins each race, the others are told who won")
    func raceForOneCartridge() async throws {
        let server = try FleetServer(pens: Self.pens)
        _ = try await migrate(server)
        let settings = Self.pens.map { server.settings($0) }
        let results = try await withLedger(settings[0]) { a in
            try await withLedger(settings[1]) { b in
                try await withLedger(settings[2]) { c in
                    var races: [[(String, FleetVerdict)]] = []
                    for race in 0..<25 {
                        let serial = "RACE-\(race)"
                        races.append(
                            try await withThrowingTaskGroup(of: (String, FleetVerdict).self) { group in
                                for (pen, ledger) in [("pen_a", a), ("pen_b", b), ("pen_c", c)] {
                                    group.addTask {
                                        (pen, try await ledger.bind(serial: serial, session: "\(pen)/S-\(race)"))
                                    }
                                }
                                return try await group.reduce(into: []) { $0.append($1) }
                            })
                    }
                    return races
                }
            }
        }
        var winners: [String] = []
        for (race, verdicts) in results.enumerated() {
            let won = verdicts.filter { $0.1 == .bound }.map(\.0)
            #expect(won.count == 1, "race \(race): \(verdicts)")
            guard let winner = won.first else { continue }
            winners.append(winner)
            for (pen, verdict) in verdicts where pen != winner {
                #expect(
                    verdict
                        == .reused(
                            CartridgeBinding(serial: "RACE-\(race)", pen: winner, session: "\(winner)/S-\(race)")),
                    "race \(race), \(pen): \(verdict)")
            }
        }
        print("FIGURE fleet race: winners by pen \(Dictionary(grouping: winners, by: { $0 }).mapValues(\.count))")
    }

    @Test(
        "A pen cannot bind as another, nor change or delete a binding, nor write or read another's records: the server refuses (row-level security, grants)"
    )
    func eachPenWritesOnlyItsOwnRows() async throws {
        let server = try FleetServer(pens: Self.pens)
        _ = try await migrate(server)
        _ = try await withLedger(server.settings("pen_a")) { try await $0.bind(serial: "C-1", session: "A/S-1") }
        let client = PostgresClient(
            configuration: try PostgresFleetLedger.clientConfiguration(server.settings("pen_b")),
            backgroundLogger: testLogger("test.fleet.pen_b"))
        let states = try await withRunning(client) { () async throws -> [String] in
            var states: [String] = []
            for statement: PostgresQuery in [
                "INSERT INTO cartridge_binding (serial, pen, session) VALUES ('C-2', 'pen_a', 'A/S-2')",
                "UPDATE cartridge_binding SET session = 'B/S-9' WHERE serial = 'C-1'",
                "DELETE FROM cartridge_binding WHERE serial = 'C-1'",
                "DROP TABLE cartridge_binding",
                """
                INSERT INTO session_record (record_id, pen, store_id, area, cartridge, opened_at, closed_at,
                    close_reason, strokes, software_version, limits_json)
                VALUES ('A/S-3', 'pen_a', 'store', 'cheeks', 'C-3', 't', 't', 'closed', 0, 'v', '{}')
                """,
                "INSERT INTO event_record (record_id, pen, tick, wall_time, kind, detail_json) VALUES ('A/E-1', 'pen_a', 0, 't', 'k', '{}')",
                "UPDATE session_record SET strokes = 0",
                "DELETE FROM fault_record",
            ] {
                do {
                    try await client.query(statement)
                    states.append("accepted")
                } catch let error as PSQLError {
                    states.append(error.serverInfo?[.sqlState] ?? "\(error.code)")
                }
            }
            return states
        }
        // 42501: insufficient privilege (the row-level policy, no grant); DROP: not the owner.
        #expect(states == Array(repeating: "42501", count: 8))
        let kept = try await withLedger(server.settings("pen_c")) { try await $0.binding(of: "C-1") }
        #expect(kept == CartridgeBinding(serial: "C-1", pen: "pen_a", session: "A/S-1"), "pen_a's binding unchanged")
        #expect(try await withLedger(server.settings("pen_c")) { try await $0.binding(of: "C-2") } == nil)

        // A pen's records are its own: stored by pen_a, read back by pen_a, invisible to pen_b.
        let copy = FleetSessionCopy(
            recordID: "A/S-1", storeID: "store", area: "cheeks", cartridge: "C-1", reference: nil, openedAt: "t0",
            closedAt: "t1", closeReason: "closed", openedTick: 1, closedTick: 2, tickPeriodNanoseconds: 1_000_000,
            strokes: 3, softwareVersion: "test", limitsJSON: "{}", configurationSHA256: nil, sealSHA256: "seal",
            links: [
                FleetChainLink(
                    seq: 1, kind: "opened", rowID: nil, subject: "C-1", rowCount: 0, rowsSHA256: nil,
                    contentSHA256: "c", chainSHA256: "seal")
            ],
            events: [
                FleetEventCopy(
                    recordID: "A/E-1", sessionRecordID: "A/S-1", tick: 1, wallTime: "t0", kind: "command",
                    detailJSON: "{}")
            ], faults: [], cartridges: [])
        #expect(try await withLedger(server.settings("pen_a")) { try await $0.store(copy) } == .stored)
        #expect(try await withLedger(server.settings("pen_a")) { try await $0.store(copy) } == .heldAlready)
        #expect(
            try await withLedger(server.settings("pen_a")) { try await $0.fingerprint(ofSession: "A/S-1") }
                == copy.fingerprint)
        #expect(try await withLedger(server.settings("pen_b")) { try await $0.fingerprint(ofSession: "A/S-1") } == nil)
        // A copy that is not what the fleet holds (one event more, sent under the same id) is refused.
        var altered = copy
        altered.events.append(
            FleetEventCopy(
                recordID: "A/E-2", sessionRecordID: "A/S-1", tick: 2, wallTime: "t1", kind: "command", detailJSON: "{}")
        )
        let sent = altered
        await #expect(throws: FleetError.self) {
            _ = try await withLedger(server.settings("pen_a")) { try await $0.store(sent) }
        }
    }

    @Test("A pen showing another pen's certificate, or a wrong password, is not let in")
    func authenticatesAsItself() async throws {
        let server = try FleetServer(pens: Self.pens)
        _ = try await migrate(server)
        for settings in [
            server.settings("pen_b", certificateOf: "pen_a"), server.settings("pen_b", password: "guess"),
        ] {
            // The pool retries a refused login until the question's deadline: never let in.
            await #expect(throws: FleetError.self) {
                try await withLedger(settings, deadline: .seconds(1)) { try await $0.binding(of: "C-1") }
            }
        }
    }

    @Test("A stopped server is unreachable within the deadline, not a wait; back, the ledger answers again")
    func stoppedServerIsUnreachable() async throws {
        let server = try FleetServer(pens: Self.pens)
        _ = try await migrate(server)
        try await withLedger(server.settings("pen_a"), deadline: .milliseconds(500)) { ledger in
            #expect(try await ledger.bind(serial: "C-1", session: "A/S-1") == .bound)
            try server.pause()
            let started = ContinuousClock.now
            await #expect(throws: FleetError.unreachable("no answer within 0.5 seconds")) {
                try await ledger.binding(of: "C-1")
            }
            let waited = ContinuousClock.now - started
            #expect(waited < .seconds(2), "answered unreachable after \(waited)")
            try server.resume()
            #expect(try await ledger.binding(of: "C-1")?.pen == "pen_a")
        }
    }

    @Test("The schema migrates once: a second run changes nothing")
    func migratesOnce() async throws {
        let server = try FleetServer(pens: ["pen_a"])
        #expect(try await migrate(server) == FleetSchema.version)
        #expect(try await migrate(server) == FleetSchema.version)
    }
}
