public import NeedleCore

/// What the socket side counts as it goes, for the metrics: totals since the daemon started,
/// each one a plain increment where the thing happens (an answer, an event, a snapshot). Pure:
/// the service feeds it, `PenMetrics` reads it.
public struct PenTally: Sendable {
    /// Answers by method (its wire name, `unknown` for a name the API does not have, `none` for a
    /// line that was not a request) and outcome (`ok` or the error's name: `invalidParams`, …).
    public var requests: [RequestOutcome: Int64] = [:]
    public var faultsLatched: [FaultCode: Int64] = [:]
    public var sessionsOpened: Int64 = 0
    /// `session.open` and `session.acceptCartridge` refused with -32005, by the error's reason.
    public var cartridgesRefused: [String: Int64] = [:]
    public var strokes: Int64 = 0
    public var motorRun: Nanoseconds = .zero

    /// Strokes and run time between snapshots: the previous one the tally saw.
    private var previous: (tick: TickIndex, strokes: Int64, running: Bool)?

    public init() {}

    public struct RequestOutcome: Sendable, Hashable {
        public var method: String
        public var outcome: String
        public init(method: String, outcome: String) {
            self.method = method
            self.outcome = outcome
        }
    }

    public mutating func answered(method: String, outcome: String) {
        requests[RequestOutcome(method: method, outcome: outcome), default: 0] += 1
    }

    public mutating func faultLatched(_ code: FaultCode) { faultsLatched[code, default: 0] += 1 }

    public mutating func cartridgeRefused(reason: String) { cartridgesRefused[reason, default: 0] += 1 }

    /// Each snapshot the socket side takes, oldest first. Strokes are the session's count's
    /// increase (a new session starts again from 0); run time is the ticks spent running.
    public mutating func snapshot(_ status: PenStatus, tickPeriod: Nanoseconds) {
        let running = status.phase == .running
        if let previous, status.tick > previous.tick {
            if status.sessionStrokes > previous.strokes { strokes += status.sessionStrokes - previous.strokes }
            if previous.running {
                motorRun = Nanoseconds(
                    motorRun.rawValue + (status.tick.rawValue - previous.tick.rawValue) * tickPeriod.rawValue)
            }
        }
        previous = (status.tick, status.sessionStrokes, running)
    }
}
