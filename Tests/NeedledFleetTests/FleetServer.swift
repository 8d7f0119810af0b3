import Foundation
import Logging
import NeedledFleet
import PostgresNIO
import Testing

/// A real PostgreSQL 15 for a test (Scripts/fleet-server): its own cluster in a temporary
/// folder, TLS on, a login role and a client certificate for each pen; stopped when the test
/// is done with it.
final class FleetServer: Sendable {
    let directory: String
    let host: String
    let port: Int
    let database: String
    let caPath: String
    let tlsDirectory: String

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    init(pens: [String]) throws {
        directory = NSTemporaryDirectory() + "needled-fleet-\(UUID().uuidString.prefix(8))"
        let (code, output, errors) = try Self.script(["start", directory] + pens)
        try #require(code == 0, "Scripts/fleet-server start: \(errors)")
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        host = try #require(values["HOST"])
        port = try #require(values["PORT"].flatMap { Int($0) })
        database = try #require(values["DATABASE"])
        caPath = try #require(values["CA"])
        tlsDirectory = try #require(values["TLS"])
    }

    deinit {
        _ = try? Self.script(["stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A role's settings: its certificate and key (another role's, to test a pen that shows the
    /// wrong one), its password.
    func settings(
        _ role: String, certificateOf holder: String? = nil, password: String? = nil
    )
        -> FleetConnectionSettings
    {
        let holder = holder ?? role
        return FleetConnectionSettings(
            host: host, port: port, database: database, role: role, caPath: caPath,
            certificatePath: "\(tlsDirectory)/\(holder).pem", keyPath: "\(tlsDirectory)/\(holder).key",
            password: password ?? (role == "needled_fleet_owner" ? "owner-password" : "\(role)-password"))
    }

    /// SIGSTOP the server (the postmaster and its backends); `resume` sends SIGCONT.
    func pause() throws { try #require(try Self.script(["pause", directory]).0 == 0) }
    func resume() throws { try #require(try Self.script(["resume", directory]).0 == 0) }

    /// Runs Scripts/fleet-server and waits for it by its pid (posix_spawn, waitpid): the tests
    /// are async, and Foundation's Process did not see the script end from a pool thread (it
    /// stayed a zombie). Its output through files, not pipes: the server it starts would hold a
    /// pipe's write end for as long as it runs.
    static func script(_ arguments: [String]) throws -> (Int32, String, String) {
        let base = NSTemporaryDirectory() + "fleet-server-\(UUID().uuidString.prefix(8))"
        let (outputPath, errorsPath) = (base + ".out", base + ".err")
        defer {
            unlink(outputPath)
            unlink(errorsPath)
        }
        let executable = repository.appendingPathComponent("Scripts/fleet-server").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        try #require(spawned == 0, "posix_spawn \(executable): \(spawned)")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        return (code, output, errors)
    }
}

/// Runs `body` with a client's pool running, and stops it after.
func withRunning<Result: Sendable>(
    _ client: PostgresClient, _ body: @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body()
    }
}

func withLedger<Result: Sendable>(
    _ settings: FleetConnectionSettings, deadline: Duration = .seconds(5),
    _ body: @Sendable (PostgresFleetLedger) async throws -> Result
) async throws -> Result {
    let ledger = try PostgresFleetLedger(settings: settings, deadline: deadline, logger: testLogger("test.fleet"))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await ledger.run() }
        defer { group.cancelAll() }
        return try await body(ledger)
    }
}

/// The fleet's schema, applied as its owner.
func migrate(_ server: FleetServer) async throws -> Int {
    let client = PostgresClient(
        configuration: try PostgresFleetLedger.clientConfiguration(server.settings("needled_fleet_owner")),
        backgroundLogger: testLogger("test.fleet.owner"))
    return try await withRunning(client) { try await FleetSchema.migrate(client, logger: testLogger("test")) }
}

/// Errors only: postgres-nio warns when a query waits for a pool whose `run` has not begun yet,
/// which `withRunning` starts beside the body.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .error
    return logger
}
