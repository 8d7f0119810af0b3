public import Foundation

/// Which pen this is, and which records store is its own. Kept in the store and, apart from it,
/// in small files (beside the store, and in /etc on a pen), so that a pen that has treated
/// before knows when its store is missing, empty or another's: its cartridge ledger is what
/// refuses a used cartridge, and an empty one would refuse none (`LedgerContinuity`).
public struct PenIdentity: Sendable, Equatable {
    /// "PEN-3F9A1C2B": made once, when the pen first keeps records; kept across new stores.
    public let penID: String
    /// A UUID, new with each store (`needled new-store`).
    public let storeID: String
    /// The pen's stores, counted: 1 for its first, one more with each `needled new-store`.
    public let storeNumber: Int
    /// When that store was started, ISO 8601 UTC.
    public let storeCreatedAt: String

    public init(penID: String, storeID: String, storeNumber: Int, storeCreatedAt: String) {
        self.penID = penID
        self.storeID = storeID
        self.storeNumber = storeNumber
        self.storeCreatedAt = storeCreatedAt
    }

    /// What makes a record's id unique across pens and their stores, before its local id:
    /// "PEN-3F9A1C2B-1-" + "S-0001". Session numbers start again in a new store; the store's
    /// number keeps its records apart from the last one's.
    public var recordIDPrefix: String { "\(penID)-\(storeNumber)-" }

    /// A new pen with its first store.
    public static func new(at now: Date) -> PenIdentity {
        let bytes = (0..<4).map { _ in UInt8.random(in: 0...255) }
        let hex = bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) }.joined()
        return PenIdentity(
            penID: "PEN-" + hex, storeID: UUID().uuidString, storeNumber: 1, storeCreatedAt: timestamp(now))
    }

    /// This pen with a new store.
    public func withNewStore(at now: Date) -> PenIdentity {
        PenIdentity(
            penID: penID, storeID: UUID().uuidString, storeNumber: storeNumber + 1, storeCreatedAt: Self.timestamp(now))
    }

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

/// The identity file: three `key = value` lines under a comment. Read whole or refused: a
/// file that is damaged (a NUL, a line cut short, a key missing or unknown) is an error naming
/// the file and the line, never taken as "no identity" (which would let an empty store pass).
public enum PenIdentityFile {
    public static let fileName = "pen-identity"

    /// Where a pen's identity is kept: beside the store, then each copy apart from it.
    public static func paths(stateDirectory: String, copies: [String]) -> [String] {
        [(stateDirectory as NSString).appendingPathComponent(fileName)] + copies
    }

    public struct Damaged: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let message: String
        public var description: String { "\(path):\(line): \(message)" }
    }

    static let keys = ["pen-id", "store-id", "store-number", "store-created"]

    /// The identity in `path`; nil when there is no file.
    public static func read(_ path: String) throws(Damaged) -> PenIdentity? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Damaged(path: path, line: 0, message: "cannot be read (no permission?).")
        }
        let bytes = Array(data)
        if let nul = bytes.firstIndex(of: 0) {
            let line = bytes[..<nul].filter { $0 == UInt8(ascii: "\n") }.count + 1
            throw Damaged(path: path, line: line, message: "holds a NUL byte: the file is damaged.")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Damaged(path: path, line: 0, message: "is not UTF-8 text: the file is damaged.")
        }
        guard text.hasSuffix("\n") else {
            throw Damaged(
                path: path, line: text.split(separator: "\n").count, message: "is cut short (no final newline).")
        }
        var values: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, keys.contains(parts[0]), !parts[1].isEmpty, values[parts[0]] == nil else {
                throw Damaged(
                    path: path, line: index + 1,
                    message: "is not one of \(keys.joined(separator: ", ")) = value, each once: the file is damaged.")
            }
            values[parts[0]] = parts[1]
        }
        // store-number came after the first files were written (9f4f32d): absent, it is the first store.
        let number = values["store-number"].map { Int($0) ?? 0 } ?? 1
        guard let penID = values["pen-id"], let storeID = values["store-id"], let created = values["store-created"],
            number >= 1
        else {
            guard number >= 1 else {
                throw Damaged(
                    path: path, line: 0, message: "store-number must be a whole number from 1: the file is damaged.")
            }
            let missing = keys.filter { values[$0] == nil && $0 != "store-number" }.joined(separator: ", ")
            throw Damaged(path: path, line: 0, message: "lacks \(missing): the file is damaged.")
        }
        return PenIdentity(penID: penID, storeID: storeID, storeNumber: number, storeCreatedAt: created)
    }

    /// Writes `identity` to `path` whole: a temporary file, flushed to disk, renamed into place.
    public static func write(_ identity: PenIdentity, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let text = """
            # needled: this pen's identity and the records store that is its own (Docs/operations.md,
            # "The records store and the pen's identity"). Written by needled; do not edit.
            pen-id = \(identity.penID)
            store-id = \(identity.storeID)
            store-number = \(identity.storeNumber)
            store-created = \(identity.storeCreatedAt)

            """
        let temporary = path + ".new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
