import Foundation
import Testing

/// The record chain through the real daemon (issue 17, item 4): a treatment's records verify
/// intact with needlectl; an event edited with the `sqlite3` CLI while needled is stopped is
/// named at the next start's verify, with exit 3.
@Suite("needlectl session verify and records verify")
struct RecordChainIntegrationTests {
    @Test("A treatment verifies intact; an edited event is named, exit 3")
    func treatmentThenEdit() throws {
        let daemon = try DaemonProcess()
        try daemon.startTreatment()
        let samples = try daemon.poll(seconds: 10) { () -> Int? in
            guard case .array(let rows) = try daemon.call("session.telemetry", .object([("id", "S-0001")])),
                rows.count >= 15
            else { return nil }
            return rows.count
        }
        #expect(samples != nil, "fewer than 15 telemetry samples in 10 s")
        _ = try daemon.call("pen.stop")
        try daemon.waitFor(seconds: 10) { $0["state"] == "ready" }
        _ = try daemon.call("session.close")

        let (code, output, errors) = try daemon.needlectl(["session", "verify", "S-0001"])
        #expect(code == 0, "\(output)\(errors)")
        #expect(output.hasPrefix("S-0001: intact ("), "\(output)")
        #expect(output.hasSuffix(" links, sealed).\n"), "\(output)")
        let (recordsCode, records, _) = try daemon.needlectl(["records", "verify"])
        #expect(recordsCode == 0)
        #expect(records == "1 session: 1 intact, 0 open, 0 recorded before chaining, 0 that do not verify.\n")
        #expect(daemon.stop() == 0)

        // The start command's outcome rewritten as if it had been refused.
        let path = daemon.stateDirectory + "/needled.sqlite"
        let (edited, _, editErrors) = try DaemonProcess.run(
            "/usr/bin/sqlite3",
            [
                path,
                "UPDATE event SET detail_json = replace(detail_json, 'accepted', 'rejected') WHERE id = (SELECT min(id) FROM event WHERE session_id = 1 AND detail_json LIKE '%\"start\"%')",
            ])
        #expect(edited == 0, "\(editErrors)")
        let (_, eventID, _) = try DaemonProcess.run(
            "/usr/bin/sqlite3",
            [path, "SELECT id FROM event WHERE session_id = 1 AND detail_json LIKE '%\"start\"%rejected%'"])
        let id = eventID.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!id.isEmpty)

        let again = try DaemonProcess(stateDirectory: daemon.stateDirectory)
        defer { again.stop() }
        let (brokenCode, broken, _) = try again.needlectl(["session", "verify", "S-0001"])
        #expect(brokenCode == 3)
        #expect(broken.hasPrefix("S-0001: DOES NOT VERIFY: event #\(id) (tick "), "\(broken)")
        #expect(broken.contains(", command) differs from what was chained (link "), "\(broken)")
        let (allCode, all, _) = try again.needlectl(["records", "verify"])
        #expect(allCode == 3)
        #expect(
            all.hasPrefix(
                "1 session: 0 intact, 0 open, 0 recorded before chaining, 1 that do not verify.\n  S-0001: DOES NOT VERIFY: event #\(id)"
            ), "\(all)")
        let verdict = try again.call("session.verify", .object([("id", "S-0001")]))
        #expect(verdict["state"] == "broken")
        #expect(verdict["intact"] == false)
    }
}
