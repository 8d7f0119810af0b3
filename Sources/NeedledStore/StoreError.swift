import GRDB

/// Why the records cannot be used, each with what to do: the person who reads it is at the pen,
/// with a patient waiting, and the cartridge ledger is in this file.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    /// SQLite cannot read the file as a database (corrupt, truncated, not a database at all).
    case damaged(path: String, detail: String)
    /// The file cannot be written: its permissions, or a read-only file system.
    case readOnly(path: String, reason: String)
    /// A newer needled has taken the store through schema steps this build does not know.
    case newerSchema(path: String, unknownSteps: [String])
    case cartridgeRejected(CartridgeRejection)

    /// SQLite's error on opening or migrating, sorted into what the operator can act on.
    static func opening(path: String, _ error: DatabaseError) -> StoreError {
        switch error.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            .damaged(path: path, detail: "SQLite: \(error.message ?? "\(error.resultCode)")")
        case .SQLITE_READONLY:
            .readOnly(path: path, reason: error.message ?? "attempt to write a readonly database")
        default:
            .cannotOpen(path: path, reason: "\(error)")
        }
    }

    static let newStoreAdvice =
        "restore the store from a backup (the .sqlite file with its -wal file), or keep this one aside and begin a new store with `needled new-store --reason \"…\"` (Docs/operations.md, \"The records store and the pen's identity\"); needled does not treat until then, because the cartridge ledger is in these records"

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "The treatment records at \(path) cannot be opened: \(reason)."
        case .damaged(let path, let detail):
            "The treatment records at \(path) are damaged (\(detail)). Stop needled, keep the file as it is, and \(Self.newStoreAdvice)."
        case .readOnly(let path, let reason):
            "The treatment records at \(path) cannot be written (\(reason)). needled writes every treatment's record before it treats: make the file, its -wal and -shm files and the directory writable by the user needled runs as (`chown needled: \(path)*`), or remount the file system read-write."
        case .newerSchema(let path, let steps):
            "The treatment records at \(path) were written by a newer needled (schema steps this version does not know: \(steps.map { "\"\($0)\"" }.joined(separator: ", "))). This version does not open them, since it could misread or drop what the newer one keeps: run the newer needled again, or restore a backup of the store this version wrote."
        case .cartridgeRejected(let reason): "The cartridge is refused: \(reason.rawValue)."
        }
    }
}
