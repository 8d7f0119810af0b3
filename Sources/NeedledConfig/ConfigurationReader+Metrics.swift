import NIOCore
import TOMLKit

/// `[metrics]`, read like every other table: each key checked, every error located.
extension ConfigurationReader {
    static let metricsKeys = ["listen"]

    mutating func readMetrics(_ metrics: TOMLTable?) -> MetricsSettings? {
        guard let metrics, let value = metrics["listen"] else { return nil }
        let usage = "must be an IP address and a port, such as \"127.0.0.1:9469\" or \"[::1]:9469\""
        guard let listen = value.string, let colon = listen.lastIndex(of: ":") else {
            fail("metrics.listen", "\(usage).")
            return nil
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(listen[listen.index(after: colon)...]), (1...65_535).contains(port) else {
            fail("metrics.listen", "\"\(listen)\": the port must be a number from 1 to 65535; \(usage).")
            return nil
        }
        guard (try? SocketAddress(ipAddress: host, port: port)) != nil else {
            fail("metrics.listen", "\"\(listen)\": \"\(host)\" is not an IP address; \(usage).")
            return nil
        }
        return MetricsSettings(host: host, port: port)
    }
}
