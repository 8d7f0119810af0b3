import Foundation
import NeedledClient
import NeedledRPC
import TestSupport
import Testing

/// Three simulated pens (the real daemon each) on one real PostgreSQL 15 with TLS: the fleet's
/// single-use ledger across pens, its policies when the fleet cannot be asked, and the conflicts
/// a partition leaves, reported on both pens.
@Suite("The fleet: three pens on one PostgreSQL", .serialized)
struct FleetTests {
    @Test(
        "Reuse across pens refused naming pen and session; a race won by one; a partitioned pen treats on its own ledger and the conflict is reported on both pens; a stopped server refuses under \"refuse\", said within the answer timeout"
    )
    func threePens() throws {
        let fleet = try FleetCluster(pens: ["pen_a", "pen_b", "pen_c"])
        let schema = try fleet.applySchema()
        #expect(schema.code == 0, "\(schema.errors)")
        #expect(schema.output == "the fleet's schema migrated from version 0 to 3\n")
        #expect(try fleet.applySchema().output == "the fleet's schema is at version 3, this release's: nothing to do\n")

        // pen_b reaches the fleet through a network of its own, which the test can cut.
        let proxy = try FleetProxy(to: fleet)
        let a = try DaemonProcess(
            config: fleet.fleetTable(pen: "pen_a", offline: "refuse"), environment: fleet.credentials(pen: "pen_a"))
        let b = try DaemonProcess(
            config: fleet.fleetTable(pen: "pen_b", offline: "local", port: proxy.port),
            environment: fleet.credentials(pen: "pen_b"))
        let c = try DaemonProcess(
            config: fleet.fleetTable(pen: "pen_c", offline: "refuse"), environment: fleet.credentials(pen: "pen_c"))
        let pens = [("pen_a", a), ("pen_b", b), ("pen_c", c)]
        for (_, pen) in pens {
            _ = try pen.call("pen.home")
            try pen.waitFor { $0["state"] == "ready" && $0["fleet"]?["reachable"] == true }
        }
        // The same simulator seed: each pen's chip reads the same serial, one cartridge moved
        // from pen to pen.
        let serial = try #require(a.status()["cartridge"]?["serial"])
        for (_, pen) in pens { #expect(try pen.status()["cartridge"]?["serial"] == serial) }
        let open: (String) -> JSONValue = { cartridge in
            .object([("area", "cheeks"), ("cartridge", .string(cartridge))])
        }
        let cartridge = try #require(serial.text)

        // 1. pen_b cut off: under "local" its own ledger decides, and it says it is behind.
        proxy.partition()
        _ = try b.call("session.open", open(cartridge))
        let cutOff = try b.waitFor { $0["fleet"]?["reachable"] == false && $0["fleet"]?["behindRecords"] == 1 }
        #expect(cutOff["session"]?["id"] == "S-0001")
        #expect(b.waitForLog("taken on this pen's own ledger (offline-cartridges = \"local\")"))

        // 2. pen_a and pen_c race for the cartridge the fleet has not seen: one wins, the other is
        //    refused, told which pen and which session used it.
        let racers = [("pen_a", a), ("pen_c", c)]
        let outcomes = Outcomes()
        let sockets = racers.map(\.1.socketPath)
        let request = open(cartridge)
        DispatchQueue.concurrentPerform(iterations: sockets.count) { index in
            outcomes.set(
                index,
                Result {
                    do {
                        _ = try NeedledClient(path: sockets[index]).call("session.open", params: request)
                        return nil
                    } catch let error as RPCError {
                        return error
                    }
                })
        }
        let errors = try outcomes.all.map { try $0.get() }
        #expect(errors.filter { $0 == nil }.count == 1, "\(errors)")
        let winnerIndex = try #require(errors.firstIndex { $0 == nil })
        let (winner, winnerPen) = racers[winnerIndex]
        let (_, loserPen) = racers[1 - winnerIndex]
        let refusal = try #require(errors[1 - winnerIndex])
        #expect(refusal.code == RPCError.cartridgeRejectedCode)
        #expect(refusal.data?["reason"] == "reused")
        #expect(refusal.data?["pen"] == .string(winner))
        let winnerSession = try #require(refusal.data?["session"]?.text)
        #expect(winnerSession.hasSuffix("-S-0001"))
        #expect(
            refusal.message
                == "Cartridge \(cartridge) was already used on pen \(winner) (session \(winnerSession)). Insert a new sterile cartridge."
        )
        #expect(try loserPen.status()["session"] == .null)

        // 3. The partition heals: pen_b's binding reaches the fleet, which has the winner's. The
        //    conflict is on both pens (status, journal, records' event) naming both sessions.
        proxy.heal()
        let conflicted = try b.waitFor(seconds: 15) { $0["fleet"]?["conflictCount"] == 1 }
        let seenByB = try #require(first(conflicted["fleet"]?["conflicts"]))
        #expect(seenByB["cartridge"] == serial)
        #expect(seenByB["session"] == "S-0001")
        #expect(seenByB["otherPen"] == .string(winner))
        #expect(seenByB["otherSession"] == .string(winnerSession))
        #expect(conflicted["fleet"]?["behindRecords"] == 0)
        let toldWinner = try winnerPen.waitFor(seconds: 15) { $0["fleet"]?["conflictCount"] == 1 }
        let seenByWinner = try #require(first(toldWinner["fleet"]?["conflicts"]))
        #expect(seenByWinner["session"] == "S-0001")
        #expect(seenByWinner["otherPen"] == "pen_b")
        #expect(seenByWinner["otherSession"]?.text?.hasSuffix("-S-0001") == true)
        #expect(b.waitForLog("cartridge conflict: cartridge \(cartridge) served S-0001 on this pen"))
        #expect(winnerPen.waitForLog("cartridge conflict: cartridge \(cartridge) served S-0001 on this pen"))
        let (code, screen, _) = try b.needlectl(["status"])
        #expect(code == 0)
        #expect(screen.contains("fleet      reachable, up to date"), "\(screen)")
        #expect(
            screen.contains(
                "CONFLICT   cartridge \(cartridge) served S-0001 here and \(winnerSession) on pen \(winner)"),
            "\(screen)")

