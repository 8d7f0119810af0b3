public import NIOCore

/// What the connection handler dispatches to: the daemon's methods, or a fake in tests.
/// Calls arrive on the connection's event loop; the future fails with an `RPCError`.
public protocol RPCService: Sendable {
    func call(_ request: JSONRPCRequest, connection: RPCConnection) -> EventLoopFuture<JSONValue>
    func connectionClosed(_ connection: RPCConnection)
    /// Every answer the connection handler gives, for the metrics: the method as sent (nil for
    /// a line that was not a request) and the error, nil for a result. Called on the event loop.
    func answered(_ method: String?, error: RPCError?)
}

extension RPCService {
    public func answered(_ method: String?, error: RPCError?) {}
}

/// One client connection, as the service sees it: an id, who it is, and a way to push
/// notifications.
public final class RPCConnection: Sendable, Hashable {
    public let id: Int
    public let channel: any Channel
    /// The kernel's word on the peer (nil only for test channels without a socket).
    public let peer: PeerCredentials?
    public let role: AccessRole

    public init(id: Int, channel: any Channel, peer: PeerCredentials? = nil, role: AccessRole = .operator) {
        self.id = id
        self.channel = channel
        self.peer = peer
        self.role = role
    }

    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends a notification line. A client that does not read is not waited for: when the
    /// channel is not writable the notification is dropped and false returned.
    @discardableResult
    public func notify(_ method: String, params: JSONValue) -> Bool {
        guard channel.isActive, channel.isWritable else { return false }
        let line = JSONRPCResponse.notification(method, params: params).serialized + "\n"
        channel.writeAndFlush(ByteBuffer(string: line), promise: nil)
        return true
    }

    public static func == (a: RPCConnection, b: RPCConnection) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
