/// One tick's timing, as the loop measured it: how late it woke for its deadline and how long
/// the tick took. The metrics' histograms are built from these off the loop; `daemon.stats` keeps
/// its own (`LatencyHistogram`), which a reset empties.
public struct LoopTimingSample: Sendable, Equatable {
    /// Negative for the extra tick a stop wakes the loop for: it had no deadline to be late for.
    public var wakeupLatencyNanoseconds: Int64
    public var tickDurationNanoseconds: Int64

    public init(wakeupLatencyNanoseconds: Int64 = -1, tickDurationNanoseconds: Int64 = 0) {
        self.wakeupLatencyNanoseconds = wakeupLatencyNanoseconds
        self.tickDurationNanoseconds = tickDurationNanoseconds
    }
}
