import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// kill -9 at random moments during treatments on the simulated pen; after every restart the
/// records must be intact, complete and honest. `CRASH_TREATMENTS` sets the count (default 100).
@Suite("Crash campaign", .serialized)
struct CrashCampaignTests {
    @Test("kill -9 during treatments: integrity ok, nothing acknowledged lost, interrupted sessions closed as such")
    func crashCampaign() throws {
        let treatments = Int(ProcessInfo.processInfo.environment["CRASH_TREATMENTS"] ?? "") ?? 100
        var random = SystemRandomNumberGenerator()
        let stateRoot = NSTemporaryDirectory() + "needled-crash-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: stateRoot) }
        var acknowledgedOpen: [String: String] = [:]  // session id → cartridge
        var acknowledgedClosed: Set<String> = []
        var kills = 0
        var checked = 0
        var lost = 0
        var daemon = try DaemonProcess(config: "[daemon]\nsimulator-seed = 1\n", stateDirectory: stateRoot)
        for treatment in 1...treatments {
            // One treatment, killed after a random moment of it.
            let deadline = Date().addingTimeInterval(Double.random(in: 0.05...1.5, using: &random))
            var open: (id: String, cartridge: String)?
            func step(_ body: () throws -> Void) { if Date() < deadline { try? body() } }
            step {
                let serial = try daemon.status()["cartridge"]?["serial"]?.text ?? ""
                let reply = try daemon.call(
                    "session.open", .object([("area", "cheeks"), ("cartridge", .string(serial))]))
                if let id = reply["session"]?["id"]?.text {
                    open = (id, serial)
                    acknowledgedOpen[id] = serial
                }
            }
            step { _ = try daemon.call("pen.home") }
            while Date() < deadline, (try? daemon.status()["state"]) != "ready" { usleep(10_000) }
            step { _ = try daemon.call("pen.arm") }
            step { _ = try daemon.call("pen.start") }
            step { _ = try daemon.call("pen.setDepth", .object([("micrometres", 300)])) }
            if let current = open, Double.random(in: 0...1, using: &random) < 0.3 {
                step {
                    _ = try daemon.call("pen.stop")
                    try daemon.waitFor(seconds: 1) { $0["state"] == "ready" }
                    _ = try daemon.call("session.close")
                    acknowledgedClosed.insert(current.id)
                }
            }
            while Date() < deadline { usleep(5_000) }
            daemon.killHard()
            kills += 1

            // Restart on the same records with a new seed: a new simulated cartridge.
            daemon = try DaemonProcess(
                config: "[daemon]\nsimulator-seed = \(treatment + 1)\n", stateDirectory: stateRoot)
            #expect(daemon.log.contains("records: integrity_check ok"), "integrity after kill \(kills)")
            for (id, cartridge) in acknowledgedOpen {
                checked += 1
                guard let record = try? daemon.call("session.get", .object([("id", .string(id))])) else {
                    lost += 1
                    continue
                }
                let expectedReason = acknowledgedClosed.contains(id) ? "closed" : "interrupted"
                #expect(record["closeReason"] == .string(expectedReason), "\(id) after kill \(kills)")
                #expect(record["cartridge"] == .string(cartridge))
            }
            if let current = open, !acknowledgedClosed.contains(current.id) {
                let cartridge = try daemon.call("cartridge.get", .object([("serial", .string(current.cartridge))]))
                #expect(cartridge["session"] == .string(current.id), "the interrupted session's cartridge stays bound")
            }
        }
        print(
            "FIGURE crash campaign: \(treatments) treatments, \(kills) kills, \(acknowledgedOpen.count) sessions acknowledged, \(checked) record checks, \(lost) records lost"
        )
        #expect(lost == 0)
        #expect(acknowledgedOpen.count >= treatments / 2, "most treatments got as far as an open session")
    }
}
