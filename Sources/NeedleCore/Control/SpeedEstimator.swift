/// Estimates the stroke rate from the sensor's count and the time of its newest edge (the
/// "M/T" method of motor drives): the counts between two edges divided by the time between those
/// edges, over a window of at least `window` and at least one whole sensor cycle. Timing the edges
/// rather than the ticks is what lets a sensor of a few counts a revolution hold speed: at 25
/// strokes/s a 12-count encoder brings 0.3 counts a tick, so a count over ticks is a staircase,
/// while the time between its edges is exact to the kernel's timestamp.
///
/// Time is the sum of the loop's measured periods (a late tick carries more counts and more time);
/// an edge's time is that clock less the edge's age at the read. When the next edge is overdue
/// (the motor slowing or stopped), the estimate falls as one count over the time since the newest
/// edge, so a stalled motor reads as stalled within a few edge intervals, and a stopped one as
/// zero. Fixed storage, so an update never allocates.
public struct SpeedEstimator: Sendable, Equatable {
    /// Count changes remembered (at most one a tick): enough for the window at any sensor speed.
    static let historyCapacity = 64
    /// An edge older than this says nothing about the speed now: the estimate is zero.
    static let stillAfter = Nanoseconds.milliseconds(500)
    /// The next edge counts as overdue past this many of the measured intervals (a real sensor's
    /// edges are not evenly spaced within a cycle; up to 1.5× one interval is normal).
    static let overdueIntervalsNumerator: Int64 = 3
    static let overdueIntervalsDenominator: Int64 = 2

    /// The count right after each remembered edge (the newest edge of its tick).
    private var historyCounts: InlineArray<64, Int64>
    /// The clock at each remembered edge, in nanoseconds.
    private var historyTimes: InlineArray<64, Int64>
    private var clock: Int64 = 0
    /// The clock up to which the sensor's record is complete: no edge between the newest one and
    /// this instant. The read's own time less the backend's `edgesCompleteAge`.
    private var completeUntil: Int64 = 0
    private var newest: Int = 0
    private var filled: Int = 0
    /// The count at the previous read; nil right after a reset (the count at rest is no edge,
    /// and no time can be given to it).
    private var previousCount: Int64? = nil
    private let window: Int64
    private let countsPerRevolution: Int64
    private let countsPerCycle: Int64

    public private(set) var speed: Hertz = .zero
    /// False until two recent edges give an interval (after a start from rest, or once the last
    /// edge is older than `stillAfter`): `speed` is then zero for want of a measurement, and
    /// the speed loop steers by its feed-forward alone instead of winding up against a zero.
    public private(set) var speedKnown = false

    public init(window: Nanoseconds, sensor: SpeedSensor) {
        precondition(window.rawValue >= 1, "estimator window must be positive")
        precondition(sensor.countsPerRevolution > 0, "sensor resolution must be positive")
        precondition(sensor.countsPerCycle > 0, "sensor cycle must be positive")
        self.window = window.rawValue
        self.countsPerRevolution = Int64(sensor.countsPerRevolution)
        self.countsPerCycle = Int64(sensor.countsPerCycle)
        self.historyCounts = InlineArray(repeating: 0)
        self.historyTimes = InlineArray(repeating: 0)
    }

    /// Adds this tick's reading and recomputes the speed. `newestEdgeAge` is how long before the
    /// read the newest edge arrived; when the count moved, it is taken as after the previous
    /// read's horizon (it was not in that count).
    /// `edgesCompleteAge` is how long before the read the backend knows every edge is in the
    /// count (newer ones may still be on their way through the kernel): the newest edge's
    /// silence is counted up to then, not up to the read.
    public mutating func update(
        count: Int64, newestEdgeAge: Nanoseconds, edgesCompleteAge: Nanoseconds = .zero, measuredPeriod: Nanoseconds
    ) {
        let period = max(1, measuredPeriod.rawValue)
        // An edge new in this read was not in the last one, so it came after that read's horizon.
        let previousCompleteUntil = completeUntil
        clock += period
        completeUntil = clock - max(0, edgesCompleteAge.rawValue)
        defer { previousCount = count }
        if let previous = previousCount, count != previous {
            var edgeTime = max(clock - max(0, newestEdgeAge.rawValue), previousCompleteUntil)
            if filled > 0 { edgeTime = max(edgeTime, historyTimes[newest] + 1) }
            newest = (newest + 1) % Self.historyCapacity
            historyCounts[newest] = count
            historyTimes[newest] = edgeTime
            if filled < Self.historyCapacity { filled += 1 }
        }
        let estimate = estimate()
        speed = estimate ?? .zero
        speedKnown = estimate != nil
    }

    /// The speed from the newest edge back over the window, or nil without two recent edges.
    private func estimate() -> Hertz? {
        guard filled >= 2 else { return nil }
        let newestCount = historyCounts[newest]
        let newestTime = historyTimes[newest]
        let silence = max(0, completeUntil - newestTime)
        guard silence <= Self.stillAfter.rawValue else { return nil }
        // The oldest remembered edge that the span needs: back at least `window`, and far enough
        // for a whole cycle; never past what is still recent.
        var spanCounts: Int64 = 0
        var spanTime: Int64 = 0
        for back in 1..<filled {
            let index = (newest - back + Self.historyCapacity) % Self.historyCapacity
            let time = historyTimes[index]
            guard clock - time <= Self.stillAfter.rawValue else { break }
            spanCounts = newestCount - historyCounts[index]
            spanTime = newestTime - time
            if spanTime >= window && spanCounts.magnitude >= countsPerCycle.magnitude { break }
        }
        guard spanCounts != 0, spanTime > 0 else { return nil }
        let measured = Double(spanCounts) / Double(spanTime)  // counts per nanosecond
        let interval = spanTime / Int64(spanCounts.magnitude)
        var countsPerNanosecond = measured
        if silence * Self.overdueIntervalsDenominator > interval * Self.overdueIntervalsNumerator {
            let bound = 1.0 / Double(silence)
            countsPerNanosecond = measured > 0 ? min(measured, bound) : max(measured, -bound)
        }
        return Hertz(hertzValue: countsPerNanosecond * 1e9 / Double(countsPerRevolution))
    }

    /// Forget the history (after a fault reset or a hardware change).
    public mutating func reset() {
        filled = 0
        previousCount = nil
        speed = .zero
        speedKnown = false
    }

    public static func == (a: Self, b: Self) -> Bool {
        guard a.newest == b.newest, a.filled == b.filled, a.window == b.window,
            a.countsPerRevolution == b.countsPerRevolution, a.countsPerCycle == b.countsPerCycle,
            a.speed == b.speed, a.speedKnown == b.speedKnown, a.clock == b.clock, a.completeUntil == b.completeUntil,
            a.previousCount == b.previousCount
        else { return false }
        for index in 0..<Self.historyCapacity
        where a.historyCounts[index] != b.historyCounts[index] || a.historyTimes[index] != b.historyTimes[index] {
            return false
        }
        return true
    }
}
