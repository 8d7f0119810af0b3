import PropertyBased
import Testing

@testable import NeedleCore

/// The speed estimator's memory of edges (issue 18): long enough for its window at the fastest
/// tick, whole when full, in time order when the kernel delivers out of order, forgotten by a
/// reset, and part of the state that equality compares.
@Suite("The speed estimator's history")
struct SpeedEstimatorHistoryTests {
    /// A motor accelerating at a constant rate: its position in counts, and when it reached each.
    struct Ramp {
        var countsPerRevolution: Double
        var startHertz: Double
        var hertzPerSecond: Double

        func hertz(at seconds: Double) -> Double { startHertz + hertzPerSecond * seconds }
        /// Counts at `seconds`, half a count past an edge at 0.
        func position(at seconds: Double) -> Double {
            0.5 + countsPerRevolution * (startHertz * seconds + hertzPerSecond * seconds * seconds / 2)
        }
        /// When the position reached `count` (the edge of that count).
        func edge(of count: Double) -> Double {
            let a = hertzPerSecond
            let v = startHertz
            return (-v + (v * v + 2 * a * (count - 0.5) / countsPerRevolution).squareRoot()) / a
        }
    }

    @Test(
        "At every tick the loop allows, the estimate lags an accelerating motor by half the window and half a tick, as the speed loop compensates",
        arguments: [
            // The fastest tick with the finest sensor at the top of the range: 15 counts a tick.
            (
                SpeedSensor.quadrature(countsPerRevolution: 1024), Nanoseconds.microseconds(100),
                Nanoseconds.milliseconds(8)
            ),
            // The longest window the history holds at that tick: ⌈window ÷ tick⌉ + 2 = 128.
            (.quadrature(countsPerRevolution: 1024), .microseconds(100), .microseconds(12_600)),
            (.default, .milliseconds(1), .milliseconds(8)),
        ])
    func lagAtTheTick(sensor: SpeedSensor, tick: Nanoseconds, window: Nanoseconds) {
        let ramp = Ramp(countsPerRevolution: Double(sensor.countsPerRevolution), startHertz: 100, hertzPerSecond: 1000)
        var estimator = SpeedEstimator(window: window, sensor: sensor, tickPeriod: tick)
        let tickSeconds = Double(tick.rawValue) / 1e9
        let windowSeconds = Double(window.rawValue) / 1e9
        // The widest gap between edges over the ramp (at its start, the slowest).
        let edgeSpacing = 1 / (ramp.startHertz * ramp.countsPerRevolution)
        var checked = 0
        for read in 1...Int(0.05 / tickSeconds) {
            let now = Double(read) * tickSeconds
            let count = ramp.position(at: now).rounded(.down)
            let age = ((now - ramp.edge(of: count)) * 1e9).rounded()
            estimator.update(count: Int64(count), newestEdgeAge: Nanoseconds(Int64(age)), measuredPeriod: tick)
            guard now > windowSeconds * 1.5 else { continue }
            // The span is at least the window and less than a window, a tick and an edge gap
            // (its oldest edge is the newest of its tick); its speed is the ramp's at its middle.
            let least = windowSeconds / 2
            let most = edgeSpacing + (windowSeconds + tickSeconds + edgeSpacing) / 2
            let speed = Double(estimator.speed.millihertz) / 1000
            #expect(estimator.speedKnown)
            #expect(
                speed <= ramp.hertz(at: now - least) + 0.001 && speed >= ramp.hertz(at: now - most) - 0.001,
                "at \(now) s: \(speed) Hz, the motor's at \(least * 1e3)–\(most * 1e3) ms before: \(ramp.hertz(at: now - most))–\(ramp.hertz(at: now - least)) Hz"
            )
            checked += 1
        }
        #expect(checked > 10)
    }

    @Test("A window longer than the history holds at the tick is refused when the estimator is made")
    func windowTooLongForTheTick() async {
        await #expect(processExitsWith: .failure) {
            // One nanosecond past the 12.6 ms that 128 edges hold at 100 µs.
            _ = SpeedEstimator(window: Nanoseconds(12_600_001), sensor: .default, tickPeriod: .microseconds(100))
        }
    }

    @Test(
        "A history full before the window is spanned (short periods: a loop catching up) gives the speed over all of it"
    )
    func fullHistory() {
        let sensor = SpeedSensor.quadrature(countsPerRevolution: 1024)
        var estimator = SpeedEstimator(window: .milliseconds(8), sensor: sensor, tickPeriod: .microseconds(100))
        let countsPerNanosecond = 150.0 * 1024 / 1e9
        var position = 0.5
        // 200 reads 50 µs apart: an edge in each (7.7 counts), 10 ms, and 128 remembered.
        for read in 0..<200 {
            position += countsPerNanosecond * 50_000
            let whole = position.rounded(.down)
            let age = ((position - whole) / countsPerNanosecond).rounded()
            estimator.update(
                count: Int64(whole), newestEdgeAge: Nanoseconds(Int64(age)), measuredPeriod: .microseconds(50))
            // Known from the third read (the first is the count at rest, the second one edge).
            #expect(estimator.speedKnown == (read >= 2), "read \(read)")
        }
        #expect(estimator.speedKnown)
        #expect(abs(Double(estimator.speed.millihertz) / 1000 - 150) < 0.15, "\(estimator.speed)")
    }

    /// An estimator on the default sensor (12 counts) that every read tells "complete up to 5 ms ago".
    struct LateDelivery {
        var estimator = SpeedEstimator(window: .milliseconds(8), sensor: .default, tickPeriod: .milliseconds(1))
        mutating func read(count: Int64, after period: Nanoseconds, newestEdgeAge: Nanoseconds = .zero) {
            estimator.update(
                count: count, newestEdgeAge: newestEdgeAge, edgesCompleteAge: .milliseconds(5), measuredPeriod: period)
        }
    }

    @Test(
        "An edge delivered late and timed before the newest one already read (two lines, out of order) leaves that one the newest"
    )
    func outOfOrderDelivery() {
        var pen = LateDelivery()
        pen.read(count: 0, after: .milliseconds(90))
        pen.read(count: 1, after: .milliseconds(10))  // an A edge at 100 ms
        // The B edge at 98 ms reaches the next read: the count at 100 ms was 2.
        pen.read(count: 2, after: .milliseconds(1), newestEdgeAge: .milliseconds(3))
        pen.read(count: 6, after: .milliseconds(9))  // four more by 110 ms
        // 4 counts from 100 to 110 ms on 12 a revolution, not 4 over 12 ms.
        #expect(pen.estimator.speedKnown)
        #expect(pen.estimator.speed == Hertz(millihertz: 33_333))
    }

    @Test("Two edges at one instant give no speed (a span needs time); one nanosecond apart, one far past any limit")
    func spanNeedsTime() {
        var sameInstant = LateDelivery()
        sameInstant.read(count: 0, after: .milliseconds(90))
        sameInstant.read(count: 1, after: .milliseconds(10))
        sameInstant.read(count: 2, after: .milliseconds(1), newestEdgeAge: .milliseconds(1))
        #expect(!sameInstant.estimator.speedKnown)
        #expect(sameInstant.estimator.speed == .zero)

        var oneNanosecond = LateDelivery()
        oneNanosecond.read(count: 0, after: .milliseconds(90))
        oneNanosecond.read(count: 1, after: .milliseconds(10))
        oneNanosecond.read(count: 2, after: .milliseconds(1), newestEdgeAge: .milliseconds(1) - Nanoseconds(1))
        #expect(oneNanosecond.estimator.speedKnown)
        #expect(oneNanosecond.estimator.speed > Hertz(1_000_000))
    }

    @Test("A read with no time since the last adds none, and a negative period none either")
    func periodsWithoutTime() {
        var e = SpeedEstimator(window: .milliseconds(8), sensor: .default, tickPeriod: .milliseconds(1))
        e.update(count: 0, newestEdgeAge: .zero, measuredPeriod: .zero)
        e.update(count: 1, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))  // an edge at 10 ms
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))  // and at 20 ms
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: .milliseconds(490))  // the first 500 ms old
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: .zero)
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: Nanoseconds(-5))
        #expect(e.speedKnown, "still 500 ms")
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: Nanoseconds(1))
        #expect(!e.speedKnown, "500 ms and 1 ns")
    }

    /// One read of a generated sequence: a count step, an edge age, a completeness age and a period.
    struct Read {
        var step: Int64
        var age: Nanoseconds
        var complete: Nanoseconds
        var period: Nanoseconds
    }

    static func reads(_ values: [Int]) -> [Read] {
        var reads: [Read] = []
        var at = 0
        while at + 3 < values.count {
            let step = Int64(values[at] % 9) - 3
            let age = Nanoseconds(Int64(values[at + 1] % 20_000_000))
            let complete = Nanoseconds(Int64(values[at + 2] % 300_000_000))
            let period = Nanoseconds(Int64(values[at + 3] % 20_000_000))
            reads.append(Read(step: step, age: age, complete: complete, period: period))
            at += 4
        }
        return reads
    }

    @Test("After a reset the old history says nothing: the same reads give the same speeds as a new estimator")
    func resetForgets() async {
        await propertyCheck(
            count: 400, input: Gen.int(in: 0...1_000_000_000).array(of: 160...160),
            Gen.int(in: 0...1_000_000_000).array(of: 160...160)
        ) { before, after in
            var reset = SpeedEstimator(window: .milliseconds(8), sensor: .default, tickPeriod: .milliseconds(1))
            var count: Int64 = 0
            for read in Self.reads(before) {
                count += read.step
                reset.update(
                    count: count, newestEdgeAge: read.age, edgesCompleteAge: read.complete, measuredPeriod: read.period)
            }
            reset.reset()
            var fresh = SpeedEstimator(window: .milliseconds(8), sensor: .default, tickPeriod: .milliseconds(1))
            for (index, read) in Self.reads(after).enumerated() {
                count += read.step
                reset.update(
                    count: count, newestEdgeAge: read.age, edgesCompleteAge: read.complete, measuredPeriod: read.period)
                fresh.update(
                    count: count, newestEdgeAge: read.age, edgesCompleteAge: read.complete, measuredPeriod: read.period)
                #expect(
                    reset.speed == fresh.speed && reset.speedKnown == fresh.speedKnown, "read \(index) after the reset")
            }
        }
    }

    @Test(
        "Estimators that differ only in when their one edge came are unequal, and read apart at the next edge; a replay is equal"
    )
    func equalityIsTheWholeState() {
        func afterOneEdge(age: Nanoseconds) -> SpeedEstimator {
            var e = SpeedEstimator(window: .milliseconds(8), sensor: .default, tickPeriod: .milliseconds(1))
            e.update(count: 0, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))
            e.update(count: 4, newestEdgeAge: age, measuredPeriod: .milliseconds(10))
            return e
        }
        var onTime = afterOneEdge(age: .zero)
        var earlier = afterOneEdge(age: .milliseconds(1))
        var replay = afterOneEdge(age: .zero)
        #expect(onTime.speed == earlier.speed && onTime.speedKnown == earlier.speedKnown)
        #expect(onTime != earlier)
        #expect(onTime == replay)
        onTime.update(count: 8, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))
        earlier.update(count: 8, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))
        replay.update(count: 8, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))
        #expect(onTime.speed != earlier.speed)
        #expect(onTime == replay)
    }
}
