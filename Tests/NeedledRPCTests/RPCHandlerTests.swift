import NIOCore
import NIOEmbedded
import NeedleCore
import NeedledRPC
import Testing

/// A service with two methods, for driving the handlers without a socket.
final class EchoService: RPCService, @unchecked Sendable {
    var closed = 0
    func call(_ request: JSONRPCRequest, connection: RPCConnection) -> EventLoopFuture<JSONValue> {
        switch request.method {
        case "echo": connection.eventLoop.makeSucceededFuture(request.params ?? .null)
        case "refuse":
            connection.eventLoop.makeFailedFuture(
                CommandRejection.faultLatched(command: .start, code: .overspeed).rpcError(state: .fault))
        default: connection.eventLoop.makeFailedFuture(RPCError.methodNotFound(request.method))
        }
    }
    func connectionClosed(_ connection: RPCConnection) { closed += 1 }
}

@Suite("JSON-RPC framing, codec and dispatch (EmbeddedChannel)")
struct RPCHandlerTests {
    func channel(lineBytesMax: Int = 64) throws -> (EmbeddedChannel, EchoService) {
        let service = EchoService()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(LineFramingDecoder(lineBytesMax: lineBytesMax)))
        try channel.pipeline.syncOperations.addHandler(
            RPCConnectionHandler(service: service, lineBytesMax: lineBytesMax))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/x")).wait()
        return (channel, service)
    }

    func exchange(_ channel: EmbeddedChannel, _ input: String) throws -> [String] {
        try channel.writeInbound(ByteBuffer(string: input))
        var lines: [String] = []
        while let out = try channel.readOutbound(as: ByteBuffer.self) { lines.append(String(buffer: out)) }
        return lines
    }

    @Test func request() throws {
        let (channel, _) = try channel()
        #expect(
            try exchange(channel, #"{"jsonrpc":"2.0","id":7,"method":"echo","params":{"a":1}}"# + "\n")
                == [#"{"jsonrpc":"2.0","id":7,"result":{"a":1}}"# + "\n"])
        #expect(try channel.finish().isClean)
    }

    @Test func lineSplitAcrossReadsAndCRLF() throws {
        let (channel, _) = try channel()
        #expect(try exchange(channel, #"{"jsonrpc":"2.0","id":1,"#).isEmpty)
        #expect(
            try exchange(channel, #""method":"echo"}"# + "\r\n") == [#"{"jsonrpc":"2.0","id":1,"result":null}"# + "\n"])
    }

    @Test func parseError() throws {
        let (channel, _) = try channel()
        #expect(
            try exchange(channel, "{oops\n")
                == [
                    #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the line is not valid JSON."}}"#
                        + "\n"
                ])
    }

    @Test func invalidUTF8() throws {
        let (channel, _) = try channel()
        try channel.writeInbound(ByteBuffer(bytes: [0x22, 0xC3, 0x28, 0x22, 0x0A]))
        let out = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(
            String(buffer: out)
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the line is not valid UTF-8."}}"#
                + "\n")
    }

    @Test func invalidRequests() throws {
        let (channel, _) = try channel(lineBytesMax: 1024)
        #expect(
            try exchange(channel, "42\n")
                == [
                    #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request: a request must be a JSON object."}}"#
                        + "\n"
                ])
        #expect(
            try exchange(channel, #"{"id":1,"method":"echo"}"# + "\n")
                == [
                    #"{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"Invalid request: \"jsonrpc\" must be \"2.0\"."}}"#
                        + "\n"
                ])
        #expect(
            try exchange(channel, #"{"jsonrpc":"2.0","id":1,"method":3}"# + "\n")
                == [
                    #"{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"Invalid request: \"method\" must be a string."}}"#
                        + "\n"
                ])
        #expect(
            try exchange(channel, #"{"jsonrpc":"2.0","id":1,"method":"echo","params":5}"# + "\n")
                == [
                    #"{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"Invalid request: \"params\" must be an object or an array."}}"#
                        + "\n"
                ])
    }

    @Test func unknownMethod() throws {
        let (channel, _) = try channel()
        #expect(
            try exchange(channel, #"{"jsonrpc":"2.0","id":"a","method":"fly"}"# + "\n")
                == [
                    #"{"jsonrpc":"2.0","id":"a","error":{"code":-32601,"message":"Method not found: fly.","data":{"method":"fly"}}}"#
                        + "\n"
                ])
    }

    @Test func rejectionCarriesItsData() throws {
        let (channel, _) = try channel(lineBytesMax: 1024)
        #expect(
            try exchange(channel, #"{"jsonrpc":"2.0","id":2,"method":"refuse"}"# + "\n")
                == [
                    #"{"jsonrpc":"2.0","id":2,"error":{"code":-32003,"message":"Cannot start the pen: fault overspeed is latched. Reset the fault first (pen.resetFault), then home the pen.","data":{"code":"overspeed"}}}"#
                        + "\n"
                ])
    }

    @Test func notificationGetsNoResponse() throws {
        let (channel, _) = try channel()
        #expect(try exchange(channel, #"{"jsonrpc":"2.0","method":"echo"}"# + "\n").isEmpty)
        #expect(try channel.finish().isClean)
    }

    @Test func batch() throws {
        let (channel, _) = try channel(lineBytesMax: 1024)
        let input =
            #"[{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","id":2,"method":"fly"}]"#
            + "\n"
        #expect(
            try exchange(channel, input) == [
                #"[{"jsonrpc":"2.0","id":1,"result":[1]},{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found: fly.","data":{"method":"fly"}}}]"#
                    + "\n"
            ])
        #expect(
            try exchange(channel, "[]\n")
                == [
                    #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request: an empty batch."}}"#
                        + "\n"
                ])
    }

    @Test func oversizedLineIsAnsweredThenClosed() throws {
        let (channel, _) = try channel(lineBytesMax: 16)
        let lines = try exchange(channel, String(repeating: "x", count: 40))
        #expect(
            lines == [
                #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request: the line is longer than 16 bytes; closing the connection."}}"#
                    + "\n"
            ])
        // Closed when the client closes, or a second later at most.
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func framingProperty() throws {
        // The same two requests, delivered whole, byte by byte, and in odd chunks, answer alike.
        let input =
            #"{"jsonrpc":"2.0","id":1,"method":"echo"}"# + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"echo"}"# + "\n"
        let expected = [
            #"{"jsonrpc":"2.0","id":1,"result":null}"# + "\n", #"{"jsonrpc":"2.0","id":2,"result":null}"# + "\n",
        ]
        for chunk in [input.utf8.count, 1, 3, 7, 41] {
            let (channel, _) = try channel()
            var lines: [String] = []
            let bytes = Array(input.utf8)
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                lines += try exchange(
                    channel, String(decoding: bytes[start..<min(start + chunk, bytes.count)], as: UTF8.self))
            }
            #expect(lines == expected, "chunk size \(chunk)")
        }
    }

    @Test func closeTellsTheService() throws {
        let (channel, service) = try channel()
        _ = try channel.finish()
        #expect(service.closed == 1)
    }
}
