import Foundation
import GRDB
import NeedledStore

/// A records store as an earlier schema version left it, rebuilt from its frozen dump in
/// Tests/Fixtures/stores (store-vN.sql: text, so a review sees what each version kept).
enum StoreFixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/stores")

    /// The versions with a fixture, oldest first.
    static var versions: [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix("store-v"), name.hasSuffix(".sql") else { return nil }
            return Int(name.dropFirst("store-v".count).dropLast(".sql".count))
        }.sorted()
    }

    static func dump(version: Int) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("store-v\(version).sql"), encoding: .utf8)
    }

    /// A new state directory holding fixture `version` as needled.sqlite.
    static func stateDirectory(version: Int) throws -> String {
        let state = NSTemporaryDirectory() + "needled-store-fixture-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: state + "/" + TreatmentStore.fileName)
        let sql = try dump(version: version)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: sql)
            try db.execute(sql: "PRAGMA journal_mode = WAL")  // as needled keeps its stores
        }
        try queue.close()
        return state
    }

    static func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(output.prefix(64))
    }
}
