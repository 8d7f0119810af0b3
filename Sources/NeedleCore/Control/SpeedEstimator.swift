/// Estimates the stroke rate from the encoder count: the count difference over a fixed window of
/// ticks, divided by the time those ticks really took (the loop's measured periods, not the
/// nominal one: a late tick carries more counts, and must carry more time too). Fixed storage,
/// so an update never allocates.
struct SpeedEstimator: Sendable, Equatable {
    static let windowTicksMax = 32

    private var counts: InlineArray<33, Int64>
    /// Time since the estimator started, at each stored count, in nanoseconds.
    private var times: InlineArray<33, Int64>
    private var clock: Int64 = 0
    private var newest: Int = 0
    private var filled: Int = 0
    private let windowTicks: Int
    private let countsPerRevolution: Int64

    private(set) var speed: Hertz = .zero

    init(windowTicks: Int32, countsPerRevolution: Int32) {
        precondition(windowTicks >= 1 && Int(windowTicks) <= Self.windowTicksMax, "estimator window out of range")
        precondition(countsPerRevolution > 0, "encoder resolution must be positive")
        self.windowTicks = Int(windowTicks)
        self.countsPerRevolution = Int64(countsPerRevolution)
        self.counts = InlineArray(repeating: 0)
        self.times = InlineArray(repeating: 0)
    }

    /// Adds this tick's count and recomputes the speed over the window (or over what has been
    /// seen so far, right after a reset).
    mutating func update(encoderCount: Int64, measuredPeriod: Nanoseconds) {
        let capacity = windowTicks + 1
        clock += max(1, measuredPeriod.rawValue)
        newest = (newest + 1) % capacity
        counts[newest] = encoderCount
        times[newest] = clock
        if filled < capacity { filled += 1 }
        let span = filled - 1
        guard span > 0 else {
            speed = .zero
            return
        }
        let oldest = (newest - span + capacity) % capacity
        let delta = encoderCount - counts[oldest]
        let seconds = Double(clock - times[oldest]) / 1e9
        speed = Hertz(hertzValue: Double(delta) / Double(countsPerRevolution) / seconds)
    }

    /// Forget the history (after a fault reset or a hardware change).
    mutating func reset() {
        filled = 0
        speed = .zero
    }

    static func == (a: Self, b: Self) -> Bool {
        guard a.newest == b.newest, a.filled == b.filled, a.windowTicks == b.windowTicks,
            a.countsPerRevolution == b.countsPerRevolution, a.speed == b.speed
        else { return false }
        guard a.clock == b.clock else { return false }
        for index in 0..<(a.windowTicks + 1)
        where a.counts[index] != b.counts[index] || a.times[index] != b.times[index] {
            return false
        }
        return true
    }
}
