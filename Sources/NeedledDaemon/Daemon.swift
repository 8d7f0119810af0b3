import CMalloc
import Foundation
public import Logging
import NIOPosix
import NeedleCore
public import NeedledConfig
import NeedledGPIOBackend
import NeedledLoop
import NeedledRPC
public import NeedledServer
import NeedledSimulatedBackend
import NeedledStore
import NeedledSystemd
import NeedledUdev
import PenSimulator
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Assembles the daemon: configuration → backend → loop → socket server, run as one service
/// group with SIGTERM and SIGINT as graceful-shutdown signals. Shutdown goes in reverse: stop
/// taking requests, then stop the motor and leave the outputs safe.
public enum Daemon {
    public static func run(
        configuration: DaemonConfiguration, socketPath: String, stateDirectory: String, logger: Logger,
        wallClock: any WallClock = SystemWallClock(), configurationPath: String? = nil, identityCopies: [String] = []
    ) async throws {
        // Few malloc arenas: the daemon's threads (loop, event loop, GRDB, the pool) allocate
        // little, and with memory locked every arena's free pages would stay resident.
        _ = mallopt(M_ARENA_MAX, 2)
        var context = RunContext(
            socketPath: socketPath, logger: logger, wallClock: wallClock, configurationPath: configurationPath,
            notifier: SystemdNotifier(), inheritedSocket: SocketActivation.takeListeningDescriptors().first)
        if context.notifier.isActive { context.notifier.notify("STATUS=Starting: opening the records") }
        // The socket path must be free (or a stale socket) before anything starts.
        if context.inheritedSocket == nil { try SocketPathClaim.claim(context.socketPath) }
        // The records first: a store that cannot be written stops the daemon before anything moves,
        // and one that is not this pen's own (missing, empty, another's) before anything treats.
        let store: TreatmentStore
        let identity: PenIdentity
        do {
            let storePath = (stateDirectory as NSString).appendingPathComponent(TreatmentStore.fileName)
            let identityPaths = PenIdentityFile.paths(stateDirectory: stateDirectory, copies: identityCopies)
            let files = try identityPaths.map { path in (path: path, identity: try PenIdentityFile.read(path)) }
            let storeExisted = FileManager.default.fileExists(atPath: storePath)
            // Refused before the store is opened, which would create an empty one.
            if !storeExisted,
                case .refuse(let reason) = LedgerContinuity.decide(
                    files: files, storePath: storePath, storeExists: false, storeIdentity: nil)
            {
                throw DaemonError.ledgerDiscontinuous(reason)
            }
            store = try TreatmentStore(
                directory: stateDirectory, maxSizeBytes: Int64(configuration.recordsMaxSizeMebibytes) << 20)
            try store.checkIntegrity()
            logger.info("records: integrity_check ok")
            switch LedgerContinuity.decide(
                files: files, storePath: storePath, storeExists: storeExisted, storeIdentity: try store.identity())
            {
            case .refuse(let reason):
                throw DaemonError.ledgerDiscontinuous(reason)
            case .firstStart:
                identity = PenIdentity.new(at: wallClock.now())
                let why = storeExisted ? "an identity for a store kept before identities were" : "the pen's first store"
                try store.adopt(
                    identity,
                    detailJSON: JSONValue.object([("reason", .string(why)), ("by", "needled")]).serialized,
                    at: wallClock.now())
                for path in identityPaths { try PenIdentityFile.write(identity, to: path) }
                logger.notice(
                    "records: \(why): pen \(identity.penID), store \(identity.storeID)",
                    metadata: ["identity": "\(identityPaths.joined(separator: ", "))"])
            case .proceed(let kept, let rewriteFiles):
                identity = kept
                if rewriteFiles {
                    for file in files where file.identity == nil { try PenIdentityFile.write(kept, to: file.path) }
                    logger.warning(
                        "records: the pen's identity file was missing and is written again from the store",
                        metadata: [
                            "paths": "\(files.filter { $0.identity == nil }.map(\.path).joined(separator: ", "))"
                        ])
                }
            }
            let interrupted = try store.closeInterruptedSessions(at: wallClock.now())
            if !interrupted.isEmpty {
                logger.warning(
                    "sessions left open by a crash closed as interrupted: \(interrupted.map(SessionRow.displayID(for:)).joined(separator: ", "))"
                )
            }
        } catch let error as DaemonError {
            throw error
        } catch let error as PenIdentityFile.Damaged {
            throw DaemonError.ledgerDiscontinuous(
                "the pen's identity file \(error.description) It says which records store is this pen's own; restore it from a backup, or remove it if the store beside it is this pen's (needled writes it again from the store)."
            )
        } catch {
            throw DaemonError.storeUnavailable("\(error)")
        }
        context.identity = identity
        logger.info("treatment records", metadata: ["path": "\(store.path)"])
        switch configuration.backend {
        case .simulated:
            try await run(
                backend: SimulatedBackend(
                    seed: configuration.simulatorSeed, sensor: configuration.pen.speedControl.sensor),
                configuration: configuration,
                store: store, context: context)
        case .gpio:
            let monitor = GPIOChipMonitor()
            if !monitor.start() {
                logger.warning("cannot watch GPIO uevents; a lost chip is noticed by failing calls only")
            }
            defer { monitor.stop() }
            let backend: GPIOBackend
            do {
                backend = try GPIOBackend(
                    settings: configuration.gpio, sensor: configuration.pen.speedControl.sensor,
                    tickPeriod: configuration.pen.tickPeriod, monitor: monitor)
            } catch {
                throw DaemonError.backendUnavailable(error.description)
            }
            logger.info("GPIO backend ready", metadata: ["chip": "\(configuration.gpio.chipLabel)"])
            try await run(
                backend: backend, configuration: configuration, store: store, context: context)
        }
    }

