public import NIOCore
import Synchronization

/// Turns lines into JSON-RPC requests (single or batch), dispatches them to the service, and
/// writes each response as one line. Bad input gets its error object; an oversized line gets an
/// error and the connection is closed.
public final class RPCConnectionHandler: ChannelInboundHandler {
    public typealias InboundIn = LineFrame
    public typealias OutboundOut = ByteBuffer

    /// Largest batch accepted; a bigger one is refused whole.
    public static let batchSizeMax = 64

    private static let nextID = Atomic<Int>(0)

    private let service: any RPCService
    private let lineBytesMax: Int
    private let inFlightMax: Int
    private let peer: PeerCredentials?
    private let role: AccessRole
    private let policy: AccessPolicy?
    private var connection: RPCConnection?
    /// Requests whose responses are not written yet; a half-closed client still gets them.
    private var inFlight = 0
    private var inputClosed = false
    /// The backstop close after an over-long line; cancelled when the channel closes first.
    private var closeDeadline: Scheduled<Void>?

    /// `peer`, `role` and `policy` come from the server's check at connect; without them (tests
    /// over EmbeddedChannel) the client is an operator.
    public init(
        service: any RPCService, lineBytesMax: Int = LineFramingDecoder.defaultLineBytesMax,
        inFlightMax: Int = ConnectionLimits().inFlightMax, peer: PeerCredentials? = nil,
        role: AccessRole = .operator, policy: AccessPolicy? = nil
    ) {
        precondition(lineBytesMax > 0 && inFlightMax > 0)
        self.service = service
        self.lineBytesMax = lineBytesMax
        self.inFlightMax = inFlightMax
        self.peer = peer
        self.role = role
        self.policy = policy
    }

    public func channelActive(context: ChannelHandlerContext) {
        let id = Self.nextID.add(1, ordering: .relaxed).newValue
        connection = RPCConnection(id: id, channel: context.channel, peer: peer, role: role)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if let connection { service.connectionClosed(connection) }
        connection = nil
        closeDeadline?.cancel()
        closeDeadline = nil
        context.fireChannelInactive()
    }

    /// The client shut down its writing side (socat does, at the end of its input): answer what
    /// is in flight, then close.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            inputClosed = true
            closeIfDone(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A client that does not read its answers is not read from either: with its socket full,
    /// reading stops (so memory stays bounded whatever it sends), and resumes when it drains.
    /// If it never does, `ConnectionTimeoutHandler` closes it as a slow reader.
    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        if let options = context.channel.syncOptions {
            try? options.setOption(ChannelOptions.autoRead, value: writable)
        }
        if writable { context.read() }
        context.fireChannelWritabilityChanged()
    }

    private func closeIfDone(context: ChannelHandlerContext) {
        if inputClosed && inFlight == 0 { context.close(promise: nil) }
    }

