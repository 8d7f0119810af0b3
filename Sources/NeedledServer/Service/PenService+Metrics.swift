public import NIOCore
import NeedleCore
import NeedledMetrics
public import NeedledRPC

/// The metrics (Docs/api.md, "Metrics"; Docs/operations.md, "Metrics for Prometheus"): what a scrape reads, gathered on the service's
/// event loop from what `daemon.info` and `pen.status` already read — the loop's atomics and its
/// newest snapshot, never a request to the loop — and the tallies the service keeps as it goes.
extension PenService {
    /// Prometheus' text, for `[metrics] listen` and `daemon.metrics`.
    public func metricsText() -> EventLoopFuture<String> {
        eventLoop.submit {
            // Whatever timing the loop left since the last drain, so a scrape sees every tick.
            self.metrics.timing.drain()
            self.metrics.pen.publish(self.figures())
            self.metrics.process.publish()
            return self.metrics.pen.exposition()
        }
    }

    /// Each answer on the socket, counted by method and outcome, and a cartridge a session would
    /// not take (`session.open`, `session.acceptCartridge` answered -32005) by its reason; a pen
    /// command refused for its cartridge is a refused command, not a refused cartridge. Called by
    /// the connection handler on the service's event loop.
    public func answered(_ method: String?, error: RPCError?) {
        let name: String
        if let method { name = APIMethod(rawValue: method) != nil ? method : "unknown" } else { name = "none" }
        let outcome = error.map(\.name) ?? "ok"
        let reason: String? =
            if let error, error.code == RPCError.cartridgeRejectedCode,
                method == APIMethod.sessionOpen.name || method == APIMethod.sessionAcceptCartridge.name,
                case .string(let text)? = error.data?["reason"]
            {
                text
            } else {
                nil
            }
        let count: @Sendable () -> Void = {
            self.view.tally.answered(method: name, outcome: outcome)
            if let reason { self.view.tally.cartridgeRefused(reason: reason) }
        }
        if eventLoop.inEventLoop { count() } else { eventLoop.execute(count) }
    }

    private func figures() -> PenFigures {
        let channels = loop.channels
        let status = view.latest.status
        var figures = PenFigures()
        figures.ticks = channels.ticks.load(ordering: .relaxed)
        figures.overruns = channels.overruns.load(ordering: .relaxed)
        figures.droppedByRing = [
            "events": channels.droppedEvents.load(ordering: .relaxed),
            "snapshots": channels.droppedSnapshots.load(ordering: .relaxed),
            "replies": channels.droppedReplies.load(ordering: .relaxed),
            "timing": channels.droppedTimingSamples.load(ordering: .relaxed),
        ]
        figures.phase = status.phase
        figures.depth = status.depth
        figures.depthTarget = status.depthTarget
        figures.strokeRate = status.speed
        figures.strokeRateTarget = status.speedTarget
        figures.sessionOpen = view.session != nil
        figures.tally = view.tally
        figures.recordsWritten = recorder.recordsWritten.load(ordering: .relaxed)
        figures.recordsLost = recorder.recordsLost
        figures.recordsWritable = view.recordsWritableTold
        figures.recordsFillPercent = Int64(view.recordsFillTold.percent)
        if let fleet = view.fleet {
            figures.fleet = FleetFigures(
                reachable: fleet.reachable, queuedRecords: fleet.behindRecords, lagSeconds: fleet.behindSeconds,
                conflicts: fleet.conflictCount)
        }
        if let socket = socketFigures?() {
            figures.connectionsOpen = socket.connectionsOpen
            figures.connectionsRefusedBusy = socket.refusedBusy
            figures.connectionsRefusedUnauthorized = socket.refusedUnauthorized
        }
        return figures
    }
}
