public import NIOCore

/// Closes connections that hold a slot without using it: idle (no request in, nothing out),
/// a line begun and never finished (slowloris), or a reader that stopped reading. Sits first in
/// the pipeline and sees the raw bytes. Checks once a second on the event loop, so tests drive
/// it with `EmbeddedEventLoop.advanceTime`.
public final class ConnectionTimeoutHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Why a connection was closed, as the `connection.closing` notification says it.
    public enum Reason: String, Sendable {
        case idle
        case lineTimeout
        case slowReader
    }

    private let limits: ConnectionLimits
    private let onClose: (@Sendable (Reason) -> Void)?
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var partialLineSince: NIODeadline?
    private var unwritableSince: NIODeadline?
    private var checker: RepeatedTask?

    public init(limits: ConnectionLimits, onClose: (@Sendable (Reason) -> Void)? = nil) {
        precondition(limits.idleTimeout > .zero && limits.lineTimeout > .zero && limits.slowReaderTimeout > .zero)
        self.limits = limits
        self.onClose = onClose
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        checker = context.eventLoop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            bound.value.0.check(context: bound.value.1)
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        checker?.cancel()
        checker = nil
    }

    public func channelInactive(context: ChannelHandlerContext) {
        checker?.cancel()
        checker = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        let now = context.eventLoop.now
        let view = bytes.readableBytesView
        if let last = view.last {
            if last == UInt8(ascii: "\n") {
                partialLineSince = nil
                lastActivity = now
            } else if view.contains(UInt8(ascii: "\n")) {
                partialLineSince = now
                lastActivity = now
            } else if partialLineSince == nil {
                partialLineSince = now
            }
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = context.eventLoop.now
        context.write(data, promise: promise)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        unwritableSince = context.channel.isWritable ? nil : (unwritableSince ?? context.eventLoop.now)
        context.fireChannelWritabilityChanged()
    }

    private func check(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        if let since = unwritableSince, now - since >= limits.slowReaderTimeout {
            close(context: context, reason: .slowReader, message: nil)  // it would not read a goodbye either
        } else if let since = partialLineSince, now - since >= limits.lineTimeout {
            close(
                context: context, reason: .lineTimeout,
                message: "a line was begun and not finished within \(Self.seconds(limits.lineTimeout)) s.")
        } else if now - lastActivity >= limits.idleTimeout {
            close(
                context: context, reason: .idle,
                message: "no request for \(Self.seconds(limits.idleTimeout)) s; reconnect when needed.")
        }
    }

    private func close(context: ChannelHandlerContext, reason: Reason, message: String?) {
        checker?.cancel()
        checker = nil
        onClose?(reason)
        guard let message else {
            context.close(promise: nil)
            return
        }
        let notice = JSONRPCResponse.notification(
            "connection.closing",
            params: .object([("reason", .string(reason.rawValue)), ("message", .string(message))]))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: notice.serialized + "\n"))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    private static func seconds(_ amount: TimeAmount) -> Int64 { amount.nanoseconds / 1_000_000_000 }
}
