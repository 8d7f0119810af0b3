import CLoopWake
import Foundation
import NeedleCore
import NeedledConfig
package import NeedledLoop
import NeedledRPC
import Synchronization

/// Accepts every connection on a thread of its own, so that a stop sent as a connection's first
/// line is carried out and answered whatever the event loop is doing. Under 30 clients
/// pipelining commands the one SwiftNIO thread is busy for milliseconds at a time, and a new
/// connection's stop waited behind it (p99 30 ms from its bytes to the motor off); here it waits
/// only for a real-time thread's wake-up.
///
/// Each new connection is held until its first line, for at most `firstLineWait`: a
/// `pen.stop` or `pen.emergencyStop` that the peer may send (its role, from its credentials at
/// accept, which is also when its connection slot is decided) is read, put on the stop lane, answered when the loop has applied it, and the connection is
/// then handed to the event loop for whatever follows. Anything else is only peeked at, and the
/// connection is handed over with its bytes unread: the event loop serves it exactly as before.
///
/// Bounded: at most `pendingMax` connections wait for a first line (past that the oldest is
/// handed over at once), and while `handOversMax` handed-over connections wait for the event
/// loop the thread stops accepting, so the kernel's backlog holds a connect flood, not memory.
package final class SocketAcceptor: @unchecked Sendable {
    struct Settings: Sendable {
        /// How long a new connection is held for its first line before it is handed over.
        var firstLineWait: Int64 = 50_000_000
        var pendingMax = 64
        var handOversMax = 64
        /// The first line is looked for in this many bytes; a stop request is a tenth of it.
        var peekBytesMax = 4_096
        /// SCHED_FIFO priority of the thread (0: not asked); below the loop's.
        var priority: Int32 = 0
        /// How long a stop waits for the loop to apply it before it is answered as lost.
        var stopAnswerWait: Int64 = 2_000_000_000
    }

    /// Ten below the loop's (which must preempt it), at least 1; 0 when the loop asks for none.
    package static func priority(belowTheLoop realtime: RealtimeSettings) -> Int32 {
        realtime.priority > 0 ? max(1, realtime.priority - 10) : 0
    }

    /// What became of a connection's first line when it is handed to the event loop.
    enum FirstLine: Sendable {
        /// Not read: the event loop reads it.
        case unread
        /// A stop, carried out and answered here.
        case stopAnswered
    }

    private let listening: Int32
    private let stops: StopLane
    private let settings: Settings
    private let admit: @Sendable (Int32) -> RPCServerService.Admission
    private let handOver: @Sendable (Int32, RPCServerService.Admission, FirstLine) -> Void
    private let stopApplied: @Sendable (StopLane.Kind, PenPhase) -> Void
    private let wake: Int32
    private let stopping = Atomic<Bool>(false)
    /// Handed over, not yet taken by the event loop (`handOverTaken` counts down).
    private let handOversWaiting = Atomic<Int>(0)
    /// What the thread's SCHED_FIFO request came to (for the log).
    let scheduler = Mutex<String>("not started")

    private struct Waiting {
        let descriptor: Int32
        let admission: RPCServerService.Admission
        let deadline: Int64
        /// Set once the first line was a stop put on the lane.
        var stop: (kind: StopLane.Kind, ticket: UInt64, id: JSONValue?, deadline: Int64)?
    }
    private var waiting: [Waiting] = []
    private var peekBuffer: [UInt8]

    /// Takes `listening` (a non-blocking listening socket) and closes it when it ends.
    init(
        listening: Int32, stops: StopLane, settings: Settings,
        admit: @escaping @Sendable (Int32) -> RPCServerService.Admission,
        handOver: @escaping @Sendable (Int32, RPCServerService.Admission, FirstLine) -> Void,
        stopApplied: @escaping @Sendable (StopLane.Kind, PenPhase) -> Void
    ) {
        self.listening = listening
        self.stops = stops
        self.settings = settings
        self.admit = admit
        self.handOver = handOver
        self.stopApplied = stopApplied
        self.wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        self.peekBuffer = [UInt8](repeating: 0, count: settings.peekBytesMax)
        waiting.reserveCapacity(settings.pendingMax)
    }

    deinit {
        if wake >= 0 { close(wake) }
    }

    /// The event loop took a handed-over connection.
    func handOverTaken() { handOversWaiting.wrappingSubtract(1, ordering: .relaxed) }

    /// Ends `serve()`: held connections are closed, then the listening socket.
    func stop() {
        stopping.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(wake, &one, MemoryLayout<UInt64>.size)
    }

    /// The thread's body: runs until `stop()`.
    func serve() {
        if settings.priority > 0 {
            var parameter = sched_param(sched_priority: settings.priority)
            let result = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameter)
            scheduler.withLock {
                $0 =
                    result == 0
                    ? "SCHED_FIFO \(settings.priority)" : "SCHED_OTHER (\(String(cString: strerror(result))))"
            }
        } else {
            scheduler.withLock { $0 = "SCHED_OTHER (not asked)" }
        }
        var descriptors: [pollfd] = []
        descriptors.reserveCapacity(settings.pendingMax + 2)
        while !stopping.load(ordering: .acquiring) {
            let accepting = handOversWaiting.load(ordering: .relaxed) < settings.handOversMax
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0))
            descriptors.append(pollfd(fd: accepting ? listening : -1, events: Int16(POLLIN), revents: 0))
            for connection in waiting {
                // A connection whose stop is with the loop is not read again until it is answered.
                descriptors.append(
                    pollfd(fd: connection.stop == nil ? connection.descriptor : -1, events: Int16(POLLIN), revents: 0))
            }
            var timeout = timespec(tv_sec: 0, tv_nsec: 0)
            let wait = nextWait(now: monotonicNow(), accepting: accepting)
            timeout.tv_sec = Int(wait / 1_000_000_000)
            timeout.tv_nsec = Int(wait % 1_000_000_000)
            let ready = descriptors.withUnsafeMutableBufferPointer {
                needled_ppoll($0.baseAddress, UInt($0.count), &timeout)
            }
            if ready < 0 && errno != EINTR { break }
            if descriptors[0].revents != 0 {
                var count: UInt64 = 0
                _ = read(wake, &count, MemoryLayout<UInt64>.size)
            }
            // Connections already held first (their indices are the poll set's), then new ones.
            for index in waiting.indices.reversed() where descriptors[index + 2].revents != 0 {
                readFirstLine(at: index)
            }
            answerStops(now: monotonicNow())
            handOverExpired(now: monotonicNow())
            if accepting && descriptors[1].revents != 0 { acceptAll() }
        }
        for connection in waiting { close(connection.descriptor) }
        waiting.removeAll()
        close(listening)
    }

    /// Until the next deadline; 50 µs while a stop is with the loop (its tick is ≤ 1 ms away);
    /// 1 ms while the event loop has a full hand of connections to take.
    private func nextWait(now: Int64, accepting: Bool) -> Int64 {
        var wait: Int64 = accepting ? 1_000_000_000 : 1_000_000
        for connection in waiting {
            wait = min(wait, connection.stop == nil ? connection.deadline - now : 50_000)
        }
        return max(0, wait)
    }

    private func acceptAll() {
        while waiting.count < settings.pendingMax || handOverOldest() {
            let descriptor = accept(listening, nil, nil)
            guard descriptor >= 0 else { return }  // EAGAIN: none left (or the peer already went)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            // Admitted now, in the order clients connect: the slot is held from here.
            waiting.append(
                Waiting(
                    descriptor: descriptor, admission: admit(descriptor),
                    deadline: monotonicNow() + settings.firstLineWait))
            readFirstLine(at: waiting.count - 1)
        }
    }

    /// Makes room for one more: the oldest connection still waiting for its first line goes to
    /// the event loop now. False if every held connection has a stop with the loop.
    private func handOverOldest() -> Bool {
        guard let index = waiting.firstIndex(where: { $0.stop == nil }) else { return false }
        give(waiting.remove(at: index), .unread)
        return true
    }

    /// Looks at what the connection has sent: a whole first line that is a stop is taken; any
    /// other whole line, the end of the stream or a full peek buffer hands the connection over.
    private func readFirstLine(at index: Int) {
        let descriptor = waiting[index].descriptor
        let count = peekBuffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_PEEK)) }
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            give(waiting.remove(at: index), .unread)  // the event loop meets the error and closes
            return
        }
        guard count > 0, let newline = peekBuffer[..<count].firstIndex(of: UInt8(ascii: "\n")) else {
            if count == 0 || count == peekBuffer.count { give(waiting.remove(at: index), .unread) }
            return
        }
        guard let stop = stopRequest(in: peekBuffer[..<newline], role: waiting[index].admission.role) else {
            give(waiting.remove(at: index), .unread)
            return
        }
        // The line is ours now: read it out of the socket, then ask for the stop.
        let line = newline + 1
        let taken = peekBuffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, line, 0) }
        guard taken == line else {
            give(waiting.remove(at: index), .unread)  // broken: the event loop meets it and closes
            return
        }
        let ticket = stops.request(stop.kind, at: monotonicNow())
        waiting[index].stop = (stop.kind, ticket, stop.id, monotonicNow() + settings.stopAnswerWait)
    }

    /// The stop in a first line, if it is one this peer may send; nil for anything else (which
    /// the event loop then answers, refusals and errors included).
    private func stopRequest(
        in line: ArraySlice<UInt8>, role: AccessRole?
    ) -> (kind: StopLane.Kind, id: JSONValue?)? {
        // Most first lines are not stops: those without `top"` (both methods' names end so) are
        // not parsed here. A stop spelled with escapes goes the event loop's way, and works.
        guard let role, Self.mayNameAStop(line), let value = JSONValue.parse(line), RPCConnectionHandler.isStop(value),
            case .success(let request) = JSONRPCRequest.validate(value), APIMethods.allows(role, request),
            let command = try? PenCommandRequest.decode(request)
        else { return nil }
        switch command {
        case .emergencyStop: return (.emergencyStop, request.id)
        case .stop: return (.stop, request.id)
        default: return nil
        }
    }

    static func mayNameAStop(_ line: ArraySlice<UInt8>) -> Bool {
        let tail = Self.stopMethodsEnd
        guard line.count >= tail.count else { return false }
        return (line.startIndex...(line.endIndex - tail.count)).contains { start in
            line[start..<(start + tail.count)].elementsEqual(tail)
        }
    }
    private static let stopMethodsEnd: [UInt8] = Array(#"top""#.utf8)

    /// Answers each stop the loop has applied (or the one it did not apply in time), then hands
    /// its connection over.
    private func answerStops(now: Int64) {
        for index in waiting.indices.reversed() {
            guard let stop = waiting[index].stop else { continue }
            let response: JSONValue
            if let phase = stops.handled(stop.kind, ticket: stop.ticket) {
                stopApplied(stop.kind, phase)
                stops.answeredAtAccept.add(1, ordering: .relaxed)
                response = JSONRPCResponse.result(PenMethods.stopResult(phase), id: stop.id ?? .null)
            } else if now >= stop.deadline {
                stops.unansweredAtAccept.add(1, ordering: .relaxed)
                response = JSONRPCResponse.error(
                    .internalError("the control loop did not answer within 2 s."), id: stop.id ?? .null)
            } else {
                continue
            }
            let connection = waiting.remove(at: index)
            if stop.id != nil {
                // A new connection's send buffer is empty: a line of a hundred bytes fits whole.
                let bytes = Array((response.serialized + "\n").utf8)
                let sent = bytes.withUnsafeBytes {
                    send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                // If not, the peer has gone: the event loop meets its closed socket.
                _ = sent
            }
            give(connection, .stopAnswered)
        }
    }

    private func handOverExpired(now: Int64) {
        // Oldest first, as they connected.
        while let index = waiting.firstIndex(where: { $0.stop == nil && now >= $0.deadline }) {
            give(waiting.remove(at: index), .unread)
        }
    }

    /// Hands a connection to the event loop, which from then on owns it (and its slot).
    private func give(_ connection: Waiting, _ firstLine: FirstLine) {
        handOversWaiting.wrappingAdd(1, ordering: .relaxed)
        handOver(connection.descriptor, connection.admission, firstLine)
    }
}
