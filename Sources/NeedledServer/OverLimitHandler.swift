import NIOCore
import NeedledRPC

/// The pipeline of a connection beyond the connection rule (`ConnectionSlots`): it may still
/// stop the pen. Its first request, if it is `pen.stop` or `pen.emergencyStop`, is carried out
/// and answered as on any connection; anything else is answered with -32006 (busy) and why. Then
/// the connection closes. A client that sends nothing within a second reads the busy error.
/// (The hardware E-stop input needs no socket at all; this is so that a full house can never be
/// the reason a stop from the socket does not get through.)
final class OverLimitHandler: ChannelInboundHandler {
    typealias InboundIn = LineFrame
    typealias OutboundOut = ByteBuffer

    static let firstLineWait = TimeAmount.seconds(1)

    private let service: any RPCService
    private let busy: RPCError
    private let peer: PeerCredentials
    private let role: AccessRole
    private var answered = false
    private var deadline: Scheduled<Void>?

    init(service: any RPCService, busy: RPCError, peer: PeerCredentials, role: AccessRole) {
        self.service = service
        self.busy = busy
        self.peer = peer
        self.role = role
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        let busy = self.busy
        deadline = context.eventLoop.scheduleTask(in: Self.firstLineWait) {
            Self.finish(channel, with: JSONRPCResponse.error(busy, id: nil))
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    /// The client shut its side without a request: the busy error, and close.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event, !answered else { return }
        answered = true
        deadline?.cancel()
        deadline = nil
        Self.finish(context.channel, with: JSONRPCResponse.error(busy, id: nil))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }  // one request is all a connection beyond the rule gets
        guard case .line(let line) = unwrapInboundIn(data), let value = JSONValue.parse(line.readableBytesView) else {
            return
        }
        answered = true
        deadline?.cancel()
        deadline = nil
        let channel = context.channel
        guard RPCConnectionHandler.isStop(value), case .success(let request) = JSONRPCRequest.validate(value) else {
            Self.finish(channel, with: JSONRPCResponse.error(busy, id: value["id"]))
            return
        }
        let connection = RPCConnection(id: -1, channel: channel, peer: peer, role: role)
        service.call(request, connection: connection).hop(to: context.eventLoop).whenComplete { result in
            let response: JSONValue
            switch result {
            case .success(let value): response = JSONRPCResponse.result(value, id: request.id ?? .null)
            case .failure(let error):
                response = JSONRPCResponse.error(error as? RPCError ?? .internalError("\(error)"), id: request.id)
            }
            Self.finish(channel, with: response)
        }
    }

    /// Writes the line, shuts our side, and closes when the client does or a second later.
    private static func finish(_ channel: any Channel, with response: JSONValue) {
        guard channel.isActive else { return }
        let bytes = ByteBuffer(string: response.serialized + "\n")
        channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        channel.writeAndFlush(bytes).whenComplete { _ in channel.close(mode: .output, promise: nil) }
    }
}
