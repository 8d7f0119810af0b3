import FaultCampaign
import NIOCore
import NIOEmbedded
import NeedleCore
import NeedledRPC

/// The libFuzzer target over the wire protocol: any bytes go through the line framing, the
/// JSON-RPC decoding and the access check into a dispatcher that drives the pure core (the
/// supervisor and the simulated pen, with every safety invariant checked each tick). It traps
/// (so libFuzzer reports) when an answer is not one valid JSON-RPC line, when a read-only
/// client's operator request reaches the core, or when an invariant breaks.
/// `Fuzz/` builds it with `-sanitize=fuzzer,address`; `FuzzCorpusTests` replays every committed
/// input through it on every test run.
public enum RPCFuzzTarget {
    /// Framing bound for fuzzing: small, so lines past it are reachable.
    static let lineBytesMax = 512

    public static func run(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let role: AccessRole = first & 1 == 0 ? .operator : .readOnly
        let chunk = Int(first >> 1) % 64 + 1
        let service = CoreDispatcher()
        let channel = EmbeddedChannel()
        let policy = AccessPolicy(
            daemonUserID: 1, operatorGroup: .init(name: "op", id: 2), readOnlyGroup: .init(name: "view", id: 3))
        do {
            let operations = channel.pipeline.syncOperations
            var limits = ConnectionLimits()
            limits.inFlightMax = 4
            try operations.addHandler(ConnectionTimeoutHandler(limits: limits))
            try operations.addHandler(ByteToMessageHandler(LineFramingDecoder(lineBytesMax: lineBytesMax)))
            try operations.addHandler(
                RPCConnectionHandler(
                    service: service, lineBytesMax: lineBytesMax, inFlightMax: limits.inFlightMax,
                    peer: PeerCredentials(processID: 9, userID: 1000, groupIDs: [role == .operator ? 2 : 3]),
                    role: role, policy: policy))
            try channel.connect(to: SocketAddress(unixDomainSocketPath: "/fuzz")).wait()
        } catch {
            preconditionFailure("the fuzz pipeline could not be built: \(error)")
        }
        var offset = 1
        while offset < input.count && channel.isActive {
            let end = min(input.count, offset + chunk)
            _ = try? channel.writeInbound(ByteBuffer(bytes: input[offset..<end]))
            offset = end
            checkAnswers(channel)
            if input[end - 1] == 0x07 { channel.embeddedEventLoop.advanceTime(by: .seconds(3)) }
        }
        checkAnswers(channel)
        if role == .readOnly {
            let reached = service.methods.filter { APIMethods.operate.contains($0) }
            precondition(reached.isEmpty, "a read-only client's \(reached) reached the core")
        }
        _ = try? channel.finish()
        // A channel the handler closed itself is torn down by a task on the embedded loop:
        // run it, or its handlers (and their cycle through the channel) outlive the input.
        channel.embeddedEventLoop.run()
    }

    /// Every line out is one JSON object with "jsonrpc":"2.0".
    static func checkAnswers(_ channel: EmbeddedChannel) {
        while let buffer = try? channel.readOutbound(as: ByteBuffer.self) {
            let bytes = Array(buffer.readableBytesView)
            precondition(bytes.last == UInt8(ascii: "\n"), "an answer without its newline")
            let line = bytes.dropLast()
            precondition(!line.contains(UInt8(ascii: "\n")), "two answers in one write")
            guard let value = JSONValue.parse(line) else {
                preconditionFailure("an answer that is not JSON: \(String(decoding: line, as: UTF8.self))")
            }
            switch value {
            case .object: precondition(value["jsonrpc"] == .string("2.0"), "an answer without jsonrpc 2.0")
            case .array(let answers): precondition(!answers.isEmpty, "an empty batch answer")
            default: preconditionFailure("an answer that is neither an object nor a batch")
            }
        }
    }
}

/// Dispatches the pen's commands to the pure core through `PenCommandRequest`, as the daemon's
/// `PenService` does through the loop, and checks the safety invariants after each.
final class CoreDispatcher: RPCService, @unchecked Sendable {
    private var checker = InvariantChecker(configuration: PenConfiguration(), seed: 7)
    private(set) var methods: [String] = []

    func call(_ request: JSONRPCRequest, connection: RPCConnection) -> EventLoopFuture<JSONValue> {
        methods.append(request.method)
        let eventLoop = connection.eventLoop
        do {
            guard let command = try PenCommandRequest.decode(request) else {
                guard APIMethods.all.contains(request.method) else { throw RPCError.methodNotFound(request.method) }
                return eventLoop.makeSucceededFuture(.null)
            }
            checker.perform(.command(command))
            checker.perform(.wait(ticks: 5))
            precondition(checker.violations.isEmpty, "a safety invariant broke: \(checker.violations)")
            return eventLoop.makeSucceededFuture(.object([("state", .string(checker.supervisor.phase.rawValue))]))
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func connectionClosed(_ connection: RPCConnection) {}
}
