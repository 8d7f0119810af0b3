import NeedleCore
public import Prometheus
import Synchronization

/// The daemon's metrics in Prometheus' registry (swift-prometheus): names by Prometheus'
/// conventions (`needled_` prefix, the unit in the name, `_total` counters). `publish` brings
/// them up to date from a scrape's `PenFigures`; `exposition` is the text format Prometheus reads.
/// The loop's timing histograms are `LoopTimingHistograms`, in the same registry.
public final class PenMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// The counters' totals as last published: the registry's counters only go up by increments.
    private let published = Mutex<[CounterKey: Int64]>([:])

    private struct CounterKey: Hashable {
        var name: String
        var labels: [String]
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), version: String, backend: String)
    {
        self.registry = registry
        registry.makeGauge(
            descriptor: MetricNameDescriptor.named(
                "needled_build_info", help: "The daemon's version and its pen backend (always 1)."),
            labels: [("version", version), ("backend", backend)]
        ).set(Double(1))
    }

    /// Sets the gauges and advances the counters to the figures' totals.
    public func publish(_ figures: PenFigures) {
        counter("needled_loop_ticks_total", "Control loop ticks since the daemon started.", figures.ticks)
        counter(
            "needled_loop_overruns_total", "Ticks that woke more than a period late (the missed deadlines skipped).",
            figures.overruns)
        for (ring, dropped) in figures.droppedByRing.sorted(by: { $0.key < $1.key }) {
            counter(
                "needled_loop_dropped_total", "What the loop could not publish because a ring was full, by ring.",
                dropped, [("ring", ring)])
        }
        for phase in PenPhase.allCases {
            gauge(
                "needled_pen_state", "The pen's state: 1 for the state it is in, 0 for the others.",
                phase == figures.phase ? 1 : 0, [("state", phase.rawValue)])
        }
        gauge("needled_pen_depth_metres", "The needles' depth as the stage reports it.", metres(figures.depth))
        gauge("needled_pen_depth_target_metres", "The depth asked for.", metres(figures.depthTarget))
        gauge(
            "needled_pen_stroke_rate_hertz", "The measured stroke rate (0 while the speed is unknown).",
            hertz(figures.strokeRate))
        gauge("needled_pen_stroke_rate_target_hertz", "The stroke rate asked for.", hertz(figures.strokeRateTarget))
        gauge("needled_session_open", "1 while a treatment session is open.", figures.sessionOpen ? 1 : 0)

        let tally = figures.tally
        for code in FaultCode.allCases {
            counter(
                "needled_faults_latched_total", "Faults latched, by fault code.", tally.faultsLatched[code] ?? 0,
                [("code", code.rawValue)])
        }
        counter("needled_sessions_opened_total", "Treatment sessions opened.", tally.sessionsOpened)
        counter("needled_strokes_total", "Needle strokes in sessions.", tally.strokes)
        counter(
            "needled_motor_run_seconds_total", "Time the pen spent running (treating).", tally.motorRun.rawValue,
            scale: 1e-9)
        for (reason, count) in tally.cartridgesRefused.sorted(by: { $0.key < $1.key }) {
            counter(
                "needled_cartridges_refused_total", "Cartridges refused for a session, by the refusal's reason.",
                count, [("reason", reason)])
        }
        for (key, count) in tally.requests.sorted(by: {
            ($0.key.method, $0.key.outcome) < ($1.key.method, $1.key.outcome)
        }) {
            counter(
                "needled_rpc_requests_total", "Requests answered on the socket, by method and outcome.", count,
                [("method", key.method), ("outcome", key.outcome)])
        }

        counter("needled_records_written_total", "Records written to the treatment store.", figures.recordsWritten)
        counter(
            "needled_records_lost_total", "Records that could not be written (each gap is itself recorded).",
            figures.recordsLost)
        gauge(
            "needled_records_writable", "1 while the treatment store takes writes; 0 latches recordsUnavailable.",
            figures.recordsWritable ? 1 : 0)
        gauge(
            "needled_records_fill_ratio", "How full the records store is, of its configured size.",
            Double(figures.recordsFillPercent) / 100)

        if let fleet = figures.fleet {
            gauge("needled_fleet_reachable", "1 while the fleet's server answers.", fleet.reachable ? 1 : 0)
            gauge(
                "needled_fleet_queued_records", "Records the fleet has not confirmed yet.",
                Double(fleet.queuedRecords))
            gauge(
                "needled_fleet_lag_seconds", "How long the oldest unconfirmed record has waited.",
                Double(fleet.lagSeconds))
            gauge(
                "needled_fleet_cartridge_conflicts", "Cartridges found used on two pens of the fleet.",
                Double(fleet.conflicts))
        }

        gauge("needled_socket_connections", "Client connections open on the socket.", Double(figures.connectionsOpen))
        counter(
            "needled_socket_connections_refused_total", "Connections refused at connect, by reason.",
            figures.connectionsRefusedBusy, [("reason", "busy")])
        counter(
            "needled_socket_connections_refused_total", "Connections refused at connect, by reason.",
            figures.connectionsRefusedUnauthorized, [("reason", "unauthorized")])
    }

    /// The registry in Prometheus' text exposition format (0.0.4).
    public func exposition() -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16_384)
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func gauge(_ name: String, _ help: String, _ value: Double, _ labels: [(String, String)] = []) {
        registry.makeGauge(descriptor: MetricNameDescriptor.named(name, help: help), labels: labels).set(value)
    }

    /// Advances the counter to `total` (times `scale`: nanoseconds to seconds); a total below the
    /// one published (it never is: the figures are totals since start) is left alone.
    private func counter(
        _ name: String, _ help: String, _ total: Int64, _ labels: [(String, String)] = [], scale: Double = 1
    ) {
        let key = CounterKey(name: name, labels: labels.flatMap { [$0.0, $0.1] })
        let increment = published.withLock { published -> Int64 in
            let before = published[key] ?? 0
            guard total > before else { return 0 }
            published[key] = total
            return total - before
        }
        // Made (registered at 0) even before its first increment: a series Prometheus has seen
        // at 0 makes `increase()` count the first one.
        let counter = registry.makeCounter(
            descriptor: MetricNameDescriptor.named(name, help: help), labels: labels)
        guard increment > 0 else { return }
        if scale == 1 { counter.increment(by: increment) } else { counter.increment(by: Double(increment) * scale) }
    }

    private func metres(_ depth: Micrometres) -> Double { Double(depth.rawValue) / 1e6 }
    private func hertz(_ rate: Hertz) -> Double { Double(rate.millihertz) / 1e3 }
}
