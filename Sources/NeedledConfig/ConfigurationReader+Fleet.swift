import Foundation
import TOMLKit

/// `[fleet]`, read like every other table: each key checked, every error located. The
/// password is refused here on purpose (a file a technician may show or copy is no place for it).
extension ConfigurationReader {
    static let fleetKeys = [
        "server", "database", "role", "ca", "certificate", "key", "offline-cartridges",
        "answer-timeout-milliseconds",
    ]

    mutating func readFleet() -> FleetSettings? {
        guard let value = table["fleet"] else { return nil }
        guard let fleet = value.table else {
            fail("fleet", "must be a table ([fleet]).")
            return nil
        }
        if fleet["password"] != nil {
            fail(
                "fleet.password",
                "the fleet's password is never kept in needled.toml; give it as systemd's credential \"\(FleetPassword.credentialName)\" (LoadCredential= in needled.service, Docs/operations.md)."
            )
        }
        for key in fleet.keys where !Self.fleetKeys.contains(key) && key != "password" {
            fail(
                "fleet.\(ConfigurationKeySpelling.spelled(key))",
                "unknown key; allowed: \(Self.fleetKeys.joined(separator: ", ")).")
        }
        func text(_ key: String, _ what: String) -> String? {
            guard let value = fleet[key] else {
                fail("fleet.\(key)", "is required in [fleet]: \(what).")
                return nil
            }
            guard let text = value.string, !text.isEmpty else {
                fail("fleet.\(key)", "must be a non-empty string: \(what).")
                return nil
            }
            return text
        }
        func readableFile(_ key: String, _ what: String) -> String? {
            guard let path = text(key, what) else { return nil }
            guard FileManager.default.isReadableFile(atPath: path) else {
                fail("fleet.\(key)", "\(path) cannot be read (missing, or no permission): \(what).")
                return nil
            }
            return path
        }
        let server = text("server", "the fleet's PostgreSQL as host or host:port")
        let database = text("database", "the fleet's database")
        let role = text("role", "this pen's login role on the fleet's server")
        let ca = readableFile("ca", "the PEM file of the CA that signed the server's certificate")
        let certificate = readableFile("certificate", "this pen's client certificate (PEM)")
        let key = readableFile("key", "this pen's client key (PEM)")
        var offline = FleetSettings.OfflineCartridges.refuse
        if let value = fleet["offline-cartridges"] {
            if let name = value.string, let policy = FleetSettings.OfflineCartridges(rawValue: name) {
                offline = policy
            } else {
                fail("fleet.offline-cartridges", "must be \"refuse\" or \"local\".")
            }
        }
        let timeout = integer(fleet, "fleet", "answer-timeout-milliseconds", in: 100...10_000, default: 2000)
        var host = server ?? ""
        var port = 5432
        if let server, let colon = server.lastIndex(of: ":") {
            host = String(server[..<colon])
            guard let number = Int(server[server.index(after: colon)...]), (1...65_535).contains(number), !host.isEmpty
            else {
                fail("fleet.server", "\"\(server)\" is not host or host:port (a port from 1 to 65535).")
                return nil
            }
            port = number
        }
        guard let database, let role, let ca, let certificate, let key, server != nil else { return nil }
        return FleetSettings(
            host: host, port: port, database: database, role: role, caPath: ca, certificatePath: certificate,
            keyPath: key, offlineCartridges: offline, answerTimeout: .milliseconds(timeout))
    }
}
