import ArgumentParser
import Foundation
import Logging
import NeedledConfig
import NeedledDaemon
import NeedledGPIO
import NeedledRPC
import NeedledServer
import NeedledStore
import NeedledSystemd

@main
struct Needled: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needled",
        abstract: "The control daemon of a microneedling pen.",
        discussion: "Serves JSON-RPC 2.0 on a Unix socket; see Docs/api.md.",
        version: PenServiceVersion.version,
        subcommands: [Run.self, CheckConfig.self, NewStore.self, ChipLabel.self, FleetSchemaCommand.self],
        defaultSubcommand: Run.self)
}

enum PenServiceVersion {
    static let version = PenService.version
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the daemon (the default).")

    @Option(help: "The configuration file (default: /etc/needled/needled.toml when it exists, else built-in defaults).")
    var config: String?

    @Option(help: "The hardware backend: simulated or gpio (overrides the config).")
    var backend: String?

    @Option(help: "The socket path (default: /run/needled/needled.sock as root, else $XDG_RUNTIME_DIR/needled.sock).")
    var socket: String?

    @Option(
        help:
            "The state directory for the treatment records (default /var/lib/needled as root, else $XDG_STATE_HOME/needled)."
    )
    var stateDir: String?

    @Option(
        help:
            "A copy of the pen's identity kept apart from the state directory (e.g. /etc/needled/pen-identity), beside the one next to the store."
    )
    var identity: String?

    func validate() throws {
        if let backend, DaemonConfiguration.BackendKind(rawValue: backend) == nil {
            throw ValidationError("--backend must be simulated or gpio, not \(backend).")
        }
        if let socket, UnixSocketAddress(path: socket) == nil {
            throw ValidationError(
                "--socket must be a path of 1 to \(UnixSocketAddress.pathBytesMax) bytes (a Unix socket's limit), not \(socket.utf8.count) bytes."
            )
        }
    }

    func run() async throws {
        let journal = JournalLogHandler.stderrIsJournal()
        LoggingSystem.bootstrap { label in
            if journal { return JournalLogHandler(label: label) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "needled")
        var configuration = DaemonConfiguration()
        let path =
            config
            ?? (FileManager.default.fileExists(atPath: DefaultPaths.configuration) ? DefaultPaths.configuration : nil)
        if let path {
            do {
                configuration = try ConfigurationLoader.load(path: path)
            } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(78)  // EX_CONFIG
            }
            logger.info("configuration loaded", metadata: ["path": "\(path)"])
        }
        if let backend, let kind = DaemonConfiguration.BackendKind(rawValue: backend) { configuration.backend = kind }
        var wallClock: any WallClock = SystemWallClock()
        if let offsetFile = ProcessInfo.processInfo.environment["NEEDLED_TEST_WALL_CLOCK_OFFSET_FILE"] {
            logger.warning("the records' wall clock is shifted by the seconds in \(offsetFile) (a test hook)")
            wallClock = OffsetFileWallClock(path: offsetFile)
        }
        do {
            try await Daemon.run(
                configuration: configuration, socketPath: socket ?? DefaultPaths.socket,
                stateDirectory: stateDir ?? DefaultPaths.stateDirectory, logger: logger, wallClock: wallClock,
                configurationPath: path, identityCopies: identity.map { [$0] } ?? [])
        } catch DaemonError.fleetUnavailable(let message) {
            logger.critical("cannot start: \(message)")
            throw ExitCode(78)  // EX_CONFIG: [fleet] without its password or its TLS files
        } catch DaemonError.ledgerDiscontinuous(let message) {
            logger.critical("cannot start: \(message)")
            throw ExitCode(65)  // EX_DATAERR
        } catch DaemonError.storeUnavailable(let message) {
            logger.critical("cannot start: \(message)")
            throw ExitCode(73)  // EX_CANTCREAT
        } catch let error as DaemonError {
            logger.critical("cannot start: \(error)")
            throw ExitCode(69)  // EX_UNAVAILABLE
        }
    }
}

/// The one way to start a records store over a pen's missing, empty or other store: the old
/// file is kept aside, never deleted, and the new store records who began it and why.
struct NewStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-store",
        abstract: "Start a new, empty treatment records store for this pen (stop needled first).",
        discussion:
            "The cartridges used before are then unknown to the pen: it cannot refuse them as reused. The store in the state directory, if any, is renamed aside (needled.sqlite.replaced-TIME), not deleted."
    )

    @Option(help: "The state directory (default /var/lib/needled as root, else $XDG_STATE_HOME/needled).")
    var stateDir: String?

    @Option(help: "The copy of the pen's identity kept apart from the state directory, as given to needled run.")
    var identity: String?

    @Option(help: "Why a new store is started (kept in it, and printed): e.g. \"the storage was replaced\".")
    var reason: String

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--reason must say why a new store is started.")
        }
    }

    func run() throws {
        let directory = stateDir ?? DefaultPaths.stateDirectory
        do {
            let started = try RecordsStoreStart.start(
                stateDirectory: directory, identityCopies: identity.map { [$0] } ?? [], reason: reason, at: Date())
            print(started.summary)
        } catch {
            FileHandle.standardError.write(Data("needled new-store: \(error)\n".utf8))
            throw ExitCode(73)
        }
    }
}

/// For the udev rule (systemd/60-needled.rules): `IMPORT{program}` reads NEEDLED_CHIP_LABEL.
struct ChipLabel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chip-label",
        abstract: "Print a GPIO chip's label as NEEDLED_CHIP_LABEL=… (for udev).")

    @Argument(help: "The chip's device node, e.g. /dev/gpiochip0.")
    var device: String

    func run() throws {
        guard let label = LibgpiodChip.label(ofDevice: device) else {
            FileHandle.standardError.write(Data("needled: cannot open \(device)\n".utf8))
            throw ExitCode(1)
        }
        print("NEEDLED_CHIP_LABEL=\(label)")
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file; print every error as PATH:LINE: key: message.")

    @Argument(help: "The configuration file to check.")
    var path: String

    @Flag(help: "Print every key with the value needled would run with (the defaults filled in), as TOML.")
    var effective = false

    func run() throws {
        do {
            let configuration = try ConfigurationLoader.load(path: path)
            print(
                effective ? EffectiveConfiguration.toml(configuration) : "\(path): OK",
                terminator: effective ? "" : "\n")
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
    }
}
