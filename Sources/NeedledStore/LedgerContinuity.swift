/// Whether the records store found at start is this pen's own, decided from the identity files
/// and the store's own identity before anything treats. A pen that has kept records and finds
/// its store missing, empty or another's would otherwise start with an empty cartridge ledger
/// and open a session on a cartridge it used before (the next patient). Only
/// `needled new-store`, an operator's explicit and logged step, starts a new one.
public enum LedgerContinuity {
    public enum Verdict: Sendable, Equatable {
        /// The store is this pen's: go on. `rewriteFiles`: an identity file was missing (a new
        /// /etc, the first start after an upgrade) and is written again from the store.
        case proceed(PenIdentity, rewriteFiles: Bool)
        /// No identity anywhere: a pen keeping records for the first time (or a store from
        /// before identities were kept): this identity goes into the store and the files.
        case firstStart
        /// Not this pen's store, or none where there was one: do not treat.
        case refuse(String)
    }

    /// - Parameters:
    ///   - files: each identity file's path and what it holds (nil: no file).
    ///   - storePath: the store's file; `storeExists`: it was there before this start.
    ///   - storeIdentity: the identity kept in the store (nil: none, or no store).
    public static func decide(
        files: [(path: String, identity: PenIdentity?)], storePath: String, storeExists: Bool,
        storeIdentity: PenIdentity?
    ) -> Verdict {
        let known = files.compactMap { file in file.identity.map { (file.path, $0) } }
        let remedy =
            "Restore \(storePath) from a backup; or, to start a new store with no record of the cartridges this pen used before, stop needled and run `needled new-store --reason \"…\"` (Docs/operations.md)."
        if let (firstPath, first) = known.first,
            let (otherPath, other) = known.dropFirst().first(where: { $0.1 != first })
        {
            return .refuse(
                "the pen's identity files disagree: \(firstPath) names pen \(first.penID), store \(first.storeID); \(otherPath) names pen \(other.penID), store \(other.storeID). Keep the one that belongs to this pen's store and remove the other."
            )
        }
        guard let (identityPath, identity) = known.first else {
            if let storeIdentity { return .proceed(storeIdentity, rewriteFiles: true) }
            return .firstStart
        }
        let since =
            "this pen (\(identity.penID)) has kept its records in store \(identity.storeID) since \(identity.storeCreatedAt) (\(identityPath))"
        guard storeExists else {
            return .refuse(
                "the treatment records at \(storePath) are missing, but \(since). Without them it cannot tell a used cartridge from a new one, so it does not treat. \(remedy)"
            )
        }
        guard let storeIdentity else {
            return .refuse(
                "the treatment records at \(storePath) are empty or not this pen's (the store has no identity), but \(since). Without them it cannot tell a used cartridge from a new one, so it does not treat. \(remedy)"
            )
        }
        guard storeIdentity.penID == identity.penID else {
            return .refuse(
                "the treatment records at \(storePath) are another pen's (\(storeIdentity.penID)), but \(since). This pen's cartridge ledger is not in them, so it does not treat. \(remedy)"
            )
        }
        guard storeIdentity.storeID == identity.storeID else {
            return .refuse(
                "the treatment records at \(storePath) are this pen's store \(storeIdentity.storeID) of \(storeIdentity.storeCreatedAt), not the one it has kept since (\(identity.storeID), \(identity.storeCreatedAt), \(identityPath)): an older copy lacks the cartridges used since. \(remedy)"
            )
        }
        let missingFile = files.contains { $0.identity == nil }
        return .proceed(identity, rewriteFiles: missingFile)
    }
}
