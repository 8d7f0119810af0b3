/// `[metrics]`: where Prometheus scrapes the pen. Absent (the default), no port is opened; the
/// same text is still printed by `needlectl metrics` over the socket (for node_exporter's textfile
/// collector on a host that opens no port).
public struct MetricsSettings: Sendable, Equatable {
    /// An IP address, never a name: the listener binds exactly what the file says.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// As the file writes it: `127.0.0.1:9469`, `[::1]:9469`.
    public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
