/// How a pen reaches the fleet's PostgreSQL: the server, the database, the pen's own role, the
/// CA that signed the server's certificate, the pen's client certificate and key, and its
/// password (read from a credential file, never from needled.toml).
public struct FleetConnectionSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: String
    /// The pen's login role: the fleet knows the pen by it (its rows are its role's).
    public var role: String
    public var caPath: String
    public var certificatePath: String
    public var keyPath: String
    public var password: String
    /// How long a connection may take before the fleet counts as unreachable.
    public var connectTimeout: Duration

    public init(
        host: String, port: Int = 5432, database: String, role: String, caPath: String, certificatePath: String,
        keyPath: String, password: String, connectTimeout: Duration = .seconds(3)
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.role = role
        self.caPath = caPath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.password = password
        self.connectTimeout = connectTimeout
    }
}
