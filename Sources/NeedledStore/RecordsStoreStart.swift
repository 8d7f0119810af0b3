public import Foundation

/// `needled new-store`: a new, empty records store for this pen, begun on purpose. The old file
/// (if any) is renamed aside, never deleted; the pen keeps its id, the store gets a new one, and
/// the new store's first event says who began it, why, and which store it replaces.
public enum RecordsStoreStart {
    public struct Started: Sendable {
        public let identity: PenIdentity
        public let previousStoreID: String?
        public let keptAside: String?

        public var summary: String {
            var lines = [
                "needled: a new records store for pen \(identity.penID): store \(identity.storeNumber), \(identity.storeID)."
            ]
            if let previousStoreID { lines.append("It replaces store \(previousStoreID).") }
            if let keptAside { lines.append("The previous file is kept at \(keptAside).") }
            lines.append(
                "Cartridges used before are unknown to this store: check each cartridge's packaging before use.")
            return lines.joined(separator: "\n")
        }
    }

    public static func start(
        stateDirectory: String, identityCopies: [String], reason: String, at now: Date
    ) throws -> Started {
        let storePath = (stateDirectory as NSString).appendingPathComponent(TreatmentStore.fileName)
        let identityPaths = PenIdentityFile.paths(stateDirectory: stateDirectory, copies: identityCopies)
        // A damaged identity file is still refused here: the pen's id must not be guessed.
        let known = try identityPaths.compactMap { try PenIdentityFile.read($0) }.first
        // The store replaced is the one the identity names; the file found is moved aside as it
        // is, never opened (opening would migrate it, and it may be another pen's).
        let previousStoreID = known?.storeID
        var keptAside: String?
        if FileManager.default.fileExists(atPath: storePath) {
            let stamp = TreatmentStore.timestamp(now).replacingOccurrences(of: ":", with: "")
            let aside = storePath + ".replaced-" + stamp
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: storePath + suffix) {
                try FileManager.default.moveItem(atPath: storePath + suffix, toPath: aside + suffix)
            }
            keptAside = aside
        }
        let identity = known?.withNewStore(at: now) ?? PenIdentity.new(at: now)
        let store = try TreatmentStore(directory: stateDirectory)
        var detail: [(String, String)] = [("reason", reason), ("by", "needled new-store"), ("uid", "\(getuid())")]
        if let previousStoreID { detail.append(("previousStoreID", previousStoreID)) }
        if let keptAside { detail.append(("keptAside", keptAside)) }
        try store.adopt(identity, detailJSON: json(detail), at: now)
        for path in identityPaths { try PenIdentityFile.write(identity, to: path) }
        return Started(identity: identity, previousStoreID: previousStoreID, keptAside: keptAside)
    }

    /// A flat JSON object of strings (NeedledStore has no JSON type of its own).
    static func json(_ pairs: [(String, String)]) -> String {
        let data = try? JSONSerialization.data(
            withJSONObject: Dictionary(uniqueKeysWithValues: pairs), options: [.sortedKeys])
        return data.flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}
