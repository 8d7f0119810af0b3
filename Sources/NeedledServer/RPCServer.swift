import Foundation
public import Logging
import NIOCore
public import NIOPosix
import NeedledConfig
public import NeedledLoop
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
///
/// Connections are accepted on a thread of their own (`SocketAcceptor`), which carries out and
/// answers a stop sent as the first line before the event loop sees the connection; the event
/// loop then takes each connection by its descriptor.
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
    private let stops: StopLane
    private let acceptorPriority: Int32
    private let acceptor = Mutex<SocketAcceptor?>(nil)

    public init(
        socketPath: String, group: MultiThreadedEventLoopGroup, service: PenService, logger: Logger,
        inheritedDescriptor: Int32? = nil, limits: ConnectionLimits = ConnectionLimits(),
        policy: AccessPolicy = AccessPolicy(daemonUserID: getuid(), operatorGroup: nil, readOnlyGroup: nil),
        stops: StopLane, acceptorPriority: Int32 = 0
    ) {
        self.stops = stops
        self.acceptorPriority = acceptorPriority
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

    /// Who connected and what the connection rule says of it, decided on the acceptor's thread
    /// as each connection is accepted, so slots go in the order clients connect.
    struct Admission: Sendable {
        enum Verdict: Sendable {
            /// Not in the operator or read-only group (or the kernel would not say who).
            case unauthorized(RPCError)
            /// Beyond the connection rule: it may still stop the pen.
            case beyondTheRule(busy: RPCError)
            /// Holds a slot until it closes.
            case admitted
        }
        let peer: PeerCredentials
        let role: AccessRole?
        let verdict: Verdict
    }

    /// Checks the peer's credentials (`SO_PEERCRED`), then the connection rule (`ConnectionSlots`).
    private func admit(_ descriptor: Int32) -> Admission {
        guard let peer = PeerCredentialsReader.read(descriptor: descriptor) else {
            logger.warning("could not read a client's credentials; refused")
            let nobody = PeerCredentials(processID: 0, userID: UInt32.max, groupIDs: [])
            return Admission(peer: nobody, role: nil, verdict: .unauthorized(policy.refusal(of: nobody)))
        }
        guard let role = policy.role(of: peer) else {
            return Admission(peer: peer, role: nil, verdict: .unauthorized(policy.refusal(of: peer)))
        }
        let busy = slots.withLock { slots in
            slots.admit(userID: peer.userID, role: role).map { slots.busyError($0) }
        }
        return Admission(peer: peer, role: role, verdict: busy.map { .beyondTheRule(busy: $0) } ?? .admitted)
    }

    /// Connections open now, slots held by the connection rule, and refusals since start
    /// (`daemon.info` `socket`). A client's close reaches these when the event loop reads it:
    /// a slot is free again a moment after the client closed, not at once.
    public func figures() -> SocketFiguresResult {
        let (held, heldReadOnly) = slots.withLock { ($0.open, $0.openReadOnly) }
        return SocketFiguresResult(
            connectionsOpen: Int64(connections.load(ordering: .relaxed)), slotsHeld: Int64(held),
            slotsHeldReadOnly: Int64(heldReadOnly), connectionsMax: Int64(limits.connectionsMax),
            refusedBusy: Int64(refusedBusy.load(ordering: .relaxed)),
            refusedUnauthorized: Int64(refusedUnauthorized.load(ordering: .relaxed)))
    }

    private func release(_ admission: Admission) {
        guard case .admitted = admission.verdict, let role = admission.role else { return }
        slots.withLock { $0.release(userID: admission.peer.userID, role: role) }
    }

    /// Builds a connection's pipeline from its admission: the protocol's; one that may only stop
    /// the pen (beyond the rule); or one that writes the refusal and closes (not allowed at all).
    /// A connection beyond the rule whose first line was a stop the acceptor already answered
    /// is simply closed, once registered: it has had its one request. True: close it.
    private func initialize(
        _ channel: any Channel, _ admission: Admission, firstLine: SocketAcceptor.FirstLine
    ) throws -> Bool {
        connections.wrappingAdd(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in
            self.connections.wrappingSubtract(1, ordering: .relaxed)
            self.release(admission)
        }
        let operations = channel.pipeline.syncOperations
        let peer = admission.peer
        switch admission.verdict {
        case .unauthorized(let refusal):
            refusedUnauthorized.wrappingAdd(1, ordering: .relaxed)
            logger.warning(
                "refused a connection from uid \(peer.userID): not in the operator or read-only group",
                metadata: ["uid": "\(peer.userID)", "pid": "\(peer.processID)"])
            try operations.addHandler(RefusingHandler(refusal))
            return false
        case .beyondTheRule(let busy):
            refusedBusy.wrappingAdd(1, ordering: .relaxed)
            guard case .unread = firstLine, let role = admission.role else { return true }
            // Beyond the rule a connection may still stop the pen, however many there are: each
            // lives a second at most (its first line, or the wait for one), so a flood of
            // connects holds no more than its rate; it is never a reason a stop is refused.
            try operations.addHandler(ByteToMessageHandler(LineFramingDecoder(lineBytesMax: limits.lineBytesMax)))
            try operations.addHandler(OverLimitHandler(service: service, busy: busy, peer: peer, role: role))
        case .admitted:
            guard let role = admission.role else { return true }
            try operations.addHandler(ConnectionTimeoutHandler(limits: limits))
            try operations.addHandler(ByteToMessageHandler(LineFramingDecoder(lineBytesMax: limits.lineBytesMax)))
            try operations.addHandler(
                RPCConnectionHandler(
                    service: service, lineBytesMax: limits.lineBytesMax, inFlightMax: limits.inFlightMax, peer: peer,
                    role: role, policy: policy))
        }
        return false
    }

    public func run() async throws {
        let listeningDescriptor = try listeningSocket()
        let logger = self.logger
        let service = self.service
        let eventLoop = group.next()
        let acceptor = SocketAcceptor(
            listening: listeningDescriptor, stops: stops,
            settings: SocketAcceptor.Settings(priority: acceptorPriority),
            admit: { [weak self] descriptor in
                self?.admit(descriptor)
                    ?? Admission(
                        peer: PeerCredentials(processID: 0, userID: UInt32.max, groupIDs: []), role: nil,
                        verdict: .unauthorized(.internalError("needled is stopping.")))
            },
            handOver: { [weak self] descriptor, admission, firstLine in
                guard let self else {
                    close(descriptor)
                    return
                }
                self.take(descriptor, admission, firstLine: firstLine)
            },
            stopApplied: { kind, phase in eventLoop.execute { service.recordStop(kind, phase) } })
        self.acceptor.withLock { $0 = acceptor }
        self.service.start()
        listening.store(true, ordering: .releasing)
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    acceptor.serve()
                    done.resume()
                }
                thread.name = "needled-accept"
                thread.start()
            }
        } onGracefulShutdown: {
            acceptor.stop()
        }
        logger.info("acceptor thread", metadata: ["scheduler": "\(acceptor.scheduler.withLock { $0 })"])
        try? await self.service.stop().get()
        if inheritedDescriptor == nil { unlink(socketPath) }
        logger.info("socket closed", metadata: ["socket": "\(socketPath)"])
    }

    /// The event loop takes a connection the acceptor handed over, with the options
    /// ServerBootstrap gave its children.
    private func take(_ descriptor: Int32, _ admission: Admission, firstLine: SocketAcceptor.FirstLine) {
        let initialized = Atomic<Bool>(false)
        let closeOnceRegistered = Atomic<Bool>(false)
        ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            // Bounded per client: 64 KiB in the kernel, 64 KiB in NIO; past that a client is
            // "not writable" and notifications to it are skipped, never queued.
            .channelOption(.socketOption(.so_sndbuf), value: 65_536)
            .channelOption(.writeBufferWaterMark, value: .init(low: 16_384, high: 65_536))
            .channelInitializer { channel in
                self.acceptor.withLock { $0 }?.handOverTaken()
                initialized.store(true, ordering: .relaxed)
                // The stop's phase is in the snapshots already (the loop pushes the tick's snapshot
                // before it publishes the stop): take them, so what this connection asks next is
                // answered from the pen as the stop left it, not from a snapshot before it.
                if case .stopAnswered = firstLine { self.service.poll() }
                return channel.eventLoop.makeCompletedFuture {
                    let close = try self.initialize(channel, admission, firstLine: firstLine)
                    closeOnceRegistered.store(close, ordering: .relaxed)
                }
            }
            .withConnectedSocket(descriptor)
            .map { channel in
                if closeOnceRegistered.load(ordering: .relaxed) { channel.close(promise: nil) }
            }
            .whenFailure { error in
                // Its slot is released with its close once it was initialized; otherwise here.
                if !initialized.load(ordering: .relaxed) { self.release(admission) }
                self.logger.warning("could not take a connection", metadata: ["error": "\(error)"])
            }
    }

    /// The listening socket, non-blocking: the one systemd passed, or one bound at `socketPath`
    /// under a temporary name, given its mode, then renamed into place (the socket file appears
    /// already 0666; a client connecting in between would read EACCES).
    private func listeningSocket() throws -> Int32 {
        if let inheritedDescriptor {
            // systemd owns the socket file (its path, mode and group come from needled.socket).
            _ = fcntl(inheritedDescriptor, F_SETFL, fcntl(inheritedDescriptor, F_GETFL) | O_NONBLOCK)
            logger.info("listening on the socket systemd passed", metadata: ["fd": "\(inheritedDescriptor)"])
            return inheritedDescriptor
        }
        let directory = (socketPath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        let binding = socketPath + ".new"
        guard let address = UnixSocketAddress(path: binding) else {
            throw IOError(errnoCode: ENAMETOOLONG, reason: "the socket path \(binding)")
        }
        let descriptor = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket(AF_UNIX)") }
        unlink(binding)
        let bound = address.withSocketAddress { bind(descriptor, $0, $1) }
        guard bound == 0, chmod(binding, 0o666) == 0, listen(descriptor, 128) == 0, rename(binding, socketPath) == 0
        else {
            let code = errno
            close(descriptor)
            unlink(binding)
            throw IOError(errnoCode: code, reason: "binding \(socketPath)")
        }
        logger.info("listening", metadata: ["socket": "\(socketPath)"])
        return descriptor
    }
}
