public import Logging
import NIOPosix
import NeedleCore
import ServiceLifecycle
import UnixSignals

/// Assembles the daemon: configuration → backend → loop → socket server, run as one service
/// group with SIGTERM and SIGINT as graceful-shutdown signals. Shutdown goes in reverse: stop
/// taking requests, then stop the motor and leave the outputs safe.
public enum Daemon {
    public static func run(configuration: DaemonConfiguration, socketPath: String, logger: Logger) async throws {
        guard configuration.backend == .simulated else {
            throw DaemonError.backendUnavailable(
                "the gpio backend is not built yet (it comes with the GPIO issue); use --backend simulated.")
        }
        let channels = LoopChannels()
        let loop = ControlLoop(
            supervisor: Supervisor(configuration: configuration.pen),
            backend: SimulatedBackend(seed: configuration.simulatorSeed), channels: channels)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = PenService(
            eventLoop: group.next(), channels: channels, configuration: configuration, backendName: "simulated")
        let server = RPCServerService(socketPath: socketPath, group: group, service: service, logger: logger)
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(
                        service: ControlLoopService(loop: loop, logger: logger),
                        successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(
                        service: server, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [],
                logger: logger))
        try await serviceGroup.run()
        try? await group.shutdownGracefully()
    }
}

public enum DaemonError: Error, CustomStringConvertible {
    case backendUnavailable(String)
    public var description: String {
        switch self {
        case .backendUnavailable(let message): message
        }
    }
}
