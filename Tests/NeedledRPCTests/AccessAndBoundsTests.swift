import NIOCore
import NIOEmbedded
import NeedledRPC
import Testing

/// Answers `wait` never (until released) and `echo` at once: for the in-flight bound.
final class SlowService: RPCService, @unchecked Sendable {
    var waiting: [EventLoopPromise<JSONValue>] = []
    func call(_ request: JSONRPCRequest, connection: RPCConnection) -> EventLoopFuture<JSONValue> {
        if request.method == "wait" {
            let promise = connection.eventLoop.makePromise(of: JSONValue.self)
            waiting.append(promise)
            return promise.futureResult
        }
        return connection.eventLoop.makeSucceededFuture(request.params ?? .null)
    }
    func connectionClosed(_ connection: RPCConnection) {}
}

@Suite("Access policy and connection bounds")
struct AccessAndBoundsTests {
    let policy = AccessPolicy(
        daemonUserID: 998, operatorGroup: .init(name: "needled-operator", id: 4242),
        readOnlyGroup: .init(name: "needled-view", id: 4343))

    func peer(uid: UInt32, _ groups: [UInt32]) -> PeerCredentials {
        PeerCredentials(processID: 77, userID: uid, groupIDs: groups)
    }

    @Test("Roles: root and the daemon's user operate; the groups decide the rest; strangers are refused")
    func roles() {
        #expect(policy.role(of: peer(uid: 0, [0])) == .operator)
        #expect(policy.role(of: peer(uid: 998, [998])) == .operator)
        #expect(policy.role(of: peer(uid: 1000, [1000, 4242])) == .operator)
        #expect(policy.role(of: peer(uid: 1000, [4343, 4242])) == .operator, "operator wins over read-only")
        #expect(policy.role(of: peer(uid: 1000, [1000, 4343])) == .readOnly)
        #expect(policy.role(of: peer(uid: 1000, [1000, 27])) == nil)
        let none = AccessPolicy(daemonUserID: 998, operatorGroup: nil, readOnlyGroup: nil)
        #expect(none.role(of: peer(uid: 1000, [4242])) == nil)
        #expect(
            none.refusal(of: peer(uid: 1000, [])).message
                == "Unauthorized: uid 1000 may not use needled; ask for membership of no group (none is configured: only root and the daemon's user may connect) (Docs/operations.md, \"Permissions\")."
        )
    }

    @Test("Every method is either read or operate, never both, and the two make up the whole API")
    func methodTable() {
        #expect(Set(APIMethods.read).isDisjoint(with: APIMethods.operate))
        #expect(Set(APIMethods.read).union(APIMethods.operate) == Set(APIMethods.all))
        #expect(APIMethods.all.count == Set(APIMethods.all).count)
        // Stopping is never an operator's privilege alone.
        #expect(APIMethods.read.contains("pen.emergencyStop") && APIMethods.read.contains("pen.stop"))
        for method in ["pen.start", "pen.setDepth", "pen.resetFault", "session.open", "cartridge.register"] {
            #expect(APIMethods.operate.contains(method), "\(method)")
        }
    }

    /// Access is decided from each method's own role (issue 19, item 2): a read-only client is
    /// refused exactly the operator's methods, an operator none, and a name that is no method is
    /// left to dispatch's -32601 (no handler exists for it: dispatch switches over `APIMethod`).
    @Test("Each method's role decides access, for every method and both roles")
    func accessFromTheMethodsRole() throws {
        func request(_ method: String) throws -> JSONRPCRequest {
            let value = JSONValue.object([("jsonrpc", "2.0"), ("id", 1), ("method", .string(method))])
            return try JSONRPCRequest.validate(value).get()
        }
        for method in APIMethod.allCases {
            #expect(APIMethods.allows(.operator, try request(method.name)), "\(method.name)")
            #expect(
                APIMethods.allows(.readOnly, try request(method.name)) == (method.role == .readOnly), "\(method.name)")
        }
        #expect(APIMethods.all == APIMethod.allCases.map(\.name))
        #expect(APIMethods.allows(.readOnly, try request("pen.teleport")))
    }

    func channel(
        service: any RPCService, role: AccessRole = .operator, limits: ConnectionLimits = ConnectionLimits()
    ) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ConnectionTimeoutHandler(limits: limits))
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFramingDecoder()))
        try channel.pipeline.syncOperations.addHandler(
            RPCConnectionHandler(
                service: service, inFlightMax: limits.inFlightMax, peer: peer(uid: 1000, [4343]), role: role,
                policy: policy))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/x")).wait()
        return channel
    }

    func outbound(_ channel: EmbeddedChannel) throws -> [String] {
        var lines: [String] = []
        while let out = try channel.readOutbound(as: ByteBuffer.self) { lines.append(String(buffer: out)) }
        return lines
    }

    @Test("A read-only client's operator request gets -32004 and never reaches the service")
    func readOnlyRefusedPerRequest() throws {
        let service = SlowService()
        let channel = try channel(service: service, role: .readOnly)
        try channel.writeInbound(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"method":"pen.setDepth"}"# + "\n"))
        #expect(
            try outbound(channel) == [
                #"{"jsonrpc":"2.0","id":1,"error":{"code":-32004,"message":"Unauthorized: pen.setDepth moves the pen or changes the records; uid 1000 may only read and stop. It needs the operator group needled-operator.","data":{"method":"pen.setDepth","uid":1000,"role":"readOnly"}}}"#
                    + "\n"
            ])
        try channel.writeInbound(
            ByteBuffer(string: #"{"jsonrpc":"2.0","id":2,"method":"pen.status","params":[]}"# + "\n"))
        #expect(try outbound(channel) == [#"{"jsonrpc":"2.0","id":2,"result":[]}"# + "\n"])
    }

    @Test("More requests in flight than the bound get -32006 busy; answers free the slots")
    func inFlightBound() throws {
        let service = SlowService()
        var limits = ConnectionLimits()
        limits.inFlightMax = 2
        let channel = try channel(service: service, limits: limits)
        let wait = (1...3).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"wait"}"# + "\n" }.joined()
        try channel.writeInbound(ByteBuffer(string: wait))
        #expect(
            try outbound(channel) == [
                #"{"jsonrpc":"2.0","id":3,"error":{"code":-32006,"message":"Busy: 2 requests on this connection are still waiting for their answers (at most 2); read the answers, then send more.","data":{"inFlightMax":2}}}"#
                    + "\n"
            ])
        #expect(service.waiting.count == 2, "the refused request reached the service")
        service.waiting[0].succeed(.int(1))
        #expect(try outbound(channel) == [#"{"jsonrpc":"2.0","id":1,"result":1}"# + "\n"])
        try channel.writeInbound(ByteBuffer(string: #"{"jsonrpc":"2.0","id":4,"method":"echo","params":[4]}"# + "\n"))
        #expect(try outbound(channel) == [#"{"jsonrpc":"2.0","id":4,"result":[4]}"# + "\n"])
        service.waiting[1].succeed(.int(2))
    }

    @Test("Idle: closed after the idle timeout with a notice; traffic out keeps it open")
    func idleTimeout() throws {
        var limits = ConnectionLimits()
        limits.idleTimeout = .seconds(30)
        let channel = try channel(service: SlowService(), limits: limits)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        channel.writeAndFlush(ByteBuffer(string: "{}\n"), promise: nil)  // a notification going out
        _ = try outbound(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(20))
        #expect(channel.isActive, "closed though a notification went out 20 s ago")
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))
        #expect(
            try outbound(channel) == [
                #"{"jsonrpc":"2.0","method":"connection.closing","params":{"reason":"idle","message":"no request for 30 s; reconnect when needed."}}"#
                    + "\n"
            ])
        #expect(!channel.isActive)
    }

    @Test("Slowloris: a line begun and not finished within the line timeout closes the connection")
    func lineTimeout() throws {
        let channel = try channel(service: SlowService())
        for _ in 0..<9 {
            try channel.writeInbound(ByteBuffer(string: "{"))
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(
            try outbound(channel) == [
                #"{"jsonrpc":"2.0","method":"connection.closing","params":{"reason":"lineTimeout","message":"a line was begun and not finished within 10 s."}}"#
                    + "\n"
            ])
        #expect(!channel.isActive)
    }

    @Test("Slow reader: a socket that stays full for the timeout is closed, without a notice it would not read")
    func slowReader() throws {
        let channel = try channel(service: SlowService())
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(try outbound(channel).isEmpty)
    }

    @Test("Whole lines, however slow between them, are not a slowloris")
    func wholeLinesAreFine() throws {
        let channel = try channel(service: SlowService())
        for id in 0..<30 {
            try channel.writeInbound(ByteBuffer(string: #"{"jsonrpc":"2.0","id":\#(id),"method":"echo"}"# + "\n"))
            channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        }
        #expect(channel.isActive)
        #expect(try outbound(channel).count == 30)
    }
}
