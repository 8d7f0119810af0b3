public import NeedledRPC

/// The connection rule: who may take which of the `max-connections` slots. Without it, whoever
/// connects first holds them all: 32 idle connections from a read-only dashboard (or one
/// leaking client) would lock every operator out for the idle timeout.
///
/// - Read-only clients share all but `operatorReserve` slots (a quarter, at most 8): an
///   operator can always connect while read-only clients fill theirs.
/// - One uid holds at most half the slots, except root and the daemon's own uid (the pen's own
///   tools): one runaway client cannot take the house.
/// - Beyond the rule a connection is not simply refused: it may still stop the pen
///   (`OverLimitHandler`).
///
/// Plain counts; the server keeps it behind a lock (connections open on any event loop).
public struct ConnectionSlots: Sendable {
    public let connectionsMax: Int
    public let exemptUserIDs: Set<UInt32>
    public private(set) var open = 0
    public private(set) var openReadOnly = 0
    private var openByUser: [UInt32: Int] = [:]

    public init(connectionsMax: Int, exemptUserIDs: Set<UInt32>) {
        self.connectionsMax = connectionsMax
        self.exemptUserIDs = exemptUserIDs
    }

    public var operatorReserve: Int { min(8, connectionsMax / 4) }
    public var readOnlyMax: Int { connectionsMax - operatorReserve }
    public var perUserMax: Int { max(1, connectionsMax / 2) }

    public enum Refusal: Sendable, Equatable {
        case full
        case readOnlyShare
        case userShare
    }

    /// Takes a slot for this client, or says which part of the rule it is beyond.
    public mutating func admit(userID: UInt32, role: AccessRole) -> Refusal? {
        guard open < connectionsMax else { return .full }
        if role == .readOnly && openReadOnly >= readOnlyMax { return .readOnlyShare }
        if !exemptUserIDs.contains(userID) && openByUser[userID, default: 0] >= perUserMax { return .userShare }
        open += 1
        if role == .readOnly { openReadOnly += 1 }
        openByUser[userID, default: 0] += 1
        return nil
    }

    /// Gives back the slot `admit` took.
    public mutating func release(userID: UInt32, role: AccessRole) {
        open -= 1
        if role == .readOnly { openReadOnly -= 1 }
        let left = openByUser[userID, default: 1] - 1
        openByUser[userID] = left > 0 ? left : nil
    }

    /// What the client beyond the rule reads (-32006), naming the part of the rule.
    public func busyError(_ refusal: Refusal) -> RPCError {
        let message: String
        switch refusal {
        case .full:
            message =
                "Busy: needled serves at most \(connectionsMax) connections at once and all are in use; close one and try again. A stop (pen.stop, pen.emergencyStop) sent as the first request is still carried out."
        case .readOnlyShare:
            message =
                "Busy: read-only clients share \(readOnlyMax) of the \(connectionsMax) connections and all of those are in use (\(operatorReserve) are kept for operators); close one and try again."
        case .userShare:
            message =
                "Busy: one user may hold at most \(perUserMax) of the \(connectionsMax) connections; close one of yours and try again."
        }
        return RPCError(
            code: RPCError.busyCode, message: message,
            data: .object([
                ("maxConnections", .int(Int64(connectionsMax))), ("operatorReserve", .int(Int64(operatorReserve))),
                ("perUserMax", .int(Int64(perUserMax))),
            ]))
    }
}
