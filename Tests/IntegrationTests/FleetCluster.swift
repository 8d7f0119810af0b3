import Foundation
import TestSupport
import Testing

/// A real PostgreSQL 15 for the daemons' fleet (`FleetServerProcess`), its schema applied the way
/// a clinic's IT does, by `needled fleet-schema` as the owner role.
typealias FleetCluster = FleetServerProcess

extension FleetServerProcess {
    /// `needled fleet-schema` as the owner: (exit code, stdout, stderr).
    func applySchema() throws -> (code: Int32, output: String, errors: String) {
        let config = directory + "/owner.toml"
        try fleetTable(pen: "needled_fleet_owner", offline: "refuse").write(
            toFile: config, atomically: true, encoding: .utf8)
        let password = directory + "/owner-password"
        try "owner-password\n".write(toFile: password, atomically: true, encoding: .utf8)
        return try SpawnedProcess.run(
            DaemonProcess.binary("needled"),
            [
                "fleet-schema", "--config", config, "--certificate", "\(tlsDirectory)/needled_fleet_owner.pem", "--key",
                "\(tlsDirectory)/needled_fleet_owner.key", "--password-file", password,
            ])
    }

    /// needled.toml's `[fleet]` for `pen`, through `port` (a proxy's) or straight to the server.
    func fleetTable(pen: String, offline: String, port: Int? = nil, answerMilliseconds: Int = 1000) -> String {
        """
        [fleet]
        server = "\(host):\(port ?? self.port)"
        database = "\(database)"
        role = "\(pen)"
        ca = "\(caPath)"
        certificate = "\(tlsDirectory)/\(pen).pem"
        key = "\(tlsDirectory)/\(pen).key"
        offline-cartridges = "\(offline)"
        answer-timeout-milliseconds = \(answerMilliseconds)

        """
    }

    /// What systemd's `LoadCredential=fleet-password:…` gives the pen: its password in a
    /// directory of its own, named by `$CREDENTIALS_DIRECTORY`.
    func credentials(pen: String) throws -> [String: String] {
        let credentials = directory + "/credentials-\(pen)"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try "\(pen)-password\n".write(toFile: credentials + "/fleet-password", atomically: true, encoding: .utf8)
        return ["CREDENTIALS_DIRECTORY": credentials]
    }

}

extension FleetServerProcess {
    /// Rows of `sql` on the fleet's database, as the server's superuser: `a|b|c` lines.
    func query(_ sql: String) throws -> String {
        let result = try Self.script(["query", directory, sql])
        try #require(result.code == 0, "\(result.errors)")
        return result.output
    }
}

/// One pen's network to the fleet (Scripts/fleet-proxy): `partition()` cuts that pen off alone
/// (SIGSTOP: its packets go nowhere, the other pens still reach the server), `heal()` restores it.
final class FleetProxy {
    let pid: pid_t
    let port: Int
    private let outputPath: String

    init(to cluster: FleetCluster, delayMilliseconds: Int = 0) throws {
        outputPath = cluster.directory + "/proxy-\(UUID().uuidString.prefix(8)).out"
        pid = try SpawnedProcess.start(
            SpawnedProcess.repository.appendingPathComponent("Scripts/fleet-proxy").path,
            [cluster.host, "\(cluster.port)", "--delay-ms", "\(delayMilliseconds)"], outputPath: outputPath,
            errorsPath: outputPath + ".err")
        // It prints its port once listening: a bounded wait for that line.
        var port: Int?
        for _ in 0..<200 where port == nil {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { port = Int(text.dropFirst("PORT=".count).dropLast()) } else { usleep(10_000) }
        }
        self.port = try #require(port, "Scripts/fleet-proxy did not say its port")
    }

    func partition() { kill(pid, SIGSTOP) }
    func heal() { kill(pid, SIGCONT) }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
