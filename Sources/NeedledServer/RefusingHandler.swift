import NIOCore
import NeedledRPC

/// The whole pipeline of a refused connection: writes the error line (-32004 unauthorized, or
/// -32006 when every connection slot is taken), shuts its side down and closes once the client
/// has too (at most a second later). Whatever the client sent meanwhile is read and dropped:
/// closing with unread bytes would make the kernel reset the connection, and the client could
/// lose the very line that says why.
final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let error: RPCError
    private var closeDeadline: Scheduled<Void>?

    init(_ error: RPCError) {
        self.error = error
    }

    func channelActive(context: ChannelHandlerContext) {
        let line = JSONRPCResponse.error(error, id: nil).serialized + "\n"
        let channel = context.channel
        closeDeadline = context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: line))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeDeadline?.cancel()
        closeDeadline = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}  // dropped: the connection is closing

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }
}
