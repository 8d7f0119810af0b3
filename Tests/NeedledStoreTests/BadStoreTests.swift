import Foundation
import GRDB
import Testing

@testable import NeedledStore

/// A store that is damaged, cut short or from a newer needled is refused at open with the file
/// and what to do, and left as it was found (issue 17, item 7).
@Suite("Bad stores are refused, with what to do")
struct BadStoreTests {
    let newest = TreatmentStore.schemaSteps.count

    func openError(_ state: String) -> String? {
        do {
            let store = try TreatmentStore(directory: state)
            try store.checkIntegrity()
            return nil
        } catch {
            return error.description
        }
    }

    @Test("A corrupt file (its header overwritten) is damaged: keep it, restore a backup or begin a new store")
    func corrupt() throws {
        let state = try StoreFixture.stateDirectory(version: newest)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let path = state + "/needled.sqlite"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 100))
        try handle.close()
        let before = try StoreFixture.sha256(path)

        let message = try #require(openError(state))
        #expect(message.hasPrefix("The treatment records at \(path) are damaged (SQLite: file is not a database)."))
        #expect(message.contains("keep the file as it is"))
        #expect(message.contains("`needled new-store --reason \"…\"`"))
        #expect(try StoreFixture.sha256(path) == before, "the refused file was changed")
    }

    @Test("A file cut short (a copy that stopped, a full disk) is damaged")
    func truncated() throws {
        let state = try StoreFixture.stateDirectory(version: newest)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let path = state + "/needled.sqlite"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size / 3)) == 0)

        let message = try #require(openError(state))
        #expect(message.hasPrefix("The treatment records at \(path) are damaged ("), "\(message)")
        #expect(message.contains("needled does not treat until then, because the cartridge ledger is in these records"))
    }

    @Test("A store a newer needled wrote is refused, not migrated, and left unchanged")
    func newerVersion() throws {
        let state = try StoreFixture.stateDirectory(version: newest)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let path = state + "/needled.sqlite"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99: a step from the future')")
        }
        // All of it in the main file, so that its hash is the whole store.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        let before = try StoreFixture.sha256(path)

        let message = try #require(openError(state))
        #expect(
            message
                == "The treatment records at \(path) were written by a newer needled (schema steps this version does not know: \"v99: a step from the future\"). This version does not open them, since it could misread or drop what the newer one keeps: run the newer needled again, or restore a backup of the store this version wrote."
        )
        #expect(try StoreFixture.sha256(path) == before)
    }

    @Test("A file that is not SQLite at all (a config saved over it) is damaged")
    func notADatabase() throws {
        let state = NSTemporaryDirectory() + "needled-store-bad-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        try String(repeating: "[limits]\nmax-depth-micrometres = 1000\n", count: 200).write(
            toFile: state + "/needled.sqlite", atomically: true, encoding: .utf8)
        let message = try #require(openError(state))
        #expect(
            message.hasPrefix(
                "The treatment records at \(state)/needled.sqlite are damaged (SQLite: file is not a database)."))
    }
}

/// What was acknowledged survives a power cut: the writer runs with synchronous=FULL. GRDB's WAL
/// set-up had lowered it to NORMAL after the store asked for FULL (found with these tests).
@Test("The store's writer commits with synchronous=FULL")
func writerIsSynchronousFull() async throws {
    let state = NSTemporaryDirectory() + "needled-store-sync-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: state) }
    let store = try TreatmentStore(directory: state)
    #expect(try await store.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
}
