import NIOCore
import NeedleCore
import NeedledLoop
import NeedledRPC

/// The socket side's end of the loop's mailbox and stop lane: puts requests in, matches the
/// loop's replies and applied stops to the promises waiting for them, keeps each connection to
/// its share of the mailbox, and fails what the loop does not answer in time. Confined to the
/// service's event loop; it never blocks it.
final class LoopClient: @unchecked Sendable {
    let channels: LoopChannels
    private let eventLoop: any EventLoop
    private let connectionsMax: Int
    private var nextRequestID: UInt32 = 0
    private var pending: [UInt32: EventLoopPromise<LoopOutcome>] = [:]
    /// Which connection each mailbox request came from, and how many each has there now: one
    /// client's flood takes its share of the mailbox, never the whole of it.
    private var pendingOwner: [UInt32: RPCConnection] = [:]
    private var mailboxHeld: [RPCConnection: Int] = [:]
    /// Stops sent by the stop lane, waiting for the tick that applies them.
    private var pendingStops: [(kind: StopLane.Kind, ticket: UInt64, promise: EventLoopPromise<PenPhase>)] = []

    /// Mailbox requests one connection may have waiting for the loop at once, at most; more are busy.
    static let mailboxSharePerConnection = 8
    /// How long a request waits for the loop before it fails: the loop would have to be stuck.
    static let replyTimeout = TimeAmount.seconds(2)

    init(channels: LoopChannels, eventLoop: any EventLoop, connectionsMax: Int) {
        self.channels = channels
        self.eventLoop = eventLoop
        self.connectionsMax = connectionsMax
    }

    /// Each connection's part of the mailbox: its 128 slots, less the daemon's own 8, split
    /// evenly between as many connections as may be open (`max-connections`), at most
    /// `mailboxSharePerConnection`, at least one. Guaranteed, not first come: however many
    /// clients flood, each one's share is there for it (3 each with 32 connections), and any
    /// command waits at most 15 ticks (the loop takes 8 a tick).
    var mailboxShare: Int {
        let forClients = channels.requests.capacity - LoopChannels.requestsKeptForTheDaemon
        return min(Self.mailboxSharePerConnection, max(1, forClients / max(1, connectionsMax)))
    }

    /// Puts a request in the loop's mailbox; "busy" when it is full, when this connection has
    /// its share there already, or when as many requests wait for answers as the reply ring
    /// holds (so the loop never has a reply it cannot hand back); an internal error when the
    /// loop does not answer in time. `connection` nil: the daemon's own request.
    func send(_ request: LoopRequest, for connection: RPCConnection? = nil) -> EventLoopFuture<LoopOutcome> {
        eventLoop.preconditionInEventLoop()
        let share = mailboxShare
        if let connection, mailboxHeld[connection, default: 0] >= share {
            return eventLoop.makeFailedFuture(
                RPCError(
                    code: RPCError.busyCode,
                    message:
                        "The pen is busy: \(share) of your commands are waiting for the control loop already (each connection's share of the loop's mailbox). Read their answers, then send more.",
                    data: .object([("mailboxShare", .int(Int64(share)))])))
        }
        nextRequestID &+= 1
        let id = nextRequestID
        // A client's request may not take the slots kept for the daemon's own.
        let room = channels.replies.capacity - (connection == nil ? 0 : LoopChannels.requestsKeptForTheDaemon)
        guard pending.count < room,
            channels.requests.push(LoopEnvelope(requestID: id, request: request, sentAt: monotonicNow()))
        else {
            return eventLoop.makeFailedFuture(
                RPCError(code: RPCError.busyCode, message: "The pen is busy: too many commands at once. Try again."))
        }
        let promise = eventLoop.makePromise(of: LoopOutcome.self)
        pending[id] = promise
        if let connection {
            pendingOwner[id] = connection
            mailboxHeld[connection, default: 0] += 1
        }
        eventLoop.scheduleTask(in: Self.replyTimeout) {
            guard let promise = self.pending.removeValue(forKey: id) else { return }
            self.release(id)
            promise.fail(RPCError.internalError("the control loop did not answer within 2 s."))
        }
        return promise.futureResult
    }

    /// A stop or an emergency stop, by the stop lane: no mailbox slot to wait for or be refused,
    /// applied in the loop's next tick, answered with the phase that tick left.
    func stop(_ kind: StopLane.Kind) -> EventLoopFuture<PenPhase> {
        eventLoop.preconditionInEventLoop()
        let ticket = channels.stops.request(kind, at: monotonicNow())
        let promise = eventLoop.makePromise(of: PenPhase.self)
        pendingStops.append((kind, ticket, promise))
        eventLoop.scheduleTask(in: Self.replyTimeout) {
            guard let index = self.pendingStops.firstIndex(where: { $0.promise.futureResult === promise.futureResult })
            else { return }
            self.pendingStops.remove(at: index)
            promise.fail(RPCError.internalError("the control loop did not answer within 2 s."))
        }
        return promise.futureResult
    }

    /// Answers every request and stop the loop has answered (bounded by the reply ring).
    func takeReplies() {
        eventLoop.preconditionInEventLoop()
        while let reply = channels.replies.pop() {
            release(reply.requestID)
            pending.removeValue(forKey: reply.requestID)?.succeed(reply.outcome)
        }
        guard !pendingStops.isEmpty else { return }
        var waiting: [(kind: StopLane.Kind, ticket: UInt64, promise: EventLoopPromise<PenPhase>)] = []
        for stop in pendingStops {
            if let state = channels.stops.handled(stop.kind, ticket: stop.ticket) {
                stop.promise.succeed(state)
            } else {
                waiting.append(stop)
            }
        }
        pendingStops = waiting
    }

    /// A mailbox request answered (or given up on): its connection's share is freed.
    private func release(_ id: UInt32) {
        guard let connection = pendingOwner.removeValue(forKey: id) else { return }
        let held = (mailboxHeld[connection] ?? 1) - 1
        mailboxHeld[connection] = held > 0 ? held : nil
    }
}