    static func run<Backend: PenBackend>(
        backend: Backend, configuration: DaemonConfiguration, store: TreatmentStore, context: RunContext
    ) async throws {
        let logger = context.logger
        let channels = LoopChannels()
        let backendName = backend.name
        let loop = ControlLoop(
            supervisor: Supervisor(configuration: configuration.pen), backend: backend, channels: channels,
            realtime: configuration.realtime)
        let recorder = EventRecorder(
            store: store,
            recoveryHeadroomBytes: Int64(loop.flight.capacity) * FlightSampleRow.storedBytesBudget)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = PenService(
            eventLoop: group.next(), channels: channels, configuration: configuration, backendName: backendName,
            store: store, recorder: recorder, flight: loop.flight, clock: context.wallClock,
            backendControls: configuration.backend == .simulated ? SimulatedFault.controlNames : [])
        let server = RPCServerService(
            socketPath: context.socketPath, group: group, service: service, logger: logger,
            inheritedDescriptor: context.inheritedSocket, limits: configuration.connectionLimits,
            policy: AccessPolicy(
                daemonUserID: getuid(), operatorGroup: configuration.operatorGroup,
                readOnlyGroup: configuration.readOnlyGroup),
            stops: channels.stops, acceptorPriority: SocketAcceptor.priority(belowTheLoop: configuration.realtime))
        service.socketFigures = { server.figures() }
        service.penIdentity = context.identity
        let retention = RecordsRetentionService(
            store: store, policy: configuration.recordsRetention, logger: logger, clock: context.wallClock)
        service.retention = retention
        let fleet = try configuration.fleet.map { settings in
            try FleetAssembly(
                settings: settings, store: store, identity: context.identity, clock: context.wallClock, logger: logger)
        }
        service.fleet = fleet?.link
        let metrics = try MetricsAssembly(settings: configuration.metrics, service: service, logger: logger)
        let systemd = SystemdService(
            notifier: context.notifier, channels: channels,
            isListening: { server.listening.load(ordering: .acquiring) }, logger: logger,
            summary: { "\(backendName) pen; \(service.summary)" })
        let reload = ReloadService(
            path: context.configurationPath, running: configuration, service: service, notifier: context.notifier,
            logger: logger)
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    // First in, last out: the recorder drains after the loop and the server stop.
                    .init(service: RecorderService(recorder: recorder)),
                    .init(service: RetentionRunner(retention: retention)),
                    .init(service: metrics),
                ] + (fleet?.services ?? []) + [
                    .init(
                        service: ControlLoopService(loop: loop, logger: logger),
                        successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(
                        service: server, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: systemd),
                    .init(service: reload),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [],
                logger: logger))
        try await serviceGroup.run()
        try? await group.shutdownGracefully()
    }
}

/// What every backend's run shares: where to listen, whom to tell, which clock to write.
struct RunContext: Sendable {
    let socketPath: String
    let logger: Logger
    let wallClock: any WallClock
    let configurationPath: String?
    let notifier: SystemdNotifier
    let inheritedSocket: Int32?
    /// The pen and its records store, once the store is found to be the pen's own.
    var identity: PenIdentity? = nil
}

public enum DaemonError: Error, CustomStringConvertible {
    case backendUnavailable(String)
    case storeUnavailable(String)
    /// The records store is not this pen's own (`LedgerContinuity`): missing, empty or another's.
    case ledgerDiscontinuous(String)
    /// The socket path holds something needled must not replace (`SocketPathClaim`).
    case socketUnavailable(String)
    /// `[fleet]` is configured but cannot be used: its password credential, its TLS files.
    case fleetUnavailable(String)
    /// `[metrics] listen` cannot be bound (in use, not this host's address).
    case metricsUnavailable(String)
    public var description: String {
        switch self {
        case .socketUnavailable(let message): message
        case .backendUnavailable(let message): message
        case .storeUnavailable(let message): message
        case .ledgerDiscontinuous(let message): message
        case .fleetUnavailable(let message): message
        case .metricsUnavailable(let message): message
        }
    }
}

/// Runs the records' retention passes for the service group until shutdown.
struct RetentionRunner: Service {
    let retention: RecordsRetentionService

    func run() async throws {
        await withGracefulShutdownHandler {
            await retention.run()
        } onGracefulShutdown: {
            retention.finish()
        }
    }
}

/// Runs the event recorder for the service group; on shutdown it writes what is buffered, then ends.
struct RecorderService: Service {
    let recorder: EventRecorder

    func run() async throws {
        await withGracefulShutdownHandler {
            await recorder.run()
        } onGracefulShutdown: {
            recorder.finish()
        }
    }
}
