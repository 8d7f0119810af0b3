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
    /// The remembered count changes (at most one a tick). A window's span needs the newest and
    /// ⌈window ÷ tick⌉ + 1 back: 82 for the 8 ms window at the fastest tick (100 µs), so 128 hold
    /// it with room for the short periods of a loop catching up after a late tick.
    private typealias History = InlineArray<128, Int64>
    static let historyCapacity = History.count
    /// An edge older than this says nothing about the speed now: the estimate is zero.
    static let stillAfter = Nanoseconds.milliseconds(500)
    /// The next edge counts as overdue past this many of the measured intervals (a real sensor's
    /// edges are not evenly spaced within a cycle; up to 1.5× one interval is normal).
    static let overdueIntervalsNumerator: Int64 = 3
    static let overdueIntervalsDenominator: Int64 = 2

    /// The count right after each remembered edge (the newest edge of its tick).
    private var historyCounts: History
    /// The clock at each remembered edge, in nanoseconds: never decreasing from one to the next.
    private var historyTimes: History
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

    /// `tickPeriod` is the loop's. The span reaches back over ⌈window ÷ tick⌉ + 1 remembered
    /// edges at most (the newest of each tick lies anywhere in its tick), so a window longer than
    /// the history holds at that period is refused: it would span less than it says, and the
    /// speed loop's lag compensation (half the window) would be wrong.
    public init(window: Nanoseconds, sensor: SpeedSensor, tickPeriod: Nanoseconds) {
        precondition(window.rawValue >= 1, "estimator window must be positive")
        precondition(tickPeriod.rawValue >= 1, "tick period must be positive")
        precondition(
            (window.rawValue + tickPeriod.rawValue - 1) / tickPeriod.rawValue + 2 <= Int64(Self.historyCapacity),
            "estimator window longer than the speed history holds at this tick period")
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
        let period = max(0, measuredPeriod.rawValue)  // a read at the same instant adds no time
        // An edge new in this read was not in the last one, so it came after that read's horizon.
        let previousCompleteUntil = completeUntil
        clock += period
        completeUntil = clock - max(0, edgesCompleteAge.rawValue)
        defer { previousCount = count }
        if let previous = previousCount, count != previous {
            var edgeTime = max(clock - max(0, newestEdgeAge.rawValue), previousCompleteUntil)
            // Edges come late from the kernel, and across two lines not in timestamp order: one
            // reported before the newest already seen leaves that one the newest edge.
            if filled > 0 { edgeTime = max(edgeTime, historyTimes[newest]) }
            newest = (newest + 1) % Self.historyCapacity
            historyCounts[newest] = count
            historyTimes[newest] = edgeTime
            if filled < Self.historyCapacity { filled += 1 }
        }
        let estimate = estimate()
        speed = estimate ?? .zero
        speedKnown = estimate != nil
    }

    /// The speed from the newest edge back over the window, or nil without two recent edges a
    /// time apart.
    private func estimate() -> Hertz? {
        guard filled >= 2 else { return nil }
        let newestCount = historyCounts[newest]
        let newestTime = historyTimes[newest]
        // Negative when the newest edge is newer than the complete record: no silence yet.
        let silence = completeUntil - newestTime
        guard silence <= Self.stillAfter.rawValue else { return nil }
        // The oldest remembered edge that the span needs: back at least `window`, and far enough
        // for a whole cycle; never past what is still recent.
        var oldest: Int? = nil
        for back in 1..<filled {
            let index = (newest - back + Self.historyCapacity) % Self.historyCapacity
            let time = historyTimes[index]
            guard clock - time <= Self.stillAfter.rawValue else { break }
            oldest = index
            let counts = newestCount - historyCounts[index]
            if newestTime - time >= window && counts.magnitude >= countsPerCycle.magnitude { break }
        }
        guard let oldest else { return nil }
        let spanCounts = newestCount - historyCounts[oldest]
        let spanTime = newestTime - historyTimes[oldest]
        guard spanCounts != 0, spanTime > 0 else { return nil }
        let measured = Double(spanCounts) / Double(spanTime)  // counts per nanosecond
        let interval = spanTime / Int64(spanCounts.magnitude)
        var countsPerNanosecond = measured
        if silence * Self.overdueIntervalsDenominator > interval * Self.overdueIntervalsNumerator {
            // Overdue: at most one count over the silence, in the direction it was turning.
            countsPerNanosecond = Double(signOf: measured, magnitudeOf: min(measured.magnitude, 1.0 / Double(silence)))
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
