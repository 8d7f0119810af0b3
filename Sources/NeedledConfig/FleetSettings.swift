/// `[fleet]`: how this pen reaches the clinic's fleet (one cartridge ledger on its PostgreSQL).
/// Absent, the pen is on its own, exactly as before. The password is not here: it comes from
/// systemd's credential (`FleetPassword`), never from needled.toml.
public struct FleetSettings: Sendable, Equatable {
    /// What a pen does with a cartridge when the fleet cannot be asked.
    public enum OfflineCartridges: String, Sendable, CaseIterable {
        /// No cartridge the fleet has not bound: the pen treats only when the fleet answers.
        case refuse
        /// The pen's own ledger decides; the binding goes to the fleet when it is back, and a
        /// cartridge another pen used meanwhile is reported as a conflict on both.
        case local
    }

    public var host: String
    public var port: Int
    public var database: String
    /// The pen's login role on the server (its client certificate's CN): the fleet knows it by it.
    public var role: String
    public var caPath: String
    public var certificatePath: String
    public var keyPath: String
    public var offlineCartridges: OfflineCartridges
    /// How long one question to the fleet may take before the fleet counts as unreachable.
    public var answerTimeout: Duration

    public init(
        host: String, port: Int = 5432, database: String, role: String, caPath: String, certificatePath: String,
        keyPath: String, offlineCartridges: OfflineCartridges = .refuse, answerTimeout: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.role = role
        self.caPath = caPath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.offlineCartridges = offlineCartridges
        self.answerTimeout = answerTimeout
    }
}
