/// `telemetry.subscribe`, `telemetry.unsubscribe`, `events.subscribe` and `events.unsubscribe`:
/// whether this connection now receives the notifications, and telemetry's rate.
public struct SubscriptionAnswer: MethodResult, Equatable {
    public var subscribed: Bool
    /// Telemetry's rate in updates a second; only `telemetry.subscribe` gives it.
    public var hz: Int64?

    public init(subscribed: Bool, hz: Int64? = nil) {
        self.subscribed = subscribed
        self.hz = hz
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("subscribed", .bool(subscribed))]
        if let hz { members.append(("hz", .int(hz))) }
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        subscribed = try result.bool("subscribed")
        hz = try result.optionalInteger("hz")
    }
}
