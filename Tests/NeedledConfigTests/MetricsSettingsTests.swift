import Foundation
import NeedledConfig
import Testing

/// `[metrics] listen` as written: an IPv4 or a bracketed IPv6 address with its port, read into
/// host and port, and written back the same way by `check-config --effective`; absent, no port.
@Suite("[metrics] listen")
struct MetricsSettingsTests {
    @Test(arguments: [
        ("127.0.0.1:9469", "127.0.0.1", 9469),
        ("[::1]:9469", "::1", 9469),
        ("0.0.0.0:19469", "0.0.0.0", 19469),
    ])
    func read(listen: String, host: String, port: Int) throws {
        let configuration = try Self.load("[metrics]\nlisten = \"\(listen)\"\n")
        #expect(configuration.metrics == MetricsSettings(host: host, port: port))
        #expect(configuration.metrics?.listen == listen)
        #expect(EffectiveConfiguration.toml(configuration).contains("[metrics]\nlisten = \"\(listen)\"\n"))
    }

    @Test func absentOpensNoPort() throws {
        let configuration = try Self.load("")
        #expect(configuration.metrics == nil)
        #expect(
            EffectiveConfiguration.toml(configuration).contains(
                "# [metrics]: not set (no port opened; `needlectl metrics` prints the metrics)"))
    }

    static func load(_ text: String) throws -> DaemonConfiguration {
        let path = NSTemporaryDirectory() + "needled-metrics-\(UUID().uuidString.prefix(8)).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigurationLoader.load(path: path)
    }
}
