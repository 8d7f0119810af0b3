import NIOCore
import NeedleCore
import NeedledLoop
import NeedledRPC

/// The pen's methods: `pen.status`, the stops (by the stop lane) and the commands (by the
/// mailbox), each answered by the tick that applied it and recorded with its outcome.
struct PenMethods {
    let eventLoop: any EventLoop
    let view: PenView
    let loop: LoopClient
    let keeper: TreatmentRecordKeeper
    /// Takes the loop's newest snapshots into the view: a status asked after any answer (a stop
    /// answered on the acceptor's thread, a command's reply) is at least as new as the tick that
    /// answer came from.
    let takeSnapshots: @Sendable () -> Void

    func handle(
        _ method: APIMethod, _ request: JSONRPCRequest, connection: RPCConnection
    ) throws(RPCError) -> EventLoopFuture<JSONValue> {
        if method == .penStatus {
            _ = try method.params(NoParams.self, of: request)
            takeSnapshots()
            return eventLoop.makeSucceededFuture(view.status)
        }
        guard let penCommand = try PenCommandRequest.decode(request) else { throw .methodNotFound(request.method) }
        switch penCommand {
        case .stop: return stop(.stop)
        case .emergencyStop: return stop(.emergencyStop)
        default: return command(penCommand, for: connection).map(\.json)
        }
    }

    /// A stop or an emergency stop, by the stop lane: no mailbox slot to wait for or be refused,
    /// applied in the loop's next tick, answered with the phase that tick left.
    private func stop(_ kind: StopLane.Kind) -> EventLoopFuture<JSONValue> {
        loop.stop(kind).map { state in
            recordStop(kind, state)
            return Self.stopResult(state)
        }
    }

    /// A stop's answer: accepted (a stop is never refused), and the phase it left the pen in.
    static func stopResult(_ state: PenPhase) -> JSONValue { CommandAnswer(state: state).json }

    /// A stop goes into the open session's record like any command, wherever it was answered.
    func recordStop(_ kind: StopLane.Kind, _ state: PenPhase) {
        eventLoop.preconditionInEventLoop()
        record(kind == .emergencyStop ? .emergencyStop : .stop, .accepted(state: state))
    }

    /// Sends a pen command and turns the loop's outcome into a result or an error.
    func command(_ penCommand: PenCommand, for connection: RPCConnection? = nil) -> EventLoopFuture<CommandAnswer> {
        loop.send(.pen(penCommand), for: connection).flatMapThrowing { outcome in
            record(penCommand, outcome)
            switch outcome {
            case .accepted(let state): return CommandAnswer(state: state)
            case .rejected(let rejection, let state): throw rejection.rpcError(state: state)
            case .notSimulated, .stats, .limits: throw RPCError.internalError("the loop did not apply a pen command.")
            }
        }
    }

    private func record(_ penCommand: PenCommand, _ outcome: LoopOutcome) {
        keeper.command(penCommand, outcome, tick: view.latest.status.tick, session: view.session)
    }
}
