import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// Hostile clients against the running daemon while a treatment runs: 1,000 connections at
/// once, a 10 MB line, slowloris writers, invalid UTF-8, deep nesting, huge batches, half-closed
/// sockets, a flood, a client that never reads. Each gets its clear answer; the pen keeps
/// running with no fault, another client keeps being served, memory stays bounded and the
/// records stay whole.
@Suite("Hostile clients", .serialized)
struct HostileClientTests {
    static let config = """
        [socket]
        max-connections = 32
        line-timeout-seconds = 2
        slow-reader-timeout-seconds = 2
        idle-timeout-seconds = 10
        """

    static func residentKibibytes(_ pid: Int32) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    /// 200 `pen.status` round trips, sorted, in microseconds.
    static func roundTrips(_ client: NeedledClient) throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<200 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try client.call("pen.status")
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
        }
        return times.sorted()
    }

    /// Closed connections are counted down on the daemon's event loop: wait until one is served.
    func waitForFreeSlots(_ daemon: DaemonProcess) throws {
        for _ in 0..<100 {
            if let socket = RawSocket(path: daemon.socketPath) {
                socket.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.info"}"# + "\n")
                if socket.readLine()?.contains(#""result""#) == true { return }
            }
            usleep(50_000)
        }
        Issue.record("the connection slots were not freed")
    }

    @Test("Every hostile client gets a clear answer; the treatment, other clients and records are untouched")
    func hostileClients() throws {
        // A thousand sockets here and as many accepted there: a fresh machine's soft limit of
        // open files is often 1024. Raise it (to the hard limit, at most 8192) before the daemon
        // starts, so that both sides inherit it.
        var files = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        if files.rlim_cur < 4096 {
            files.rlim_cur = min(files.rlim_max, 8192)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &files)
        }
        #expect(files.rlim_cur >= 2048, "cannot open enough files for 1,000 connections (ulimit -n \(files.rlim_cur))")
        let daemon = try DaemonProcess(config: Self.config)
        let pid = daemon.process.processIdentifier
        try daemon.startTreatment()
        _ = try daemon.waitFor { $0["state"] == "running" }
        _ = try daemon.call("daemon.stats", .object([("reset", true)]))
        #expect(try daemon.waitForTicks(1_000))  // a calm second of treatment, by the loop's ticks
        let calm = try daemon.call("daemon.stats")
        let calmProbe = try Self.roundTrips(try daemon.client())
        let rssBefore = Self.residentKibibytes(pid)
        var rssMax = rssBefore
        func sampleMemory() { rssMax = max(rssMax, Self.residentKibibytes(pid)) }
        _ = try daemon.call("daemon.stats", .object([("reset", true)]))

        // 1. A thousand connections at once: 32 are served, every other one reads -32006 and is closed.
        var sockets: [RawSocket] = []
        for _ in 0..<1000 { if let socket = RawSocket(path: daemon.socketPath) { sockets.append(socket) } }
        #expect(sockets.count == 1000, "connect itself failed for \(1000 - sockets.count)")
        var busy = 0
        var served = 0
        for socket in sockets {
            socket.send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.info"}"# + "\n")
        }
        for socket in sockets {
            guard let line = socket.readLine() else { continue }
            if line.contains(#""code":-32006"#) && line.contains("at most 32 connections") {
                busy += 1
                #expect(socket.readLine() == nil, "a refused connection stayed open")
            } else if line.contains(#""result""#) {
                served += 1
            }
        }
        sampleMemory()
        sockets.removeAll()
        try waitForFreeSlots(daemon)
        print("FIGURE hostile: 1000 connections at once: \(served) served, \(busy) refused cleanly with -32006")
        #expect(served + busy == 1000)
        #expect(served <= 32 && served >= 20)

        // 2. A 10 MB line: -32600 and closed, without buffering 10 MB.
        let long = try #require(RawSocket(path: daemon.socketPath))
        long.send([UInt8](repeating: UInt8(ascii: "a"), count: 10_000_000))
        let longAnswer = long.readLine() ?? ""
        #expect(
            longAnswer.contains(#""code":-32600"#) && longAnswer.contains("longer than 65536 bytes"), "\(longAnswer)")
        sampleMemory()

        // 3. Slowloris: 20 writers each dribbling an unfinished line are closed after 2 s.
        let slow = (0..<20).compactMap { _ in RawSocket(path: daemon.socketPath, timeoutMilliseconds: 5000) }
        for _ in 0..<3 {
            for socket in slow { socket.send("{") }
            usleep(500_000)
        }
        let closedSlow = slow.filter { ($0.readLine() ?? "").contains(#""reason":"lineTimeout""#) }.count
        print("FIGURE hostile: slowloris: \(closedSlow) of 20 closed with connection.closing lineTimeout")
        #expect(closedSlow == 20)

        // 4. Invalid UTF-8, deep nesting, batches, half-close: each its answer, on one connection each.
        let bad = try #require(RawSocket(path: daemon.socketPath))
        bad.send([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A])
        #expect(
            bad.readLine()
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the line is not valid UTF-8."}}"#
        )
        bad.send(String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000) + "\n")
        #expect(
            bad.readLine()
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the line is not valid JSON."}}"#
        )
        let request = #"{"jsonrpc":"2.0","id":1,"method":"pen.status"}"#
        bad.send("[" + Array(repeating: request, count: 65).joined(separator: ",") + "]\n")
        #expect(
            bad.readLine()
                == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request: a batch of more than 64 requests."}}"#
        )
        bad.send("[" + Array(repeating: request, count: 64).joined(separator: ",") + "]\n")
        let batch = bad.readLine().flatMap { JSONValue.parse(Array($0.utf8)) }
        guard case .array(let answers)? = batch else {
            Issue.record("a batch of 64 got no array")
            return
        }
        #expect(answers.count == 64)
        let half = try #require(RawSocket(path: daemon.socketPath))
        half.send(#"{"jsonrpc":"2.0","id":9,"method":"daemon.info"}"# + "\n")
        half.shutdownWriting()
        #expect(half.readLine()?.hasPrefix(#"{"jsonrpc":"2.0","id":9,"result""#) == true)
        #expect(half.readLine() == nil, "a half-closed client was not closed after its answer")

        // 5. A flood from four clients and one that never reads, while a fifth is timed.
        let stopFlood = ManagedAtomicFlag()
        let socketPath = daemon.socketPath
        let floodThreads = (0..<4).map { _ in
            Thread {
                guard let socket = RawSocket(path: socketPath) else { return }
                let line = Array((request + "\n").utf8)
                while !stopFlood.isSet {
                    socket.send(line)
                    _ = socket.readLine()
                }
            }
        }
        floodThreads.forEach { $0.start() }
        // It sends and never reads: its socket fills, the daemon stops reading it, its sends
        // block; after the slow-reader timeout (2 s here) the daemon closes it.
        let deaf = try #require(RawSocket(path: daemon.socketPath, timeoutMilliseconds: 200))
        var deafSent = 0
        let deafLine = Array((request + "\n").utf8)
        let deafDeadline = Date().addingTimeInterval(5)
        while Date() < deafDeadline {
            let sent = deaf.send(deafLine)
            deafSent += sent
            if sent < deafLine.count { break }  // blocked: the daemon no longer reads it
        }
        sampleMemory()
        usleep(3_000_000)
        sampleMemory()
        let deafClosed = deaf.send(deafLine) < deafLine.count && deaf.send(deafLine) == 0
        let roundTrips = try Self.roundTrips(try daemon.client())
        stopFlood.set()
        sampleMemory()
        let probeP99 = roundTrips[roundTrips.count * 99 / 100]
        print(
            "FIGURE hostile: a client that never reads was closed: \(deafClosed) (it sent \(deafSent / 1024) KiB before the daemon stopped reading); during a 4-client flood another client's pen.status p50 \(Int(roundTrips[100])) µs, p99 \(Int(probeP99)) µs (calm: p50 \(Int(calmProbe[100])) µs, p99 \(Int(calmProbe[198])) µs)"
        )
        #expect(deafClosed)
        #expect(probeP99 < 100_000, "another client starved during the flood")

        // The pen ran through all of it: still running, no fault, no overruns.
        let status = try daemon.status()
        #expect(status["state"] == "running")
        #expect(status["fault"] == .null)
        let attacked = try daemon.call("daemon.stats")
        let calmP99 = calm["wakeupLatencyMicroseconds"]?["p99"]
        let attackedP99 = attacked["wakeupLatencyMicroseconds"]?["p99"]
        print(
            "FIGURE hostile: loop wake-up p99 \(calmP99?.serialized ?? "?") µs calm vs \(attackedP99?.serialized ?? "?") µs under attack; overruns \(attacked["overruns"]?.serialized ?? "?"); daemon RSS \(rssBefore / 1024) MiB before, \(rssMax / 1024) MiB at most"
        )
        // Overruns are reported, not gated: on a 2-core VM a thousand connects can delay one
        // tick; a run of them would have latched tickOverrun, which the check above rules out.
        #expect(rssMax - rssBefore < 64 * 1024, "the attack grew the daemon by \((rssMax - rssBefore) / 1024) MiB")

        // And the records are whole: the session closes with its strokes and telemetry.
        _ = try daemon.call("pen.stop")
        _ = try daemon.waitFor { $0["state"] == "ready" }
        let closed = try daemon.call("session.close")
        guard case .string(let id)? = closed["closed"] else {
            Issue.record("no session closed: \(closed.serialized)")
            return
        }
        let session = try daemon.call("session.get", .object([("id", .string(id))]))
        guard case .int(let strokes)? = session["strokes"] else {
            Issue.record("the session has no strokes: \(session.serialized)")
            return
        }
        #expect(strokes > 0)
        let samples = try daemon.call("session.telemetry", .object([("id", .string(id)), ("limit", 36_000)]))
        guard case .array(let rows) = samples else {
            Issue.record("session.telemetry is not a list: \(samples.serialized)")
            return
        }
        #expect(rows.count > 10)
    }
}

