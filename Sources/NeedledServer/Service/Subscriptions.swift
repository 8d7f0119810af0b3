import NIOCore
import NeedledRPC

/// Who asked for telemetry and events, and how each is kept up with: telemetry at the rate its
/// subscriber asked, from the newest snapshot; every event to every event subscriber. A subscriber
/// that does not read is never waited for and never queued for without bound: telemetry is
/// skipped and the subscription dropped after `slowSubscriberSeconds`, told; missed events are
/// counted and told as `events.dropped` when it reads again. Confined to the service's event loop.
final class Subscriptions: @unchecked Sendable {
    private let eventLoop: any EventLoop
    private var telemetry: [RPCConnection: RepeatedTask] = [:]
    private var eventSubscribers: Set<RPCConnection> = []
    /// Telemetry notifications a subscriber could not take (its socket full), in a row.
    private var telemetryMissed: [RPCConnection: Int] = [:]
    /// Events a subscriber could not take; reported to it as `events.dropped` when it reads again.
    private var eventsMissed: [RPCConnection: Int] = [:]
    /// A telemetry subscriber that does not read for this long is dropped.
    static let slowSubscriberSeconds = 2
    /// The pen's newest status, taken for each telemetry notification.
    private let currentStatus: @Sendable () -> JSONValue

    init(eventLoop: any EventLoop, currentStatus: @escaping @Sendable () -> JSONValue) {
        self.eventLoop = eventLoop
        self.currentStatus = currentStatus
    }

    /// `telemetry.subscribe`, `telemetry.unsubscribe`, `events.subscribe`, `events.unsubscribe`.
    func handle(
        _ method: APIMethod, _ request: JSONRPCRequest, connection: RPCConnection
    ) throws(RPCError) -> JSONValue {
        switch method {
        case .telemetrySubscribe:
            let hz = try method.params(TelemetrySubscribeParams.self, of: request).hz
            subscribeTelemetry(connection, hz: hz)
            return SubscriptionAnswer(subscribed: true, hz: hz).json
        case .telemetryUnsubscribe:
            _ = try method.params(NoParams.self, of: request)
            telemetry.removeValue(forKey: connection)?.cancel()
            return SubscriptionAnswer(subscribed: false).json
        case .eventsSubscribe:
            _ = try method.params(NoParams.self, of: request)
            eventSubscribers.insert(connection)
            return SubscriptionAnswer(subscribed: true).json
        case .eventsUnsubscribe:
            _ = try method.params(NoParams.self, of: request)
            eventSubscribers.remove(connection)
            return SubscriptionAnswer(subscribed: false).json
        default:
            throw .methodNotFound(method.name)
        }
    }

    private func subscribeTelemetry(_ connection: RPCConnection, hz: Int64) {
        telemetry.removeValue(forKey: connection)?.cancel()
        let interval = TimeAmount.nanoseconds(1_000_000_000 / hz)
        telemetry[connection] = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            guard connection.channel.isActive else {
                task.cancel()
                return
            }
            if connection.notify("telemetry", params: self.currentStatus()) {
                self.telemetryMissed[connection] = nil
                return
            }
            // Not reading: never queue without bound, never wait. Dropped after a while, and told.
            let missed = (self.telemetryMissed[connection] ?? 0) + 1
            self.telemetryMissed[connection] = missed
            guard missed >= Int(hz) * Self.slowSubscriberSeconds else { return }
            task.cancel()
            self.telemetry[connection] = nil
            self.telemetryMissed[connection] = nil
            let reason =
                "You did not read telemetry for \(Self.slowSubscriberSeconds) s; the subscription was dropped. Subscribe again."
            let line = JSONRPCResponse.notification("telemetry.dropped", params: .object([("reason", .string(reason))]))
            connection.channel.writeAndFlush(ByteBuffer(string: line.serialized + "\n"), promise: nil)
        }
    }

    /// An event, to every event subscriber.
    func publish(event json: JSONValue) {
        for subscriber in eventSubscribers { notifyEvent(subscriber, json) }
    }

    /// An event, or — to a subscriber whose socket was full — first the count it missed.
    private func notifyEvent(_ subscriber: RPCConnection, _ json: JSONValue) {
        if let missed = eventsMissed[subscriber] {
            guard subscriber.notify("events.dropped", params: .object([("count", .int(Int64(missed)))])) else {
                eventsMissed[subscriber] = missed + 1
                return
            }
            eventsMissed[subscriber] = nil
        }
        if !subscriber.notify("event", params: json) {
            eventsMissed[subscriber, default: 0] += 1
        }
    }

    func connectionClosed(_ connection: RPCConnection) {
        telemetry.removeValue(forKey: connection)?.cancel()
        eventSubscribers.remove(connection)
        telemetryMissed[connection] = nil
        eventsMissed[connection] = nil
    }

    /// Every telemetry subscription ends (the daemon is stopping).
    func cancelAll() {
        telemetry.values.forEach { $0.cancel() }
        telemetry.removeAll()
    }
}
