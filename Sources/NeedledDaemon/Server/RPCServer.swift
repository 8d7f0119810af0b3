import Foundation
public import Logging
import NIOCore
public import NIOPosix
public import NeedledRPC
public import ServiceLifecycle
public import Synchronization

/// The Unix-domain socket server: newline-delimited JSON-RPC on one event loop. Binds the
/// socket file, or takes the listening socket systemd passed (socket activation), serves until
/// graceful shutdown, then stops accepting and closes.
///
/// Access is decided per connection from the kernel's peer credentials, not by the file's mode:
/// the socket is 0666 in a 0755 directory so that a refused user reads -32004 and why, instead
/// of a bare EACCES. Every connection is bounded (`ConnectionLimits`), and the slots are shared
/// by a rule (`ConnectionSlots`) under which a stop always gets through.
public final class RPCServerService: Service, @unchecked Sendable {
    public let socketPath: String
    private let group: MultiThreadedEventLoopGroup
    private let service: PenService
    private let logger: Logger
    /// A listening socket inherited from systemd (`needled.socket`); nil: bind `socketPath`.
    private let inheritedDescriptor: Int32?
    /// True once clients can connect (systemd's READY=1 waits for it).
    public let listening = Atomic<Bool>(false)
    private let limits: ConnectionLimits
    private let policy: AccessPolicy
    /// Connections open now (admitted or being refused).
    private let connections = Atomic<Int>(0)
    /// Connections refused since start, by cause: figures for the hostile-client test.
    public let refusedUnauthorized = Atomic<Int>(0)
    public let refusedBusy = Atomic<Int>(0)
    /// Who holds which connection slot (the connection rule).
    private let slots: Mutex<ConnectionSlots>

    public init(
        socketPath: String, group: MultiThreadedEventLoopGroup, service: PenService, logger: Logger,
        inheritedDescriptor: Int32? = nil, limits: ConnectionLimits = ConnectionLimits(),
        policy: AccessPolicy = AccessPolicy(daemonUserID: getuid(), operatorGroup: nil, readOnlyGroup: nil)
    ) {
        self.socketPath = socketPath
        self.group = group
        self.service = service
        self.logger = logger
        self.inheritedDescriptor = inheritedDescriptor
        self.limits = limits
        self.policy = policy
        self.slots = Mutex(
            ConnectionSlots(connectionsMax: limits.connectionsMax, exemptUserIDs: [0, policy.daemonUserID]))
    }

    /// Checks the peer, then the connection rule (`ConnectionSlots`), then builds its pipeline:
    /// the protocol's; one that may only stop the pen (beyond the rule); or one that writes the
    /// refusal and closes (not allowed at all).
    private func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        connections.wrappingAdd(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in self.connections.wrappingSubtract(1, ordering: .relaxed) }
        let policy = self.policy
        let limits = self.limits
        let service = self.service
        let logger = self.logger
        return PeerCredentialsReader.read(channel).flatMapError { error in
            logger.warning("could not read a client's credentials; refused", metadata: ["error": "\(error)"])
            return channel.eventLoop.makeSucceededFuture(
                PeerCredentials(processID: 0, userID: UInt32.max, groupIDs: []))
        }.flatMapThrowing { peer in
            let operations = channel.pipeline.syncOperations
            guard let role = policy.role(of: peer) else {
                self.refusedUnauthorized.wrappingAdd(1, ordering: .relaxed)
                logger.warning(
                    "refused a connection from uid \(peer.userID): not in the operator or read-only group",
                    metadata: ["uid": "\(peer.userID)", "pid": "\(peer.processID)"])
                try operations.addHandler(RefusingHandler(policy.refusal(of: peer)))
                return
            }
            if let refusal = self.slots.withLock({ $0.admit(userID: peer.userID, role: role) }) {
                self.refusedBusy.wrappingAdd(1, ordering: .relaxed)
                let busy = self.slots.withLock { $0.busyError(refusal) }
                // Beyond the rule a connection may still stop the pen, however many there are: each
                // lives a second at most (its first line, or the wait for one), so a flood of
                // connects holds no more than its rate; it is never a reason a stop is refused.
                try operations.addHandler(ByteToMessageHandler(LineFramingDecoder(lineBytesMax: limits.lineBytesMax)))
                try operations.addHandler(OverLimitHandler(service: service, busy: busy, peer: peer, role: role))
                return
            }
            channel.closeFuture.whenComplete { _ in
                self.slots.withLock { $0.release(userID: peer.userID, role: role) }
            }
            try operations.addHandler(ConnectionTimeoutHandler(limits: limits))
            try operations.addHandler(ByteToMessageHandler(LineFramingDecoder(lineBytesMax: limits.lineBytesMax)))
            try operations.addHandler(
                RPCConnectionHandler(
                    service: service, lineBytesMax: limits.lineBytesMax, inFlightMax: limits.inFlightMax, peer: peer,
                    role: role, policy: policy))
        }
    }

    public func run() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            // Bounded per client: 64 KiB in the kernel, 64 KiB in NIO; past that a client is
            // "not writable" and notifications to it are skipped, never queued.
            .childChannelOption(.socketOption(.so_sndbuf), value: 65_536)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 16_384, high: 65_536))
            .childChannelInitializer { channel in self.initialize(channel) }
        let channel: any Channel
        if let inheritedDescriptor {
            // systemd owns the socket file (its path, mode and group come from needled.socket).
            channel = try await bootstrap.withBoundSocket(inheritedDescriptor).get()
            logger.info("listening on the socket systemd passed", metadata: ["fd": "\(inheritedDescriptor)"])
        } else {
            let directory = (socketPath as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try? FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            }
            // Bound under a temporary name, given its mode, then renamed into place: the socket
            // file appears already 0666 (a client connecting in between would read EACCES).
            let binding = socketPath + ".new"
            channel = try await bootstrap.bind(unixDomainSocketPath: binding, cleanupExistingSocketFile: true).get()
            chmod(binding, 0o666)
            guard rename(binding, socketPath) == 0 else {
                let code = errno
                unlink(binding)
                channel.close(promise: nil)
                throw IOError(errnoCode: code, reason: "rename(\(binding), \(socketPath))")
            }
            logger.info("listening", metadata: ["socket": "\(socketPath)"])
        }
        self.service.start()
        listening.store(true, ordering: .releasing)
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        try? await self.service.stop().get()
        if inheritedDescriptor == nil { unlink(socketPath) }
        logger.info("socket closed", metadata: ["socket": "\(socketPath)"])
    }
}
