import Foundation
import Logging
import NeedledFleet
import PostgresNIO
import TestSupport
import Testing

typealias FleetServer = FleetServerProcess

extension FleetServerProcess {
    /// A role's settings: its certificate and key (another role's, to test a pen that shows the
    /// wrong one), its password.
    func settings(
        _ role: String, certificateOf holder: String? = nil, password: String? = nil
    ) -> FleetConnectionSettings {
        let holder = holder ?? role
        return FleetConnectionSettings(
            host: host, port: port, database: database, role: role, caPath: caPath,
            certificatePath: "\(tlsDirectory)/\(holder).pem", keyPath: "\(tlsDirectory)/\(holder).key",
            password: password ?? (role == "needled_fleet_owner" ? "owner-password" : "\(role)-password"))
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
