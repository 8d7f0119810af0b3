import ArgumentParser
import Foundation
import Logging
import NeedledConfig
import NeedledFleet
import NeedledRPC

/// The clinic's IT applies the fleet database's schema, as its owner role, once for each
/// release (a pen's role may not: it can only read bindings and add its own). The server,
/// database and CA come from needled.toml's `[fleet]`; the owner's certificate, key and password
/// are given here.
struct FleetSchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-schema",
        abstract:
            "Apply the fleet database's schema migrations, as its owner role (the clinic's IT, once per release).",
        discussion:
            "Reads [fleet] server, database and ca from the configuration; connects with TLS as --role with its own certificate, key and password (the password file: one line). Prints the schema's version before and after. A database newer than this release is refused, not touched."
    )

    @Option(help: "The configuration file with [fleet] (default /etc/needled/needled.toml).")
    var config: String = DefaultPaths.configuration

    @Option(help: "The fleet's owner role.")
    var role: String = "needled_fleet_owner"

    @Option(help: "The owner's client certificate (PEM).")
    var certificate: String

    @Option(help: "The owner's client key (PEM).")
    var key: String

    @Option(help: "A file holding the owner's password (one line).")
    var passwordFile: String

    func run() async throws {
        let loaded: DaemonConfiguration
        do {
            loaded = try ConfigurationLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        guard let fleet = loaded.fleet else {
            FileHandle.standardError.write(Data("needled fleet-schema: \(config) has no [fleet] table.\n".utf8))
            throw ExitCode(78)
        }
        guard let data = FileManager.default.contents(atPath: passwordFile) else {
            FileHandle.standardError.write(Data("needled fleet-schema: \(passwordFile) cannot be read.\n".utf8))
            throw ExitCode(66)  // EX_NOINPUT
        }
        var password = String(decoding: data, as: UTF8.self)
        if password.hasSuffix("\n") { password.removeLast() }
        var logger = Logger(label: "needled.fleet-schema")
        logger.logLevel = .error
        do {
            let (before, after) = try await FleetSchema.migrate(
                FleetConnectionSettings(
                    host: fleet.host, port: fleet.port, database: fleet.database, role: role, caPath: fleet.caPath,
                    certificatePath: certificate, keyPath: key, password: password,
                    connectTimeout: fleet.answerTimeout),
                logger: logger)
            print(
                before == after
                    ? "the fleet's schema is at version \(after), this release's: nothing to do"
                    : "the fleet's schema migrated from version \(before) to \(after)")
        } catch {
            FileHandle.standardError.write(Data("needled fleet-schema: \(error)\n".utf8))
            throw ExitCode(69)  // EX_UNAVAILABLE
        }
    }
}