extension HostileClientTests {
    static let emergencyStop = #"{"jsonrpc":"2.0","id":7,"method":"pen.emergencyStop"}"# + "\n"
    static let stopped = #"{"jsonrpc":"2.0","id":7,"result":{"accepted":true,"state":"fault"}}"#

    /// An emergency stop from a new connection while the attack goes on: carried out, answered.
    func stopGetsThrough(_ attack: String, _ daemon: DaemonProcess, watcher: NeedledClient) throws {
        let stopper = try #require(RawSocket(path: daemon.socketPath, timeoutMilliseconds: 5000))
        stopper.send(Self.emergencyStop)
        let answer = stopper.readLine() ?? ""
        #expect(answer == Self.stopped, "during \(attack): \(answer)")
        let status = try watcher.call("pen.status")
        #expect(status["fault"]?["code"] == "emergencyStop", "during \(attack)")
        #expect(status["motorEnabled"] == .bool(false), "during \(attack)")
    }

    /// Back to running after a stop (the session stays open): reset once still, home, arm, start.
    func resume(_ daemon: DaemonProcess, _ watcher: NeedledClient) throws {
        #expect(daemon.resetWhenStill(on: watcher))
        _ = try watcher.call("pen.home")
        for _ in 0..<500 where try watcher.call("pen.status")["state"] != "ready" { usleep(10_000) }
        _ = try watcher.call("pen.arm")
        _ = try watcher.call("pen.start")
        for _ in 0..<500 where try watcher.call("pen.status")["state"] != "running" { usleep(10_000) }
    }

