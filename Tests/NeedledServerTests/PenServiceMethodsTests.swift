import Foundation
import NIOCore
import NIOEmbedded
import NeedleCore
import NeedledConfig
import NeedledRPC
import NeedledStore
import Testing

@testable import NeedledLoop
@testable import NeedledServer

/// The API's handlers in process (issue 19, item 6): the real pipeline (framing, codec, access,
/// dispatch) on EmbeddedChannels that share one EmbeddedEventLoop with the service, and a loop
/// that the test plays by hand: it takes what the service put in the mailbox, answers it, pushes
/// snapshots and events, applies stops. Time is the embedded loop's: `advanceTime`, no sleeps.
@Suite("The API's handlers on EmbeddedChannels, with the loop played by the test")
final class PenServiceMethodsTests {
    let eventLoop = EmbeddedEventLoop()
    let channels = LoopChannels()
    let directory: String
    let service: PenService

    convenience init() throws {
        try self.init(backend: .simulated)
    }

    init(backend: DaemonConfiguration.BackendKind) throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "needled-methods-\(UUID().uuidString)"
            ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try TreatmentStore(directory: directory)
        let configuration = DaemonConfiguration(backend: backend)
        service = PenService(
            eventLoop: eventLoop, channels: channels, configuration: configuration, backendName: "test",
            store: store, recorder: EventRecorder(store: store),
            flight: FlightRecorder(tickPeriod: configuration.pen.tickPeriod),
            backendControls: ["encoderLost", "overTemperature"])
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A client: the daemon's pipeline on a channel of the service's event loop.
    func client(role: AccessRole = .operator) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(loop: eventLoop)
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFramingDecoder()))
        try channel.pipeline.syncOperations.addHandler(RPCConnectionHandler(service: service, role: role))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/x")).wait()
        return channel
    }

    func send(_ channel: EmbeddedChannel, _ method: String, _ params: String? = nil, id: Int = 1) throws {
        let paramsPart = params.map { #","params":\#($0)"# } ?? ""
        try channel.writeInbound(
            ByteBuffer(string: #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)"\#(paramsPart)}"# + "\n"))
    }

    /// Every line the client has been sent so far.
    func lines(_ channel: EmbeddedChannel) throws -> [String] {
        var lines: [String] = []
        while let out = try channel.readOutbound(as: ByteBuffer.self) {
            lines += String(buffer: out).split(separator: "\n").map(String.init)
        }
        return lines
    }

    /// The loop's part: what the service put in the mailbox, in order.
    func mailbox() -> [LoopEnvelope] {
        var taken: [LoopEnvelope] = []
        while let envelope = channels.requests.pop() { taken.append(envelope) }
        return taken
    }

    /// The loop answers and publishes; the service drains, as when the loop rings.
    func answer(_ envelope: LoopEnvelope, _ outcome: LoopOutcome) {
        #expect(channels.replies.push(LoopReply(requestID: envelope.requestID, outcome: outcome)))
        service.poll()
    }

    func snapshot(_ phase: PenPhase, depth: Int32 = 0, tick: Int64) {
        var snapshot = LoopSnapshot.initial
        snapshot.status.phase = phase
        snapshot.status.depth = Micrometres(depth)
        snapshot.status.tick = TickIndex(tick)
        #expect(channels.snapshots.push(snapshot))
    }

    @Test("A command goes into the mailbox as the core's command; the loop's answer is the client's result")
    func commandThroughTheMailbox() throws {
        let client = try client()
        try send(client, "pen.setDepth", #"{"micrometres":500}"#, id: 7)
        #expect(try lines(client).isEmpty, "answered before the loop applied it")
        let taken = mailbox()
        try #require(taken.count == 1)
        guard case .pen(.setDepth(let depth)) = taken[0].request else {
            Issue.record("the mailbox held \(taken[0].request)")
            return
        }
        #expect(depth == Micrometres(500))
        answer(taken[0], .accepted(state: .ready))
        #expect(try lines(client) == [#"{"jsonrpc":"2.0","id":7,"result":{"accepted":true,"state":"ready"}}"#])
        #expect(try client.finish().isClean)
    }

    @Test("A command the core refuses is the client's error, naming why and the state")
    func refusedCommand() throws {
        let client = try client()
        try send(client, "pen.start", id: 3)
        let taken = mailbox()
        try #require(taken.count == 1)
        answer(taken[0], .rejected(.faultLatched(command: .start, code: .overspeed), state: .fault))
        #expect(
            try lines(client) == [
                #"{"jsonrpc":"2.0","id":3,"error":{"code":-32003,"message":"Cannot start the pen: fault overspeed is latched. Reset the fault first (pen.resetFault), then home the pen.","data":{"code":"overspeed"}}}"#
            ])
    }

    @Test("A loop that does not answer: the client is told after 2 s, and its mailbox share is free again")
    func loopThatDoesNotAnswer() throws {
        let client = try client()
        let share = LoopClient(channels: channels, eventLoop: eventLoop, connectionsMax: 32).mailboxShare
        #expect(share == 3, "120 client slots over 32 connections")
        for id in 1...share { try send(client, "pen.home", id: id) }
        try send(client, "pen.home", id: 99)
        let busy = try lines(client)
        try #require(busy.count == 1)
        #expect(busy[0].contains(#""id":99,"error":{"code":-32006"#))
        #expect(busy[0].contains(#""mailboxShare":3"#))
        #expect(mailbox().count == share)

        eventLoop.advanceTime(by: LoopClient.replyTimeout - .milliseconds(1))
        #expect(try lines(client).isEmpty)
        eventLoop.advanceTime(by: .milliseconds(1))
        let timedOut = try lines(client)
        #expect(timedOut.count == share)
        #expect(timedOut.allSatisfy { $0.contains("the control loop did not answer within 2 s.") })
        try send(client, "pen.home", id: 100)
        #expect(mailbox().count == 1, "the share is free again")
    }

    @Test("A stop takes the stop lane, not the mailbox, and is answered with the phase its tick left")
    func stopByTheLane() throws {
        let client = try client(role: .readOnly)
        try send(client, "pen.emergencyStop", id: 5)
        #expect(mailbox().isEmpty)
        #expect(try lines(client).isEmpty)
        channels.stops.publish(emergency: 1, stop: 0, phase: .fault)
        service.poll()
        #expect(
            try lines(client) == [#"{"jsonrpc":"2.0","id":5,"result":{"accepted":true,"state":"fault"}}"#])
    }

    @Test("pen.status is the newest snapshot the loop pushed, taken when asked, not at the next poll")
    func statusFromTheNewestSnapshot() throws {
        let client = try client(role: .readOnly)
        snapshot(.ready, depth: 100, tick: 10)
        snapshot(.running, depth: 500, tick: 11)
        try send(client, "pen.status")
        let reply = try #require(try lines(client).first)
        #expect(reply.contains(#""state":"running""#))
        #expect(reply.contains(#""depthMicrometres":500"#))
        #expect(reply.contains(#""tick":11"#))
    }

    @Test("Events reach the subscribers, only them; telemetry at the asked rate until unsubscribed")
    func subscriptions() throws {
        let subscriber = try client(role: .readOnly)
        let other = try client(role: .readOnly)
        try send(subscriber, "events.subscribe")
        #expect(try lines(subscriber) == [#"{"jsonrpc":"2.0","id":1,"result":{"subscribed":true}}"#])
        #expect(channels.events.push(.homed(tick: TickIndex(42))))
        service.poll()
        #expect(
            try lines(subscriber) == [#"{"jsonrpc":"2.0","method":"event","params":{"type":"homed","tick":42}}"#])
        #expect(try lines(other).isEmpty)

        try send(other, "telemetry.subscribe", #"{"hz":10}"#)
        #expect(try lines(other) == [#"{"jsonrpc":"2.0","id":1,"result":{"subscribed":true,"hz":10}}"#])
        snapshot(.ready, depth: 300, tick: 50)
        eventLoop.advanceTime(by: .milliseconds(99))
        #expect(try lines(other).isEmpty)
        eventLoop.advanceTime(by: .milliseconds(1))
        let telemetry = try lines(other)
        try #require(telemetry.count == 1)
        #expect(telemetry[0].hasPrefix(#"{"jsonrpc":"2.0","method":"telemetry","params":{"#))
        #expect(telemetry[0].contains(#""depthMicrometres":300"#))
        eventLoop.advanceTime(by: .milliseconds(200))
        #expect(try lines(other).count == 2, "10 Hz")
        try send(other, "telemetry.unsubscribe", id: 2)
        #expect(try lines(other) == [#"{"jsonrpc":"2.0","id":2,"result":{"subscribed":false}}"#])
        eventLoop.advanceTime(by: .seconds(1))
        #expect(try lines(other).isEmpty)
        #expect(try lines(subscriber).isEmpty)
    }

    @Test("sim.injectFault: the fault by its number to the backend; an unknown name lists the known ones")
    func simulatorFaults() throws {
        let client = try client()
        try send(client, "sim.injectFault", #"{"fault":"nosuch"}"#, id: 1)
        let unknown = try #require(try lines(client).first)
        #expect(unknown.contains("-32602"))
        #expect(
            unknown.contains(#"unknown fault \"nosuch\"; the simulator's faults are encoderLost, overTemperature."#))
        #expect(mailbox().isEmpty)

        try send(client, "sim.injectFault", #"{"fault":"overTemperature"}"#, id: 2)
        let taken = mailbox()
        try #require(taken.count == 1)
        guard case .backend(let request) = taken[0].request else {
            Issue.record("the mailbox held \(taken[0].request)")
            return
        }
        #expect(request == BackendRequest(.activate, control: 1))
        answer(taken[0], .accepted(state: .idle))
        #expect(
            try lines(client) == [#"{"jsonrpc":"2.0","id":2,"result":{"fault":"overTemperature","active":true}}"#])
    }

    @Test("rpc.listMethods lists every method in the catalogue's order, the simulator's only on the simulated pen")
    func listMethods() throws {
        let client = try client(role: .readOnly)
        try send(client, "rpc.listMethods")
        let all = APIMethod.allCases.map { #""\#($0.name)""# }.joined(separator: ",")
        #expect(try lines(client) == [#"{"jsonrpc":"2.0","id":1,"result":[\#(all)]}"#])

        let gpio = try PenServiceMethodsTests(backend: .gpio)
        let gpioClient = try gpio.client(role: .readOnly)
        try gpio.send(gpioClient, "rpc.listMethods")
        let reply = try #require(try gpio.lines(gpioClient).first)
        #expect(!reply.contains("sim."))
        let gpioOperator = try gpio.client()
        try gpio.send(gpioOperator, "sim.injectFault", #"{"fault":"overTemperature"}"#, id: 2)
        #expect(
            try gpio.lines(gpioOperator) == [
                #"{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"Method not found: sim.injectFault.","data":{"method":"sim.injectFault"}}}"#
            ])
        #expect(gpio.mailbox().isEmpty)
    }

    @Test(
        "Each handler reads its method's params as the catalogue's type: a key it does not take is refused, naming it")
    func paramsFromTheCatalogue() throws {
        let client = try client()
        for (index, method) in APIMethod.allCases.enumerated() where method != .penEmergencyStop {
            try send(client, method.name, #"{"bogus":1}"#, id: index)
            let reply = try #require(try lines(client).first, "\(method.name) did not answer")
            #expect(
                reply.contains(
                    #""id":\#(index),"error":{"code":-32602,"message":"Invalid params: \#(method.name) does not take \"bogus\""#
                ), "\(method.name): \(reply)")
        }
        #expect(mailbox().isEmpty, "nothing reached the loop")
        // Whatever the params say, the pen stops.
        try send(client, "pen.emergencyStop", #"{"bogus":1}"#, id: 99)
        channels.stops.publish(emergency: 1, stop: 0, phase: .fault)
        service.poll()
        #expect(try lines(client) == [#"{"jsonrpc":"2.0","id":99,"result":{"accepted":true,"state":"fault"}}"#])
    }

    @Test("The ledger's longest serial is the loop's: a serial cartridge.register takes fits the ID chip's")
    func serialLength() {
        #expect(CartridgeRegisterParams.serialBytesMax == CartridgeSerial.bytesMax)
    }

    @Test("Each method reaches the handler of its domain: a read-only client is refused every operator method")
    func accessFromTheCatalogue() throws {
        let viewer = try client(role: .readOnly)
        for (index, method) in APIMethod.allCases.enumerated() where method.role == .operator {
            try send(viewer, method.name, id: index)
            let reply = try #require(try lines(viewer).first)
            #expect(reply.contains(#""id":\#(index),"error":{"code":-32004"#), "\(method.name): \(reply)")
        }
        #expect(mailbox().isEmpty)
    }
}
