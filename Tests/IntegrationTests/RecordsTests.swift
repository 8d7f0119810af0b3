import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// Treatment records and single-use cartridges, durable across restarts and crashes.
@Suite("Records across restarts", .serialized)
struct RecordsTests {
    func openSession(_ daemon: DaemonProcess, area: String = "cheeks") throws -> (String, String) {
        _ = try daemon.call("pen.home")
        try daemon.waitFor { $0["state"] == "ready" }
        let serial = try daemon.status()["cartridge"]?["serial"]?.text ?? ""
        let opened = try daemon.call(
            "session.open", .object([("area", .string(area)), ("cartridge", .string(serial))]))
        return (opened["session"]?["id"]?.text ?? "", serial)
    }

    @Test("A used cartridge is refused as reused after a restart")
    func reusedAcrossRestart() throws {
        let first = try DaemonProcess()
        let (id, serial) = try openSession(first)
        #expect(id == "S-0001")
        _ = try first.call("session.close")
        let state = first.stateDirectory
        first.stop()
        let second = try DaemonProcess(stateDirectory: state)
        _ = try second.call("pen.home")
        try second.waitFor { $0["state"] == "ready" }
        let refused = try #require(
            try second.error("session.open", .object([("area", "neck"), ("cartridge", .string(serial))])))
        #expect(refused.code == -32005)
        #expect(refused.data == .object([("reason", "reused")]))
        #expect(
            refused.message == "Cartridge \(serial) was already used for a session. Insert a new sterile cartridge.")
        let listed = try second.call("session.list")
        guard case .array(let sessions) = listed else { Issue.record("not a list: \(listed)"); return }
        #expect(sessions.count == 1)
        #expect(sessions.first?["closeReason"] == "closed")
    }

    @Test("kill -9 with a session open: at the next start it is closed as interrupted, its cartridge still refused")
    func interruptedByCrash() throws {
        let first = try DaemonProcess()
        let (id, serial) = try openSession(first)
        _ = try first.call("pen.arm")
        _ = try first.call("pen.start")
        first.killHard()
        let second = try DaemonProcess(stateDirectory: first.stateDirectory)
        #expect(second.log.contains("closed as interrupted: \(id)"))
        let record = try second.call("session.get", .object([("id", .string(id))]))
        #expect(record["closeReason"] == "interrupted")
        #expect(record["closedAt"] != .null)
        let cartridge = try second.call("cartridge.get", .object([("serial", .string(serial))]))
        #expect(cartridge["session"] == .string(id))
        _ = try second.call("pen.home")
        try second.waitFor { $0["state"] == "ready" }
        #expect(
            try second.error("session.open", .object([("area", "neck"), ("cartridge", .string(serial))]))?.data
                == .object([("reason", "reused")]))
        #expect(try second.status()["state"] == "ready", "nothing resumed by itself")
    }

    @Test("The session's record holds its state changes, commands (with refusals) and faults")
    func sessionEvents() throws {
        let daemon = try DaemonProcess()
        let (id, _) = try openSession(daemon)
        _ = try daemon.call("pen.arm")
        _ = try daemon.call("pen.start")
        _ = try daemon.error("pen.setDepth", .object([("micrometres", 5000)]))
        _ = try daemon.call("pen.emergencyStop")
        // The recorder writes behind the loop, never in its way, and in order: once the fault is
        // in the record, everything before it is.
        let events = try #require(
            try daemon.poll { () -> [JSONValue]? in
                guard try Self.recordHasFault(daemon, session: id),
                    case .array(let events) = try daemon.call("session.get", .object([("id", .string(id))]))["events"]
                else { return nil }
                return events
            }, "the fault never reached the session's record")
        let kinds = events.compactMap { $0["kind"]?.text }
        #expect(kinds.contains("stateChanged"))
        #expect(events.contains { $0["kind"] == "stateChanged" && $0["detail"]?["to"] == "running" })
        #expect(
            events.contains {
                $0["kind"] == "command" && $0["detail"]?["command"] == "start" && $0["detail"]?["outcome"] == "accepted"
            })
        #expect(
            events.contains {
                $0["kind"] == "command" && $0["detail"]?["command"] == "setDepth"
                    && $0["detail"]?["outcome"] == "rejected"
            })
        #expect(events.contains { $0["kind"] == "fault" && $0["detail"]?["fault"]?["code"] == "emergencyStop" })
        let ticks = events.compactMap { $0["tick"]?.integer }
        #expect(ticks == ticks.sorted(), "events in tick order")
    }

    @Test("needlectl lists sessions and cartridges, and shows a session's events")
    func needlectlRecords() throws {
        let daemon = try DaemonProcess()
        let (id, serial) = try openSession(daemon, area: "neck")
        #expect(
            try daemon.needlectl(["cartridge", "register", "SPARE-01", "--needles", "12"]) == (
                0, "Cartridge SPARE-01 registered.\n", ""
            ))
        let (listCode, list, _) = try daemon.needlectl(["session", "list"])
        #expect(listCode == 0)
        #expect(list.hasPrefix("\(id)  neck  cartridge \(serial)  opened "))
        #expect(list.contains("  open"))
        let (_, cartridges, _) = try daemon.needlectl(["cartridge", "list"])
        #expect(cartridges.contains("\(serial)  12 needles  used in \(id)"))
        #expect(cartridges.contains("SPARE-01  12 needles  unused"))
        _ = try daemon.call("pen.emergencyStop")
        #expect(try daemon.poll { try Self.recordHasFault(daemon, session: id) ? true : nil } == true)
        let (showCode, show, _) = try daemon.needlectl(["session", "show", id])
        #expect(showCode == 0)
        #expect(show.contains("session    \(id) on neck, cartridge \(serial)"))
        #expect(show.contains("emergencyStop"))
        #expect(try daemon.needlectl(["session", "list", "--limit", "0"]).0 == 2)
    }

    @Test("Telemetry at 10 Hz in the session's record; removing the cartridge ends its use")
    func telemetryAndCartridgeUse() throws {
        let daemon = try DaemonProcess()
        let (id, serial) = try openSession(daemon)
        _ = try daemon.call("pen.arm")
        _ = try daemon.call("pen.start")
        // 1.2 s of the loop's ticks (1 kHz), counted by the loop, not the test's clock.
        let started = try #require(try daemon.status()["tick"]?.integer)
        #expect(try daemon.poll { try daemon.status()["tick"]!.integer! >= started + 1_200 ? true : nil } == true)
        _ = try daemon.call("sim.injectFault", .object([("fault", "cartridgeRemoved")]))
        // The cartridge's use ends in the records when it leaves the slot (written behind the loop).
        #expect(
            try daemon.poll {
                try daemon.call("cartridge.get", .object([("serial", .string(serial))]))["useEndedAt"] != .null
                    ? true : nil
            } == true)
        let samples = try daemon.call("session.telemetry", .object([("id", .string(id))]))
        guard case .array(let rows) = samples else { Issue.record("not a list: \(samples)"); return }
        print("FIGURE session telemetry: \(rows.count) samples over about 1.5 s")
        #expect((11...20).contains(rows.count), "about 10 a second")
        let ticks = rows.compactMap { $0["tick"]?.integer }
        #expect(
            zip(ticks.dropFirst(), ticks.dropFirst(2)).allSatisfy { $1 - $0 >= 90 && $1 - $0 <= 250 },
            "100 ms apart after the first: \(ticks)")
        #expect(rows.contains { $0["state"] == "running" && ($0["speedHertz"]?.number ?? 0) > 50 })
    }

    /// Whether the session's record holds a fault event yet.
    static func recordHasFault(_ daemon: DaemonProcess, session id: String) throws -> Bool {
        guard case .array(let events) = try daemon.call("session.get", .object([("id", .string(id))]))["events"]
        else { return false }
        return events.contains { $0["kind"] == "fault" }
    }

    @Test("Registered cartridges: expired and unknown are refused with their reasons")
    func registeredCartridges() throws {
        let daemon = try DaemonProcess()
        let registered = try daemon.call(
            "cartridge.register",
            .object([("serial", "LOT7-0001"), ("needles", 12), ("lot", "LOT7"), ("expires", "2020-01-31")]))
        #expect(registered["expires"] == "2020-01-31")
        let listed = try daemon.call("cartridge.list")
        guard case .array(let all) = listed else { Issue.record("not a list"); return }
        #expect(all.contains { $0["serial"] == "LOT7-0001" })
        #expect(
            try daemon.error("cartridge.get", .object([("serial", "NOPE")]))?.data == .object([("reason", "unknown")]))
        let badDate = try #require(
            try daemon.error("cartridge.register", .object([("serial", "X1"), ("needles", 12), ("expires", "soon")])))
        #expect(badDate.message == "Invalid params: \"expires\" must be a date as YYYY-MM-DD, not \"soon\".")
    }

    @Test("A state directory that cannot be created stops the daemon with a clear error (exit 73)")
    func unwritableStore() throws {
        let (code, _, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needled"),
            ["--state-dir", "/proc/needled-records", "--socket", NSTemporaryDirectory() + "never-store.sock"])
        #expect(code == 73)
        #expect(
            errors.contains(
                "cannot start: The treatment records at /proc/needled-records cannot be opened: cannot create the state directory"
            ))
    }
}
