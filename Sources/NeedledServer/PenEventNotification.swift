import NeedleCore
import NeedledLoop
import NeedledRPC

/// The `event` notification's params for a pen event (Docs/api.md): its type, what it carried,
/// and the tick it happened at.
enum PenEventNotification {
    static func params(_ event: PenEvent) -> JSONValue {
        switch event {
        case .stateChanged(let from, let to, let tick):
            .object([
                ("type", "stateChanged"), ("from", .string(from.rawValue)), ("to", .string(to.rawValue)),
                ("tick", .int(tick.rawValue)),
            ])
        case .faultLatched(let latched):
            .object([
                ("type", "fault"), ("fault", LatchedFaultResult(latched).json), ("tick", .int(latched.tick.rawValue)),
            ])
        case .homed(let tick): .object([("type", "homed"), ("tick", .int(tick.rawValue))])
        case .armTimedOut(let tick): .object([("type", "armTimedOut"), ("tick", .int(tick.rawValue))])
        case .cartridgeRemoved(let tick): .object([("type", "cartridgeRemoved"), ("tick", .int(tick.rawValue))])
        case .sessionOpened(let area, let tick):
            .object([("type", "sessionOpened"), ("area", .string(area.rawValue)), ("tick", .int(tick.rawValue))])
        case .sessionClosed(let tick): .object([("type", "sessionClosed"), ("tick", .int(tick.rawValue))])
        case .cartridgeAccepted(let tick): .object([("type", "cartridgeAccepted"), ("tick", .int(tick.rawValue))])
        }
    }

}
