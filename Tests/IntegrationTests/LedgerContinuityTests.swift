import Foundation
import Testing

/// The cartridge ledger cannot be lost silently (issue 17): a pen that has kept records and
/// finds its store missing, empty or another pen's does not start; only `needled new-store`
/// begins a new one. Before this, deleting needled.sqlite let the same cartridge open a new
/// session on the next start.
@Suite("The records store is the pen's own")
struct LedgerContinuityTests {
    /// Opens and closes a session with the pen's cartridge; returns its serial.
    func treatOnce(_ daemon: DaemonProcess) throws -> String {
        _ = try daemon.call("pen.home")
        try daemon.waitFor { $0["state"] == "ready" }
        let serial = try #require(try daemon.status()["cartridge"]?["serial"]?.text)
        _ = try daemon.call("session.open", .object([("area", "cheeks"), ("cartridge", .string(serial))]))
        _ = try daemon.call("session.close")
        return serial
    }

    /// Starts needled on `state` expecting it to refuse: its exit status and log.
    func refusedStart(_ state: String) throws -> (Int32, String) {
        let directory = NSTemporaryDirectory() + "needled-refused-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (code, output, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needled"), ["--socket", directory + "/s.sock", "--state-dir", state])
        return (code, output + errors)
    }

    func storeFiles(_ state: String) -> [String] {
        ["needled.sqlite", "needled.sqlite-wal", "needled.sqlite-shm"].map { state + "/" + $0 }
    }

    @Test("A store deleted after a treatment is refused at start, with what to do; nothing treats on an empty ledger")
    func deletedStoreIsRefused() throws {
        let first = try DaemonProcess()
        let serial = try treatOnce(first)
        let penID = try #require(try first.call("daemon.info")["records"]?["penID"]?.text)
        #expect(first.stop() == 0)
        for file in storeFiles(first.stateDirectory) { try? FileManager.default.removeItem(atPath: file) }

        let (code, log) = try refusedStart(first.stateDirectory)
        #expect(code == 65, "\(log)")
        #expect(
            log.contains(
                "cannot start: the treatment records at \(first.stateDirectory)/needled.sqlite are missing, but this pen (\(penID)) has kept its records in store "
            ), "\(log)")
        #expect(log.contains("Without them it cannot tell a used cartridge from a new one, so it does not treat."))
        #expect(log.contains("`needled new-store --reason \"…\"`"))
        #expect(
            !FileManager.default.fileExists(atPath: first.stateDirectory + "/needled.sqlite"),
            "the refusal created an empty store")
        _ = serial
    }

    @Test("An empty store, or another pen's, is refused as well")
    func emptyOrForeignStoreIsRefused() throws {
        let mine = try DaemonProcess()
        _ = try treatOnce(mine)
        let minePen = try #require(try mine.call("daemon.info")["records"]?["penID"]?.text)
        let mineSession = try mine.call("session.get", .object([("id", "S-0001")]))
        #expect(mine.stop() == 0)
        let other = try DaemonProcess()
        _ = try treatOnce(other)
        let otherPen = try #require(try other.call("daemon.info")["records"]?["penID"]?.text)
        let otherSession = try other.call("session.get", .object([("id", "S-0001")]))
        #expect(other.stop() == 0)
        // Each pen's first session is its S-0001; their record ids name the pen and its store.
        #expect(minePen != otherPen)
        #expect(mineSession["recordID"] == .string("\(minePen)-1-S-0001"))
        #expect(otherSession["recordID"] == .string("\(otherPen)-1-S-0001"))

        // Another pen's store in this pen's place (with its write-ahead log: a copy of the
        // database file alone can lack the last transactions).
        let path = mine.stateDirectory + "/needled.sqlite"
        for file in storeFiles(mine.stateDirectory) { try? FileManager.default.removeItem(atPath: file) }
        for (from, to) in zip(storeFiles(other.stateDirectory), storeFiles(mine.stateDirectory))
        where FileManager.default.fileExists(atPath: from) {
            try FileManager.default.copyItem(atPath: from, toPath: to)
        }
        let (foreignCode, foreign) = try refusedStart(mine.stateDirectory)
        #expect(foreignCode == 65)
        #expect(foreign.contains("the treatment records at \(path) are another pen's (\(otherPen))"), "\(foreign)")

        // An empty file where the store was (what some recoveries leave).
        for file in storeFiles(mine.stateDirectory) { try? FileManager.default.removeItem(atPath: file) }
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let (emptyCode, empty) = try refusedStart(mine.stateDirectory)
        #expect(emptyCode == 65)
        #expect(empty.contains("the treatment records at \(path) are empty or not this pen's"), "\(empty)")
    }

    @Test(
        "needled new-store begins a new store on purpose: the pen keeps its id, the old file is kept aside, the reason is recorded"
    )
    func newStoreOnPurpose() throws {
        let first = try DaemonProcess()
        let serial = try treatOnce(first)
        let before = try #require(try first.call("daemon.info")["records"])
        #expect(before["storeNumber"] == .int(1))
        #expect(first.stop() == 0)
        let state = first.stateDirectory

        // Without a reason it is refused.
        let (noReason, _, noReasonError) = try DaemonProcess.run(
            DaemonProcess.binary("needled"), ["new-store", "--state-dir", state, "--reason", " "])
        #expect(noReason != 0)
        #expect(noReasonError.contains("--reason must say why a new store is started."), "\(noReasonError)")

        let (code, output, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needled"),
            ["new-store", "--state-dir", state, "--reason", "the storage was replaced"])
        #expect(code == 0, "\(errors)")
        #expect(output.contains("needled: a new records store for pen \(before["penID"]?.text ?? "?")"), "\(output)")
        #expect(output.contains("It replaces store \(before["storeID"]?.text ?? "?")."))
        let aside = try FileManager.default.contentsOfDirectory(atPath: state).filter {
            $0.hasPrefix("needled.sqlite.replaced-") && !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm")
        }
        #expect(aside.count == 1, "\(aside)")

        let second = try DaemonProcess(stateDirectory: state)
        let after = try #require(try second.call("daemon.info")["records"])
        #expect(after["penID"] == before["penID"])
        #expect(after["storeID"] != before["storeID"])
        #expect(after["storeNumber"] == .int(2))
        // The new store does not know the cartridge: that is what the operator accepted.
        #expect(try second.error("cartridge.get", .object([("serial", .string(serial))])) != nil)
        // Its first session is S-0001 again, and its record id says which store it is in.
        _ = try treatOnce(second)
        let session = try second.call("session.get", .object([("id", "S-0001")]))
        #expect(session["recordID"] == .string("\(before["penID"]?.text ?? "?")-2-S-0001"), "\(session.serialized)")
    }

    @Test("A damaged identity file is refused naming its line; a missing one is written again from the store")
    func identityFile() throws {
        let first = try DaemonProcess()
        _ = try treatOnce(first)
        let before = try #require(try first.call("daemon.info")["records"])
        #expect(first.stop() == 0)
        let identityPath = first.stateDirectory + "/pen-identity"
        let kept = try String(contentsOfFile: identityPath, encoding: .utf8)
        #expect(kept.contains("pen-id = \(before["penID"]?.text ?? "?")\n"))

        try Data(Array(kept.utf8.prefix(40)) + [0, 0, 0, 0]).write(to: URL(fileURLWithPath: identityPath))
        let (code, log) = try refusedStart(first.stateDirectory)
        #expect(code == 65)
        #expect(log.contains("the pen's identity file \(identityPath):"), "\(log)")
        #expect(log.contains("holds a NUL byte: the file is damaged."))

        try FileManager.default.removeItem(atPath: identityPath)
        let second = try DaemonProcess(stateDirectory: first.stateDirectory)
        #expect(try second.call("daemon.info")["records"] == before)
        #expect(second.waitForLog("the pen's identity file was missing and is written again from the store"))
        #expect(try String(contentsOfFile: identityPath, encoding: .utf8) == kept)
    }
}
