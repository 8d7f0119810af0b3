import Testing

@testable import NeedleCore

/// The speed estimator at its boundaries (issue 18): a speed from two edges and not from one, an
/// edge half a second old and not a nanosecond older, an edge overdue past one and a half
/// intervals and not at them.
@Suite("The speed estimator at its boundaries")
struct SpeedEstimatorBoundaryTests {
    /// An estimator on the default sensor (12 counts, 1 revolution a stroke), its clock at 0.
    static func estimator() -> SpeedEstimator {
        var estimator = SpeedEstimator(window: .milliseconds(8), sensor: .default, tickPeriod: .milliseconds(1))
        estimator.update(count: 0, newestEdgeAge: .zero, measuredPeriod: .zero)
        return estimator
    }

    @Test("One edge from rest gives no speed; the second gives it, from the time between them")
    func twoEdges() {
        var e = Self.estimator()
        e.update(count: 1, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))
        #expect(!e.speedKnown)
        #expect(e.speed == .zero)
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))
        #expect(e.speedKnown)
        // 1 count in 10 ms on 12 counts a revolution: 8.333 Hz.
        #expect(e.speed == Hertz(millihertz: 8_333))
    }

    @Test("The older edge half a second old still gives a speed; a nanosecond older, none")
    func stillAfter() {
        var e = Self.estimator()
        e.update(count: 1, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))  // an edge at 10 ms
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: .milliseconds(10))  // and at 20 ms
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: .milliseconds(490))  // the clock at 510 ms
        #expect(e.speedKnown, "the edge at 10 ms is 500 ms old")
        #expect(e.speed > .zero)
        e.update(count: 2, newestEdgeAge: .zero, measuredPeriod: Nanoseconds(1))
        #expect(!e.speedKnown, "500 ms and 1 ns")
        #expect(e.speed == .zero)
    }

    /// Edges every 10 ms for 100 ms, then `silence` without one: the speed then.
    static func speed(afterSilence silence: Nanoseconds) -> Hertz {
        var e = Self.estimator()
        for count in 1...10 { e.update(count: Int64(count), newestEdgeAge: .zero, measuredPeriod: .milliseconds(10)) }
        e.update(count: 10, newestEdgeAge: .zero, measuredPeriod: silence)
        return e.speed
    }

    @Test("An edge not yet overdue at one and a half intervals keeps the measured speed; past them the speed falls")
    func overdue() {
        let measured = Hertz(millihertz: 8_333)  // 1 count / 10 ms
        #expect(Self.speed(afterSilence: .milliseconds(10)) == measured)
        #expect(Self.speed(afterSilence: .milliseconds(15)) == measured, "1.5 intervals: not overdue")
        // Past it, one count over the silence: 1 / 15.000001 ms.
        #expect(Self.speed(afterSilence: Nanoseconds(15_000_001)) == Hertz(millihertz: 5_556))
        #expect(Self.speed(afterSilence: .milliseconds(40)) == Hertz(millihertz: 2_083))
    }

    @Test("Backwards (a reversed sensor) the same bound holds on the magnitude")
    func overdueBackwards() {
        var e = Self.estimator()
        for count in 1...10 { e.update(count: -Int64(count), newestEdgeAge: .zero, measuredPeriod: .milliseconds(10)) }
        #expect(e.speed == Hertz(millihertz: -8_333))
        e.update(count: -10, newestEdgeAge: .zero, measuredPeriod: .milliseconds(40))
        #expect(e.speed == Hertz(millihertz: -2_083))
    }

    @Test("The span reaches back over the window and a whole sensor cycle, not further")
    func spanOverTheWindowAndACycle() {
        // Edges at 1 ms, then 2 ms, then 3 ms apart…: the estimate uses the newest 4 counts
        // (a quadrature cycle) once they span at least 8 ms.
        var e = Self.estimator()
        for count in 1...8 {
            e.update(count: Int64(count), newestEdgeAge: .zero, measuredPeriod: .milliseconds(Int64(count)))
        }
        // The newest four gaps: 5 + 6 + 7 + 8 = 26 ms for 4 counts.
        #expect(e.speed == Hertz(hertzValue: 4.0 / 0.026 / 12))
    }
}
