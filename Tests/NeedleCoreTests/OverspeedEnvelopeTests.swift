import Testing

@testable import NeedleCore

/// The overspeed envelope under irregular time (issue 18, items 3 and 5): after a stop it falls at
/// half the ramp rate and at least a millihertz a tick, by the time a tick took (up to a second of
/// it), so a motor that keeps turning is caught when it should be, and one that slows is not.
@Suite("The overspeed envelope")
struct OverspeedEnvelopeTests {
    @Test("At rest the motor may show up to the margin; a millihertz more is an overspeed")
    func atRest() throws {
        for (speed, faults) in [(Hertz(10), false), (Hertz(millihertz: 10_001), true)] {
            var pen = TestPen()
            try pen.homeToReady()
            pen.turnExactly(at: speed)
            pen.ticks(200)
            #expect(pen.supervisor.measuredSpeed == speed)
            #expect((pen.supervisor.fault?.code == .overspeed) == faults, "\(speed) in a ready pen")
        }
    }

    /// Running at 10 Hz with the given tick period and a 10 Hz/s ramp, a 1 Hz margin; stopped,
    /// with the motor still at 10 Hz: the time until overspeed.
    static func caughtAfter(tickPeriod: Nanoseconds) throws -> Nanoseconds? {
        let limits = try SafetyLimits(speedMin: Hertz(1), speedRamp: HertzPerSecond(10), overspeedMargin: Hertz(1))
        var pen = TestPen(
            configuration: PenConfiguration(limits: limits, tickPeriod: tickPeriod, defaultSpeed: Hertz(10)))
        pen.inputs.measuredPeriod = tickPeriod
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.arm)
        try pen.supervisor.handle(.start)
        TickCheckBoundaryTests.ticks(&pen, upTo: 20_000) { $0.supervisor.rampedSpeedSetpoint == Hertz(10) }
        pen.turnExactly(at: Hertz(10))
        pen.ticks(2000)
        #expect(pen.supervisor.fault == nil)
        try pen.supervisor.handle(.stop)
        let ticks = TickCheckBoundaryTests.ticks(&pen, upTo: 20_000) { $0.supervisor.fault != nil }
        guard pen.supervisor.fault != nil else { return nil }
        #expect(pen.supervisor.fault?.code == .overspeed)
        return tickPeriod * Int64(ticks)
    }

    @Test("At 100 µs ticks and a 10 Hz/s ramp half the ramp is under a millihertz a tick: it falls a millihertz")
    func aMillihertzATick() throws {
        // The setpoint and the envelope both fall 1 mHz a tick (10 Hz/s): 1 Hz in 100 ms.
        let caught = try #require(try Self.caughtAfter(tickPeriod: .microseconds(100)))
        #expect(caught >= .milliseconds(99) && caught <= .milliseconds(102), "caught after \(caught)")
    }

    @Test("At 200 µs ticks the envelope falls at half the ramp rate, not the ramp's")
    func halfTheRamp() throws {
        // 1 mHz a tick is 5 Hz/s: 1 Hz in 200 ms.
        let caught = try #require(try Self.caughtAfter(tickPeriod: .microseconds(200)))
        #expect(caught >= .milliseconds(198) && caught <= .milliseconds(204), "caught after \(caught)")
    }

    /// Stopped from 150 Hz, the motor lagging at 70 Hz until the setpoint is 0 (the envelope then
    /// at 75 Hz), then one tick that took `late` with the motor at `then`, and `after` ticks on
    /// time (an estimate needs edges younger than half a second).
    static func lateTickAfterAStop(
        late: Nanoseconds, then: Hertz, ramp: HertzPerSecond = HertzPerSecond(1000), after: Int = 0
    ) throws -> Fault? {
        var pen = TestPen(configuration: PenConfiguration(limits: try SafetyLimits(speedRamp: ramp)))
        try pen.running()
        try pen.supervisor.handle(.setSpeed(Hertz(150)))
        TickCheckBoundaryTests.ticks(&pen, upTo: 100_000) { $0.supervisor.rampedSpeedSetpoint == Hertz(150) }
        pen.turnExactly(at: Hertz(150))
        pen.ticks(100)
        try pen.supervisor.handle(.stop)
        pen.turnExactly(at: Hertz(70))
        TickCheckBoundaryTests.ticks(&pen, upTo: 100_000) {
            $0.supervisor.rampedSpeedSetpoint == .zero || $0.supervisor.fault != nil
        }
        #expect(
            pen.supervisor.fault == nil, "a motor slower than the envelope: \(String(describing: pen.supervisor.fault))"
        )
        #expect(pen.supervisor.speedEnvelope > Hertz(70))
        pen.turnExactly(at: then)
        pen.inputs.measuredPeriod = late
        pen.tick()
        pen.inputs.measuredPeriod = .milliseconds(1)
        pen.ticks(after)
        return pen.supervisor.fault
    }

    @Test("A tick 300 ms late: the envelope fell by those 300 ms, so a motor at 30 Hz is an overspeed")
    func lateTick() throws {
        let fault = try Self.lateTickAfterAStop(late: .milliseconds(300), then: Hertz(30))
        #expect(fault?.code == .overspeed)
        #expect(fault?.detail == .speed(measured: Hertz(30), limit: Hertz(10)))
    }

    @Test("A tick over a second late: the envelope falls by one second's worth at most")
    func tickOverASecondLate() throws {
        // A 100 Hz/s ramp: from 150 Hz the setpoint is 0 after 1.5 s, the envelope at 75 Hz then.
        // A 2 s tick takes the envelope down by 50 Hz (one second at half the ramp), to 25 Hz, and
        // 10 ms on time to 24.5 Hz: a ceiling of 34.5 Hz.
        let slower = try Self.lateTickAfterAStop(
            late: .seconds(2), then: Hertz(33), ramp: HertzPerSecond(100), after: 10)
        #expect(slower == nil)
        let fault = try Self.lateTickAfterAStop(
            late: .seconds(2), then: Hertz(36), ramp: HertzPerSecond(100), after: 10)
        #expect(fault?.code == .overspeed)
    }

    @Test("Needles out past a limit lowered while they retract: overDepth on the measured depth")
    func measuredDepthBeyondWhileRetracting() throws {
        var pen = TestPen()
        try pen.running()
        try pen.move(toDepth: Micrometres(800))
        try pen.supervisor.handle(.setDepth(Micrometres(300)))
        TickCheckBoundaryTests.ticks(&pen, upTo: 5000) { $0.supervisor.depth < Micrometres(800) }
        let depth = pen.supervisor.depth
        #expect(depth > Micrometres(700) && depth < Micrometres(800), "on its way back")
        pen.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(700)))
        pen.tick()
        #expect(pen.supervisor.fault?.code == .overDepth)
        #expect(pen.supervisor.fault?.detail == .depth(measured: depth, limit: Micrometres(700)))
    }
}
