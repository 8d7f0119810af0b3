import Foundation
import Testing

/// needled itself on stores an earlier version wrote, and on bad ones (issue 17, item 7): the
/// oldest schema opens with its records and ledger; a damaged, read-only or newer store stops the
/// start with the file named and what to do (exit 73), and is left as it was found.
@Suite("needled on old and bad stores")
struct StoreUpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/stores")

    /// A state directory holding fixture `version` as needled.sqlite, loaded with the sqlite3 CLI.
    func stateDirectory(version: Int) throws -> String {
        let state = NSTemporaryDirectory() + "needled-old-store-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let dump = try String(
            contentsOf: Self.fixtures.appendingPathComponent("store-v\(version).sql"), encoding: .utf8)
        let (code, _, errors) = try DaemonProcess.run(
            "/usr/bin/sqlite3", [state + "/needled.sqlite"], stdin: dump + "\nPRAGMA journal_mode = WAL;\n")
        #expect(code == 0, "\(errors)")
        return state
    }

    func sqlite(_ path: String, _ sql: String) throws {
        let (code, _, errors) = try DaemonProcess.run("/usr/bin/sqlite3", [path, sql])
        #expect(code == 0, "\(errors)")
    }

    /// needled started on `state`, expected to refuse: its exit status and what it printed.
    func refusedStart(_ state: String, prefix: [String] = []) throws -> (Int32, String) {
        let (code, output, errors) = try DaemonProcess.run(
            prefix.isEmpty ? DaemonProcess.binary("needled") : prefix[0],
            Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [DaemonProcess.binary("needled")])
                + ["--socket", state + "/needled.sock", "--state-dir", state])
        return (code, output + errors)
    }

    @Test("A store of the first schema version runs: its session, its used cartridge and a new identity")
    func oldestStoreRuns() throws {
        let state = try stateDirectory(version: 1)
        let daemon = try DaemonProcess(stateDirectory: state)
        defer { daemon.stop() }
        #expect(daemon.waitForLog("records: an identity for a store kept before identities were"))
        let session = try daemon.call("session.get", .object([("id", "S-0001")]))
        #expect(session["area"] == "forehead", "\(session)")
        #expect(session["reference"] == "REF-V1")
        let cartridge = try daemon.call("cartridge.get", .object([("serial", "FIXTURE-V1-CART")]))
        #expect(cartridge["session"] == "S-0001", "the ledger lost the cartridge's use: \(cartridge)")
        let penID = try #require(try daemon.call("daemon.info")["records"]?["penID"]?.text)
        #expect(session["recordID"] == .string("\(penID)-1-S-0001"))
    }

    @Test("A damaged store stops the start: the file, keep it, restore or begin a new store")
    func damagedStore() throws {
        let state = try stateDirectory(version: 7)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let path = state + "/needled.sqlite"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 3)) == 0)
        let (code, log) = try refusedStart(state)
        #expect(code == 73, "\(log)")
        #expect(log.contains("cannot start: The treatment records at \(path) are damaged ("), "\(log)")
        #expect(log.contains("Stop needled, keep the file as it is, and restore the store from a backup"))
        #expect(log.contains("`needled new-store --reason \"…\"`"))
    }

    @Test("A store from a newer needled stops the start and is not migrated")
    func newerStore() throws {
        let state = try stateDirectory(version: 7)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let path = state + "/needled.sqlite"
        try sqlite(path, "INSERT INTO grdb_migrations VALUES ('v99: a step from the future')")
        let (code, log) = try refusedStart(state)
        #expect(code == 73, "\(log)")
        #expect(
            log.contains(
                "cannot start: The treatment records at \(path) were written by a newer needled (schema steps this version does not know: \"v99: a step from the future\")."
            ), "\(log)")
        let (_, tables, _) = try DaemonProcess.run("/usr/bin/sqlite3", [path, "SELECT count(*) FROM grdb_migrations"])
        #expect(tables.trimmingCharacters(in: .whitespacesAndNewlines) == "8")
    }

    @Test("A store needled cannot write stops the start, naming the file and how to make it writable")
    func readOnlyStore() throws {
        let state = try stateDirectory(version: 7)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let path = state + "/needled.sqlite"
        // Permissions do not stop root: as root the daemon runs as nobody, as on a pen it runs as
        // the needled user.
        var prefix: [String] = []
        if getuid() == 0 {
            #expect(chown(state, 65534, 65534) == 0)
            prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        }
        #expect(chmod(path, 0o444) == 0)
        let (code, log) = try refusedStart(state, prefix: prefix)
        #expect(code == 73, "\(log)")
        #expect(
            log.contains(
                "cannot start: The treatment records at \(path) cannot be written (Permission denied). needled writes every treatment's record before it treats"
            ), "\(log)")
        #expect(log.contains("`chown needled: \(path)*`"))
    }
}