    @Test("During each attack, an emergency stop from a new client is carried out and answered")
    func stopDuringEachAttack() throws {
        let daemon = try DaemonProcess(config: Self.config)
        try daemon.startTreatment()
        _ = try daemon.waitFor { $0["state"] == "running" }
        let watcher = try daemon.client()

        // 1. Every slot held, and hundreds more connections waiting.
        var sockets: [RawSocket] = []
        for _ in 0..<300 { if let socket = RawSocket(path: daemon.socketPath) { sockets.append(socket) } }
        try stopGetsThrough("300 connections held open", daemon, watcher: watcher)
        sockets.removeAll()
        try waitForFreeSlots(daemon)
        try resume(daemon, watcher)

        // 2. A 10 MB line on its way, and 20 slowloris writers.
        let long = try #require(RawSocket(path: daemon.socketPath))
        long.send([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        let slow = (0..<20).compactMap { _ in RawSocket(path: daemon.socketPath, timeoutMilliseconds: 5000) }
        for socket in slow { socket.send("{") }
        try stopGetsThrough("a long line and slowloris writers", daemon, watcher: watcher)
        try resume(daemon, watcher)

        // 3. A flood from four clients and a client that never reads.
        let stopFlood = ManagedAtomicFlag()
        let socketPath = daemon.socketPath
        let request = Array((#"{"jsonrpc":"2.0","id":1,"method":"pen.status"}"# + "\n").utf8)
        let floodThreads = (0..<4).map { _ in
            Thread {
                guard let socket = RawSocket(path: socketPath) else { return }
                while !stopFlood.isSet {
                    socket.send(request)
                    _ = socket.readLine()
                }
            }
        }
        floodThreads.forEach { $0.start() }
        let deaf = try #require(RawSocket(path: daemon.socketPath, timeoutMilliseconds: 200))
        for _ in 0..<2000 where deaf.send(request) == request.count {}
        try stopGetsThrough("a 4-client flood and a client that never reads", daemon, watcher: watcher)
        stopFlood.set()
    }
}

/// A stop flag the flood threads read.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
