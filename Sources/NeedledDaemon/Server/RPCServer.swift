import Foundation
public import Logging
import NIOCore
public import NIOPosix
import NeedledRPC
public import ServiceLifecycle
public import Synchronization

/// The Unix-domain socket server: newline-delimited JSON-RPC on one event loop. Binds the
/// socket file (mode 0660), or takes the listening socket systemd passed (socket activation),
/// serves until graceful shutdown, then stops accepting and closes.
public final class RPCServerService: Service, @unchecked Sendable {
    public let socketPath: String
    private let group: MultiThreadedEventLoopGroup
    private let service: PenService
    private let logger: Logger
    /// A listening socket inherited from systemd (`needled.socket`); nil: bind `socketPath`.
    private let inheritedDescriptor: Int32?
    /// True once clients can connect (systemd's READY=1 waits for it).
    public let listening = Atomic<Bool>(false)

    public init(
        socketPath: String, group: MultiThreadedEventLoopGroup, service: PenService, logger: Logger,
        inheritedDescriptor: Int32? = nil
    ) {
        self.socketPath = socketPath
        self.group = group
        self.service = service
        self.logger = logger
        self.inheritedDescriptor = inheritedDescriptor
    }

    public func run() async throws {
        let service = self.service
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // Bounded per client: 64 KiB in the kernel, 64 KiB in NIO; past that a client is
            // "not writable" and notifications to it are skipped, never queued.
            .childChannelOption(.socketOption(.so_sndbuf), value: 65_536)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 16_384, high: 65_536))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFramingDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RPCConnectionHandler(service: service))
                }
            }
        let channel: any Channel
        if let inheritedDescriptor {
            // systemd owns the socket file (its path, mode and group come from needled.socket).
            channel = try await bootstrap.withBoundSocket(inheritedDescriptor).get()
            logger.info("listening on the socket systemd passed", metadata: ["fd": "\(inheritedDescriptor)"])
        } else {
            let directory = (socketPath as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            channel = try await bootstrap.bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true).get()
            chmod(socketPath, 0o660)
            logger.info("listening", metadata: ["socket": "\(socketPath)"])
        }
        service.start()
        listening.store(true, ordering: .releasing)
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        try? await service.stop().get()
        if inheritedDescriptor == nil { unlink(socketPath) }
        logger.info("socket closed", metadata: ["socket": "\(socketPath)"])
    }
}