    private func finished(_ bound: NIOLoopBound<RPCConnectionHandler>, _ context: NIOLoopBound<ChannelHandlerContext>) {
        bound.value.inFlight -= 1
        bound.value.closeIfDone(context: context.value)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .tooLong:
            let error = RPCError.invalidRequest(
                "the line is longer than \(lineBytesMax) bytes; closing the connection.")
            let bytes = ByteBuffer(string: JSONRPCResponse.error(error, id: nil).serialized + "\n")
            let channel = context.channel
            // Shut our side, drain theirs (the decoder drops it), close when they do or in a
            // second: closing with their bytes unread would reset the connection and could lose
            // the very line that says why.
            closeDeadline = context.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
            channel.writeAndFlush(bytes).whenComplete { _ in channel.close(mode: .output, promise: nil) }
        case .line(let line):
            handle(line: line, context: context)
        }
    }

    private func handle(line: ByteBuffer, context: ChannelHandlerContext) {
        let bytes = line.readableBytesView
        if bytes.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return }  // blank line
        // The parser refuses invalid UTF-8 too; which message applies is worked out only on failure.
        guard let value = JSONValue.parse(bytes) else {
            let error: RPCError =
                String(validating: bytes, as: UTF8.self) == nil
                ? .parseError("the line is not valid UTF-8.") : .parseError()
            service.answered(nil, error: error)
            write(JSONRPCResponse.error(error, id: nil), context: context)
            return
        }
        guard let connection else { return }
        // A stop is never "busy": it does not count against the connection's requests in flight.
        guard inFlight < inFlightMax || Self.isStop(value) else {
            let error = RPCError(
                code: RPCError.busyCode,
                message:
                    "Busy: \(inFlight) requests on this connection are still waiting for their answers (at most \(inFlightMax)); read the answers, then send more.",
                data: .object([("inFlightMax", .int(Int64(inFlightMax)))]))
            if case .string(let method)? = value["method"] {
                service.answered(method, error: error)
            } else {
                service.answered(nil, error: error)
            }
            write(JSONRPCResponse.error(error, id: value["id"]), context: context)
            return
        }
        if case .array(let elements) = value {
            guard !elements.isEmpty else {
                write(JSONRPCResponse.error(.invalidRequest("an empty batch."), id: nil), context: context)
                return
            }
            guard elements.count <= Self.batchSizeMax else {
                write(
                    JSONRPCResponse.error(
                        .invalidRequest("a batch of more than \(Self.batchSizeMax) requests."), id: nil),
                    context: context)
                return
            }
            let futures = elements.map { respond(to: $0, connection: connection) }
            let channel = context.channel
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            inFlight += 1
            EventLoopFuture.whenAllComplete(futures, on: context.eventLoop).whenSuccess { results in
                let responses = results.compactMap { try? $0.get() }.compactMap { $0 }
                if !responses.isEmpty { Self.write(.array(responses), to: channel) }
                bound.value.finished(bound, boundContext)
            }
        } else {
            let channel = context.channel
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            inFlight += 1
            respond(to: value, connection: connection).hop(to: context.eventLoop).whenSuccess { response in
                if let response { Self.write(response, to: channel) }
                bound.value.finished(bound, boundContext)
            }
        }
    }

    /// `pen.stop` or `pen.emergencyStop`, alone (not in a batch).
    public static func isStop(_ value: JSONValue) -> Bool {
        value["method"] == .string(APIMethod.penStop.name)
            || value["method"] == .string(APIMethod.penEmergencyStop.name)
    }

    /// The response object for one request, or nil for a notification.
    private func respond(to value: JSONValue, connection: RPCConnection) -> EventLoopFuture<JSONValue?> {
        let eventLoop = connection.eventLoop
        switch JSONRPCRequest.validate(value) {
        case .failure(let error):
            service.answered(nil, error: error)
            return eventLoop.makeSucceededFuture(JSONRPCResponse.error(error, id: value["id"]))
        case .success(let request):
            guard APIMethods.allows(connection.role, request) else {
                guard let id = request.id else { return eventLoop.makeSucceededFuture(nil) }
                let error =
                    policy.map { policy in
                        policy.operatorOnly(
                            request.method,
                            peer: connection.peer ?? PeerCredentials(processID: 0, userID: 0, groupIDs: []))
                    } ?? RPCError(code: RPCError.unauthorizedCode, message: "Unauthorized: \(request.method).")
                service.answered(request.method, error: error)
                return eventLoop.makeSucceededFuture(JSONRPCResponse.error(error, id: id))
            }
            let service = self.service
            return service.call(request, connection: connection).map { result -> JSONValue? in
                service.answered(request.method, error: nil)
                guard let id = request.id else { return nil }
                return JSONRPCResponse.result(result, id: id)
            }.flatMapErrorThrowing { error -> JSONValue? in
                let rpcError = error as? RPCError ?? .internalError("\(error)")
                service.answered(request.method, error: rpcError)
                guard let id = request.id else { return nil }
                return JSONRPCResponse.error(rpcError, id: id)
            }
        }
    }

    private func write(_ response: JSONValue, context: ChannelHandlerContext) {
        Self.write(response, to: context.channel)
    }

    private static func write(_ response: JSONValue, to channel: any Channel) {
        guard channel.isActive else { return }
        let text = response.serialized
        var buffer = channel.allocator.buffer(capacity: text.utf8.count + 1)
        buffer.writeString(text)
        buffer.writeInteger(UInt8(ascii: "\n"))
        channel.writeAndFlush(buffer, promise: nil)
    }
}
