public import NeedledLoop
public import Prometheus
import Synchronization

/// The loop's wake-up latency and tick duration as Prometheus histograms, built off the loop
/// from the samples it leaves in `LoopChannels.timing` (one a tick, a push that never waits).
/// Drained four times a second by `run` and before each scrape; the ring has one reader at a
/// time (the lock), so the two never take the same sample.
public final class LoopTimingHistograms: Sendable {
    /// Fine where the loop lives (tens of microseconds), coarse to the period and past it, so
    /// that PromQL's `histogram_quantile` lands near `daemon.stats`' 1 µs percentiles.
    public static let bucketsMicroseconds: [Int64] = [
        5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100, 125, 150, 200, 250, 300, 400, 500, 750, 1_000, 2_000,
        5_000, 10_000,
    ]

    private let channels: LoopChannels
    private let wakeupLatency: DurationHistogram
    private let tickDuration: DurationHistogram
    private let drainLock = Mutex(())

    public init(channels: LoopChannels, registry: PrometheusCollectorRegistry) {
        self.channels = channels
        let buckets = Self.bucketsMicroseconds.map { Duration.microseconds($0) }
        wakeupLatency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor.named(
                "needled_loop_wakeup_latency_seconds",
                help: "How late the control loop woke for each tick's deadline."),
            buckets: buckets)
        tickDuration = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor.named(
                "needled_loop_tick_duration_seconds",
                help: "How long each tick's work took (inputs, supervisor, outputs, publication)."),
            buckets: buckets)
    }

    /// Every sample the loop has left, into the histograms. Returns how many.
    @discardableResult
    public func drain() -> Int {
        drainLock.withLock { _ in
            var taken = 0
            while let sample = channels.timing.pop() {
                if sample.wakeupLatencyNanoseconds >= 0 {
                    wakeupLatency.record(.nanoseconds(sample.wakeupLatencyNanoseconds))
                }
                tickDuration.record(.nanoseconds(sample.tickDurationNanoseconds))
                taken += 1
            }
            return taken
        }
    }

    /// Drains every `interval` until cancelled: the ring holds 4 s of ticks at 1 kHz.
    public func run(every interval: Duration = .milliseconds(250)) async {
        while !Task.isCancelled {
            drain()
            try? await Task.sleep(for: interval)
        }
        drain()
    }
}
