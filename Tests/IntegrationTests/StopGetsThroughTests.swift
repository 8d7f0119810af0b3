import Foundation
import NeedledRPC
import Synchronization
import Testing

/// A stop from the socket always gets through (issue 16): with every connection slot held, and
/// under a flood of commands from 30 clients, against the real daemon. Before the stop lane and
/// the connection rule, the first read `-32006 Busy` for the idle timeout and the second lost 3
/// answers in 100 as "the control loop did not answer within 2 s".
@Suite("A stop always gets through", .serialized)
struct StopGetsThroughTests {
    static let emergencyStop = #"{"jsonrpc":"2.0","id":7,"method":"pen.emergencyStop"}"# + "\n"

    /// One client pipelining `pen.setSpeed`, 16 in flight (its connection's bound), while
    /// `flooding` holds; each answer is counted, and the busy ones.
    static func flood(
        _ path: String, hertz: Int, while flooding: borrowing Atomic<Bool>, answered: borrowing Atomic<Int>,
        busy: borrowing Atomic<Int>
    ) -> Bool {
        guard let socket = RawSocket(path: path, timeoutMilliseconds: 10_000) else { return false }
        var id = 0
        while flooding.load(ordering: .relaxed) {
            var batch = ""
            for _ in 0..<16 {
                id += 1
                batch += #"{"jsonrpc":"2.0","id":\#(id),"method":"pen.setSpeed","params":{"hertz":\#(hertz)}}"# + "\n"
            }
            socket.send(batch)
            for _ in 0..<16 {
                guard let line = socket.readLine() else { return true }
                answered.add(1, ordering: .relaxed)
                if line.contains(#""code":-32006"#) { busy.add(1, ordering: .relaxed) }
            }
        }
        return true
    }

    @Test("With every connection held idle, a new client's emergency stop is carried out and answered")
    func fullHouse() throws {
        let daemon = try DaemonProcess(config: "[socket]\nmax-connections = 32\n")
        try daemon.startTreatment()
        _ = try daemon.waitFor { $0["state"] == "running" }
        // A status client kept open first: the house is then filled by idle connections.
        let watcher = try daemon.client()
        #expect(try daemon.waitForSlots(held: 1, asking: watcher), "the calls before still hold slots")
        var idle: [RawSocket] = []
        for _ in 0..<40 { if let socket = RawSocket(path: daemon.socketPath) { idle.append(socket) } }
        #expect(idle.count == 40)
        // Anything but a stop, beyond the house: busy, with its own id, and closed.
        let other = try #require(RawSocket(path: daemon.socketPath))
        other.send(#"{"jsonrpc":"2.0","id":3,"method":"pen.status"}"# + "\n")
        let refused = other.readLine() ?? ""
        #expect(refused.contains(#""id":3"#) && refused.contains(#""code":-32006"#), "\(refused)")
        #expect(refused.contains("A stop (pen.stop, pen.emergencyStop) sent as the first request is still carried out"))
        #expect(other.readLine() == nil, "a connection beyond the house stayed open")
        #expect(try watcher.call("pen.status")["state"] == "running")

        let stopper = try #require(RawSocket(path: daemon.socketPath))
        stopper.send(Self.emergencyStop)
        #expect(stopper.readLine() == #"{"jsonrpc":"2.0","id":7,"result":{"accepted":true,"state":"fault"}}"#)
        #expect(stopper.readLine() == nil, "closed once answered")
        let status = try watcher.call("pen.status")
        #expect(status["state"] == "fault" && status["fault"]?["code"] == "emergencyStop")
        #expect(status["motorEnabled"] == .bool(false))
        // A plain stop gets through too, and a connection that sends nothing reads why it is closed.
        // (The house is still full: the watcher's connection is the way in. Reset once the motor is still.)
        #expect(daemon.resetWhenStill(on: watcher))
        let silent = try #require(RawSocket(path: daemon.socketPath))
        let silentLine = silent.readLine() ?? ""
        #expect(silentLine.contains(#""id":null"#) && silentLine.contains("at most 32 connections"), "\(silentLine)")
        let plain = try #require(RawSocket(path: daemon.socketPath))
        plain.send(#"{"jsonrpc":"2.0","id":8,"method":"pen.stop"}"# + "\n")
        let plainAnswer = plain.readLine() ?? ""
        let then = try watcher.call("pen.status")
        // The answer is the real outcome: the pen's state as the stop left it: idle. (The
        // "fault" CI saw here was `overspeed`: the emergency stop came in the run's first ~30 ms,
        // before the motor's first edges, and the reset was taken on a speed that read 0 while
        // it turned at 14 Hz. The core now waits for a motor neither driven nor moving for 200 ms:
        // FaultResetTests.) A late tick under the whole suite's load may latch `tickOverrun`.
        let state = then["state"]?.serialized ?? "?"
        #expect(
            plainAnswer == #"{"jsonrpc":"2.0","id":8,"result":{"accepted":true,"state":\#(state)}}"#,
            "the answer is not the state the stop left: \(plainAnswer) vs \(then.serialized)")
        if then["state"] != "idle" {
            print(
                "FIGURE fullHouse: after the reset the pen was \(state), fault \(then["fault"]?.serialized ?? "none")")
        }
        #expect(then["state"] == "idle" || then["fault"]?["code"] == "tickOverrun", "\(then.serialized)")
        idle.removeAll()
    }

    @Test("Under 30 clients flooding commands, 100 emergency stops are each carried out and answered, none lost")
    func stopsThroughAFlood() throws {
        let daemon = try DaemonProcess(config: "[socket]\nmax-connections = 64\n")
        try daemon.startTreatment()
        _ = try daemon.waitFor { $0["state"] == "running" }
        let flooding = Atomic<Bool>(true)
        let answered = Atomic<Int>(0)
        let busy = Atomic<Int>(0)
        let connected = Atomic<Int>(0)
        let path = daemon.socketPath
        let group = DispatchGroup()
        for _ in 0..<30 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                if Self.flood(path, hertz: 100, while: flooding, answered: answered, busy: busy) {
                    connected.add(1, ordering: .relaxed)
                }
            }
        }
        let stopper = try daemon.client()
        var outcomes: [String: Int] = [:]
        for _ in 0..<100 {
            do {
                let result = try stopper.call("pen.emergencyStop")
                outcomes["accepted, \(result["state"]?.text ?? "?")", default: 0] += 1
            } catch let error as RPCError {
                outcomes["error \(error.code): \(error.message)", default: 0] += 1
            }
            _ = try? stopper.call("pen.resetFault")
        }
        // And each from a new connection, as the first line: answered on the acceptor's thread,
        // whatever the event loop is doing (figures: the client's write to its answer read).
        var fresh: [String: Int] = [:]
        var freshMicroseconds: [Int64] = []
        for _ in 0..<100 {
            let socket = try #require(RawSocket(path: daemon.socketPath, timeoutMilliseconds: 5000))
            let start = DispatchTime.now().uptimeNanoseconds
            socket.send(Self.emergencyStop)
            let answer = socket.readLine() ?? "nothing"
            freshMicroseconds.append(Int64((DispatchTime.now().uptimeNanoseconds - start) / 1000))
            fresh[answer, default: 0] += 1
            _ = try? stopper.call("pen.resetFault")
        }
        freshMicroseconds.sort()
        print(
            "FIGURE stop through a flood, first line of a new connection: write → answer p50 \(freshMicroseconds[50]) µs, p99 \(freshMicroseconds[98]) µs, max \(freshMicroseconds[99]) µs"
        )
        #expect(fresh == [#"{"jsonrpc":"2.0","id":7,"result":{"accepted":true,"state":"fault"}}"#: 100])
        // And a well-behaved client's commands find their share of the mailbox among 30 flooders.
        var refusedAmongFlooders: [String] = []
        for _ in 0..<50 {
            do { _ = try stopper.call("daemon.stats") } catch { refusedAmongFlooders.append("\(error)") }
        }
        #expect(
            refusedAmongFlooders.isEmpty,
            "\(refusedAmongFlooders.count) of 50 refused among 30 flooding clients: \(refusedAmongFlooders.first ?? "")"
        )
        flooding.store(false, ordering: .relaxed)
        group.wait()
        #expect(connected.load(ordering: .relaxed) == 30)
        print(
            "FIGURE stop through a flood: 100 emergency stops, \(outcomes) while 30 clients had \(answered.load(ordering: .relaxed)) setSpeed answered (\(busy.load(ordering: .relaxed)) busy)"
        )
        #expect(outcomes == ["accepted, fault": 100])
        let info = try daemon.call("daemon.info")
        #expect(info["loop"]?["droppedReplies"] == .int(0))
        // The 100 new connections' stops, and the held connection's first (its first line too).
        #expect(info["stops"]?["answeredAtAccept"] == .int(101), "\(info["stops"]?.serialized ?? "")")
        #expect(info["stops"]?["unansweredAtAccept"] == .int(0))
    }

    /// The acceptor takes only a first line that is a stop; what follows it, and any other first
    /// line, is the event loop's, in the order it was sent.
    @Test("A stop sent first is answered at accept; the lines after it, and other first lines, are served in order")
    func stopAsTheFirstLine() throws {
        let daemon = try DaemonProcess()
        try daemon.startTreatment()
        _ = try daemon.waitFor { $0["state"] == "running" }
        let pipelined = try #require(RawSocket(path: daemon.socketPath))
        pipelined.send(Self.emergencyStop + #"{"jsonrpc":"2.0","id":8,"method":"pen.status"}"# + "\n")
        #expect(pipelined.readLine() == #"{"jsonrpc":"2.0","id":7,"result":{"accepted":true,"state":"fault"}}"#)
        let status = pipelined.readLine() ?? ""
        #expect(status.hasPrefix(#"{"jsonrpc":"2.0","id":8,"result":{"state":"fault""#), "\(status)")
        #expect(try daemon.call("daemon.info")["stops"]?["answeredAtAccept"] == .int(1))

        // A stop that is not the first line goes the event loop's way (and is answered the same).
        #expect(daemon.resetWhenStill(on: try daemon.client()))
        let second = try #require(RawSocket(path: daemon.socketPath))
        second.send(#"{"jsonrpc":"2.0","id":1,"method":"pen.status"}"# + "\n" + Self.emergencyStop)
        #expect((second.readLine() ?? "").hasPrefix(#"{"jsonrpc":"2.0","id":1,"result":{"state":"idle""#))
        #expect(second.readLine() == #"{"jsonrpc":"2.0","id":7,"result":{"accepted":true,"state":"fault"}}"#)
        #expect(try daemon.call("daemon.info")["stops"]?["answeredAtAccept"] == .int(1))

        // A stop as a notification (no id) is carried out and not answered; the next line is.
        #expect(daemon.resetWhenStill(on: try daemon.client()))
        let notification = try #require(RawSocket(path: daemon.socketPath))
        notification.send(
            #"{"jsonrpc":"2.0","method":"pen.emergencyStop"}"# + "\n"
                + #"{"jsonrpc":"2.0","id":2,"method":"pen.status"}"#
                + "\n")
        let after = notification.readLine() ?? ""
        #expect(after.hasPrefix(#"{"jsonrpc":"2.0","id":2,"result":{"state":"fault""#), "\(after)")
        #expect(try daemon.call("daemon.info")["stops"]?["answeredAtAccept"] == .int(2))

        // A first line that is a stop with bad params is the event loop's to refuse.
        let bad = try #require(RawSocket(path: daemon.socketPath))
        bad.send(#"{"jsonrpc":"2.0","id":3,"method":"pen.stop","params":{"now":true}}"# + "\n")
        let refused = bad.readLine() ?? ""
        #expect(refused.contains(#""id":3"#) && refused.contains(#""code":-32602"#), "\(refused)")
        #expect(try daemon.call("daemon.info")["stops"]?["answeredAtAccept"] == .int(2))
        // The stops are in the session's record like any other command, wherever answered.
        let recorded = try daemon.poll(seconds: 5) { () -> Int? in
            let record = try daemon.call("session.get", .object([("id", "S-0001")])).serialized
            let count = record.components(separatedBy: #""command":"emergencyStop""#).count - 1
            return count >= 3 ? count : nil
        }
        #expect(recorded == 3, "emergency stops in the record: \(recorded ?? 0)")
    }

    @Test("One client flooding cannot take the mailbox: another's commands are answered, not busy")
    func fairShareOfTheLoop() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.call("pen.home")
        _ = try daemon.waitFor { $0["state"] == "ready" }
        let flooding = Atomic<Bool>(true)
        let path = daemon.socketPath
        let done = DispatchSemaphore(value: 0)
        let flooded = Atomic<Int>(0)
        let busy = Atomic<Int>(0)
        Thread.detachNewThread {
            defer { done.signal() }
            _ = Self.flood(path, hertz: 90, while: flooding, answered: flooded, busy: busy)
        }
        let other = try daemon.client()
        var refused = 0
        for _ in 0..<200 {
            do { _ = try other.call("pen.setSpeed", params: .object([("hertz", .int(100))])) } catch { refused += 1 }
        }
        flooding.store(false, ordering: .relaxed)
        done.wait()
        #expect(flooded.load(ordering: .relaxed) > 200, "the flood did not flood")
        #expect(refused == 0, "\(refused) of 200 commands refused while one other client flooded")
    }

    /// A stop wakes the loop: it is carried out at once, not at the next deadline. At 250 ticks
    /// a second (the gpio-sim guest's rate) a stop waiting for its tick would wait 0–4 ms (2 on
    /// average; p50 1,420 µs measured with the wake disabled, 49 µs with it); woken, the loop applies it within
    /// its own wake-up. Each stop on a running pen, the figure the loop keeps
    /// (request handed over → motor-off outputs written).
    @Test("A stop wakes the loop: at 250 ticks a second the motor is off well before the next deadline")
    func stopWakesTheLoop() throws {
        let daemon = try DaemonProcess(config: "[daemon]\ntick-rate-hertz = 250\n")
        _ = try daemon.call("daemon.stats", .object([("reset", true)]))
        try daemon.startTreatment()
        for round in 0..<20 {
            if round > 0 {  // the session survives the fault; home again, arm and start
                _ = try daemon.call("pen.home")
                try daemon.waitFor { $0["state"] == "ready" }
                _ = try daemon.call("pen.arm")
                _ = try daemon.call("pen.start")
            }
            try daemon.waitFor { $0["state"] == "running" }
            let stopped = try daemon.call("pen.emergencyStop")
            #expect(stopped["state"] == "fault")
            #expect(daemon.resetWhenStill())
        }
        let stats = try daemon.call("daemon.stats")
        let latency = try #require(stats["emergencyStopCommandLatencyMicroseconds"])
        print(
            "FIGURE stop wakes the loop: 20 emergency stops at 250 Hz ticks, request → motor off \(latency.serialized) µs"
        )
        let median = try #require(latency["p50"]?.number)
        #expect(median < 1_000, "a stop waited for its tick (0–4 ms at 250 Hz): p50 \(median) µs")
    }
}