        // 4. The server stopped: under "refuse" a new cartridge is refused, saying why, within the
        //    answer timeout (1 s here), and taken when the server is back.
        _ = try loserPen.call("sim.injectFault", .object([("fault", "cartridgeRemoved")]))
        _ = try loserPen.call("sim.clearFault", .object([("fault", "cartridgeRemoved")]))
        let fresh = try #require(
            loserPen.waitFor { $0["cartridge"]?["serial"] != serial && $0["cartridge"] != .null }["cartridge"]?[
                "serial"]?.text)
        try fleet.pause()
        let asked = Date()
        let offline = try #require(try loserPen.error("session.open", open(fresh)))
        let waited = Date().timeIntervalSince(asked)
        try fleet.resume()
        #expect(waited < 2.5, "answered after \(waited) s")
        #expect(offline.data?["reason"] == "fleetUnreachable")
        #expect(offline.message.hasPrefix("Cartridge \(fresh) cannot be checked: the fleet's server cannot be reached"))
        #expect(offline.message.contains("(offline-cartridges = \"refuse\")"))
        #expect(try loserPen.status()["session"] == .null)
        let taken = try loserPen.poll(seconds: 15) { () -> JSONValue? in
            try loserPen.error("session.open", open(fresh)) == nil ? try loserPen.status() : nil
        }
        #expect(taken?["session"]?["cartridge"] == .string(fresh))
        #expect(taken?["fleet"]?["reachable"] == true)
    }

    @Test(
        "[fleet] without its password credential, or with TLS files that are not PEM: needled does not start (exit 78), saying which"
    )
    func refusesToStartWithoutItsCredentialOrTLS() throws {
        let directory = NSTemporaryDirectory() + "needled-fleet-start-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/credentials", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/needled.toml"
        try """
        [fleet]
        server = "127.0.0.1:1"
        database = "needled_fleet"
        role = "pen_a"
        ca = "/dev/null"
        certificate = "/dev/null"
        key = "/dev/null"

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let start = { (environment: [String: String]) in
            try SpawnedProcess.run(
                DaemonProcess.binary("needled"),
                ["--socket", directory + "/needled.sock", "--state-dir", directory + "/state", "--config", config],
                environment: environment)
        }
        let withoutPassword = try start(["CREDENTIALS_DIRECTORY": ""])
        #expect(withoutPassword.code == 78)
        #expect(
            withoutPassword.errors.contains(
                "cannot start: [fleet] is configured but the fleet's password is not: no credential directory ($CREDENTIALS_DIRECTORY is not set); give it with LoadCredential=fleet-password:/etc/needled/fleet-password in needled.service"
            ), "\(withoutPassword.errors)")
        try "pen_a-password\n".write(
            toFile: directory + "/credentials/fleet-password", atomically: true, encoding: .utf8)
        let notPEM = try start(["CREDENTIALS_DIRECTORY": directory + "/credentials"])
        #expect(notPEM.code == 78)
        #expect(
            notPEM.errors.contains(
                "cannot start: [fleet]: the TLS files cannot be used (ca /dev/null, certificate /dev/null, key /dev/null)"
            ),
            "\(notPEM.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/needled.sock"))
    }

    @Test(
        "Records reach the fleet once, verified by the pen's chain: a treatment with a fault; the server stopped mid-treatment and the records queued; kill -9 while they are copied over a slow link; nothing lost, nothing doubled"
    )
    func recordsReachTheFleetOnce() throws {
        let fleet = try FleetCluster(pens: ["pen_a"])
        #expect(try fleet.applySchema().code == 0)
        // A slow link (100 ms each way): a session's copy takes several round trips, so the kill
        // below falls while one is under way.
        let proxy = try FleetProxy(to: fleet, delayMilliseconds: 100)
        let config = fleet.fleetTable(pen: "pen_a", offline: "local", port: proxy.port, answerMilliseconds: 3000)
        let environment = try fleet.credentials(pen: "pen_a")
        // The first run's folder holds the records the second run takes over: kept to the end.
        let firstRun = try DaemonProcess(config: config, environment: environment)
        defer { withExtendedLifetime(firstRun) {} }
        var pen = firstRun
        try pen.waitFor(seconds: 15) { $0["fleet"]?["reachable"] == true }

        // 1. A treatment with a fault (its flight window), the fleet answering.
        try pen.startTreatment()
        #expect(try pen.waitForTicks(300))
        _ = try pen.call("sim.injectFault", .object([("fault", "stall")]))
        try pen.waitFor { $0["state"] == "fault" }
        _ = try pen.call("sim.clearFault", .object([("fault", "stall")]))
        #expect(pen.resetWhenStill())
        _ = try pen.call("session.close")
        try pen.waitFor(seconds: 20) { $0["fleet"]?["behindRecords"] == 0 }

        // 2. The server stopped mid-treatment: the treatment goes on, the records queue.
        for session in 2...4 {
            _ = try pen.call("sim.injectFault", .object([("fault", "cartridgeRemoved")]))
            _ = try pen.call("sim.clearFault", .object([("fault", "cartridgeRemoved")]))
            try pen.startTreatment()
            if session == 2 { try fleet.pause() }
            #expect(try pen.waitForTicks(300))
            #expect(try pen.status()["state"] == "running")
            _ = try pen.call("pen.stop")
            try pen.waitFor { $0["state"] == "ready" }
            _ = try pen.call("session.close")
        }
        let queued = try pen.waitFor(seconds: 20) {
            $0["fleet"]?["reachable"] == false && ($0["fleet"]?["behindRecords"]?.integer ?? 0) >= 3
        }
        #expect(queued["fault"] == .null)

        // 3. The server back, and needled killed with -9 at a moment while it copies; started again.
        try fleet.resume()
        usleep(UInt32.random(in: 300_000...2_500_000))
        pen.killHard()
        pen = try DaemonProcess(config: config, stateDirectory: pen.stateDirectory, environment: environment)
        try pen.waitFor(seconds: 30) { $0["fleet"]?["reachable"] == true && $0["fleet"]?["behindRecords"] == 0 }

        // 4. Each session in the fleet once, equal to the pen's: the chain's length and last hash,
        //    the seal, the events and faults; every event and fault once; each flight window whole.
        let database = pen.stateDirectory + "/needled.sqlite"
        let localRun = try DaemonProcess.run(
            "/usr/bin/sqlite3",
            [
                database,
                """
                SELECT 'S-' || substr('0000' || s.id, -4), s.seal_sha256,
                    (SELECT count(*) FROM chain_link WHERE session_id = s.id),
                    (SELECT chain_sha256 FROM chain_link WHERE session_id = s.id ORDER BY seq DESC LIMIT 1),
                    (SELECT count(*) FROM event WHERE session_id = s.id),
                    (SELECT count(*) FROM fault_record WHERE session_id = s.id)
                FROM session s ORDER BY s.id
                """,
            ])
        let local = localRun.1
        #expect(localRun.0 == 0, "\(localRun.2)")
        let inFleet = try fleet.query(
            """
            SELECT right(s.record_id, 6), s.seal_sha256,
                (SELECT count(*) FROM session_chain_link WHERE session_record_id = s.record_id),
                (SELECT chain_sha256 FROM session_chain_link WHERE session_record_id = s.record_id
                    ORDER BY seq DESC LIMIT 1),
                (SELECT count(*) FROM event_record WHERE session_record_id = s.record_id),
                (SELECT count(*) FROM fault_record WHERE session_record_id = s.record_id)
            FROM session_record s WHERE pen = 'pen_a' ORDER BY s.record_id
            """)
        #expect(local.split(separator: "\n").count == 4, "\(local)")
        #expect(inFleet == local)
        let localTotals = try DaemonProcess.run(
            "/usr/bin/sqlite3",
            [
                database,
                "SELECT (SELECT count(*) FROM event), (SELECT count(*) FROM fault_record), (SELECT sum(sample_count) FROM fault_record)",
            ]
        ).1
        let fleetTotals = try fleet.query(
            """
            SELECT (SELECT count(*) FROM event_record WHERE pen = 'pen_a'),
                (SELECT count(*) FROM fault_record WHERE pen = 'pen_a'),
                (SELECT sum(jsonb_array_length(flight_window)) FROM fault_record WHERE pen = 'pen_a')
            """)
        #expect(fleetTotals == localTotals)
        // The treatment's fault is among them, its window whole.
        #expect(localTotals.split(separator: "|").dropFirst().first == "1", "\(localTotals)")
        #expect(pen.waitForLog("stored and verified") || pen.waitForLog("held already and verified"))
    }

    private func first(_ array: JSONValue?) -> JSONValue? {
        guard case .array(let elements) = array else { return nil }
        return elements.first
    }
}

/// The racers' answers, each written by its own thread.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<RPCError?, any Error>] = [:]

    func set(_ index: Int, _ result: Result<RPCError?, any Error>) { lock.withLock { results[index] = result } }
    var all: [Result<RPCError?, any Error>] { lock.withLock { results.keys.sorted().map { results[$0]! } } }
}
