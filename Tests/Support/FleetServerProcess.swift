import Foundation

/// A real PostgreSQL 15 for a test (Scripts/fleet-server): its own cluster in a temporary folder,
/// TLS on, a login role and a client certificate for each pen, the fleet's database owned by
/// `needled_fleet_owner`; stopped and removed when the test is done with it.
public final class FleetServerProcess: Sendable {
    public let directory: String
    public let host: String
    public let port: Int
    public let database: String
    public let caPath: String
    /// Each role's `ROLE.pem` and `ROLE.key`.
    public let tlsDirectory: String

    public init(pens: [String]) throws {
        directory = NSTemporaryDirectory() + "needled-fleet-\(UUID().uuidString.prefix(8))"
        let started = try Self.script(["start", directory] + pens)
        guard started.code == 0 else {
            throw SpawnedProcess.Failure(description: "Scripts/fleet-server start: \(started.errors)")
        }
        var values: [String: String] = [:]
        for line in started.output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        guard let host = values["HOST"], let port = values["PORT"].flatMap({ Int($0) }),
            let database = values["DATABASE"], let caPath = values["CA"], let tls = values["TLS"]
        else {
            throw SpawnedProcess.Failure(description: "Scripts/fleet-server start said: \(started.output)")
        }
        (self.host, self.port, self.database, self.caPath, tlsDirectory) = (host, port, database, caPath, tls)
    }

    deinit {
        _ = try? Self.script(["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// SIGSTOP the server (the postmaster and its backends): it answers nothing; `resume` again.
    public func pause() throws { try check(Self.script(["pause", directory])) }
    public func resume() throws { try check(Self.script(["resume", directory])) }

    private func check(_ result: (code: Int32, output: String, errors: String)) throws {
        guard result.code == 0 else {
            throw SpawnedProcess.Failure(description: "Scripts/fleet-server: \(result.errors)")
        }
    }

    public static func script(_ arguments: [String]) throws -> (code: Int32, output: String, errors: String) {
        try SpawnedProcess.run(SpawnedProcess.repository.appendingPathComponent("Scripts/fleet-server").path, arguments)
    }
}
