public import NIOCore
import NIOHTTP1
import NIOPosix

/// The `[metrics] listen` address: HTTP/1.1 (SwiftNIO's server pipeline) on an event loop of its
/// own, so a scrape never queues behind the socket's clients. Answers `GET /metrics` (and
/// `HEAD`) with the text exposition; any other path is 404, any other method 405. A connection
/// that sends nothing for `idleTimeout` is closed (Prometheus reconnects at its next scrape).
public final class MetricsHTTPServer: Sendable {
    /// Prometheus' text format, as its client libraries serve it.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    /// Binds now, so that an address in use or not on this host stops the start with its error.
    public init(
        host: String, port: Int, idleTimeout: TimeAmount = .seconds(60),
        exposition: @escaping @Sendable () -> EventLoopFuture<String>
    ) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    // On the channel's own event loop: the pipeline is built in place.
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                        try pipeline.addHandler(IdleConnectionCloser())
                        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                        try pipeline.addHandler(MetricsHTTPHandler(exposition: exposition))
                    }
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
    }

    /// The port bound (the one asked for, or the kernel's choice for port 0 in tests).
    public var port: Int { channel.localAddress?.port ?? 0 }

    public func close() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// One connection's requests, answered in order (keep-alive as the client asks).
final class MetricsHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exposition: @Sendable () -> EventLoopFuture<String>

    init(exposition: @escaping @Sendable () -> EventLoopFuture<String>) { self.exposition = exposition }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let keepAlive = head.isKeepAlive
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        guard path == "/metrics" else {
            respond(bound, status: .notFound, body: "needled serves /metrics only.\n", keepAlive: keepAlive)
            return
        }
        guard head.method == .GET || head.method == .HEAD else {
            respond(
                bound, status: .methodNotAllowed, body: "GET /metrics only.\n", keepAlive: keepAlive,
                extra: [("Allow", "GET, HEAD")])
            return
        }
        let headOnly = head.method == .HEAD
        exposition().hop(to: context.eventLoop).whenComplete { result in
            switch result {
            case .success(let text):
                self.respond(
                    bound, status: .ok, body: text, keepAlive: keepAlive, contentType: MetricsHTTPServer.contentType,
                    headOnly: headOnly)
            case .failure(let error):
                self.respond(
                    bound, status: .serviceUnavailable, body: "the metrics could not be read: \(error)\n",
                    keepAlive: keepAlive)
            }
        }
    }

    private func respond(
        _ bound: NIOLoopBound<ChannelHandlerContext>, status: HTTPResponseStatus, body: String, keepAlive: Bool,
        contentType: String = "text/plain; charset=utf-8", headOnly: Bool = false, extra: [(String, String)] = []
    ) {
        let context = bound.value
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(buffer.readableBytes)")])
        headers.add(contentsOf: extra)
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !headOnly { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { bound.value.close(promise: nil) }
        }
    }
}

/// Closes a connection the `IdleStateHandler` found silent (placed before the HTTP handlers,
/// which do not pass the event on).
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        context.close(promise: nil)
    }
}
