import Testing

@testable import NeedleCore

/// Every check of the tick at its limit and one unit beyond it (issue 18): at the limit the pen
/// goes on, one unit past it the fault latches, in that same tick. A check tested only far from
/// its boundary would not notice `>` become `>=`, or a constant move by one.
@Suite("The tick's checks at their boundaries")
struct TickCheckBoundaryTests {
    /// Ticks until `condition` or `limit` ticks; the ticks taken.
    @discardableResult
    static func ticks(
        _ pen: inout TestPen, upTo limit: Int, followSwitch: Bool = true, until condition: (TestPen) -> Bool
    ) -> Int {
        for taken in 0..<limit {
            if condition(pen) { return taken }
            pen.tick(followSwitch: followSwitch)
        }
        return limit
    }

    @Test("Temperature: at the maximum the pen runs on; a thousandth of a degree above, overTemperature")
    func temperature() throws {
        var pen = TestPen()
        try pen.running()
        pen.inputs.temperature = pen.supervisor.limits.temperatureMax
        pen.ticks(50)
        #expect(pen.supervisor.fault == nil)
        pen.inputs.temperature = MilliCelsius(pen.supervisor.limits.temperatureMax.rawValue + 1)
        let tick = pen.supervisor.tickIndex.advanced(by: 1)
        pen.tick()
        #expect(pen.supervisor.fault?.code == .overTemperature)
        #expect(pen.supervisor.fault?.tick == tick)
    }

    @Test("Late ticks: 1.5 periods is on time, a nanosecond more is late; the fault on the Nth late tick in a row")
    func lateTicks() throws {
        var pen = TestPen()
        try pen.homeToReady()
        pen.inputs.measuredPeriod = Nanoseconds(1_500_000)
        pen.ticks(20)
        #expect(pen.supervisor.fault == nil, "1.5 ms is the threshold, not past it")
        pen.inputs.measuredPeriod = Nanoseconds(1_500_001)
        let allowed = Int(pen.supervisor.limits.tickOverrunsInARowMax)
        pen.ticks(allowed - 1)
        #expect(pen.supervisor.fault == nil)
        // One tick on time starts the count again.
        pen.inputs.measuredPeriod = .milliseconds(1)
        pen.tick()
        pen.inputs.measuredPeriod = Nanoseconds(1_500_001)
        pen.ticks(allowed - 1)
        #expect(pen.supervisor.fault == nil, "\(allowed - 1) late ticks, an on-time one, \(allowed - 1) late")
        pen.tick()
        #expect(pen.supervisor.fault?.code == .tickOverrun)
        #expect(pen.supervisor.fault?.detail == .lateTicks(Int32(allowed)))
    }

    @Test("Late ticks from the very first tick (a loop that starts late) count from one")
    func lateFromTheStart() throws {
        var pen = TestPen()
        pen.inputs.measuredPeriod = Nanoseconds(1_500_001)
        pen.ticks(Int(pen.supervisor.limits.tickOverrunsInARowMax) - 1)
        #expect(pen.supervisor.fault == nil)
        pen.tick()
        #expect(pen.supervisor.fault?.detail == .lateTicks(pen.supervisor.limits.tickOverrunsInARowMax))
    }

    @Test("Late ticks with a limit of one: the first late tick latches")
    func oneLateTick() throws {
        let limits = try SafetyLimits(tickOverrunsInARowMax: 1)
        var pen = TestPen(configuration: PenConfiguration(limits: limits))
        pen.inputs.measuredPeriod = Nanoseconds(1_500_001)
        pen.tick()
        #expect(pen.supervisor.fault?.code == .tickOverrun)
    }

    /// A pen homed at step 0 that steps deeper while its home switch stays pressed: the stage did
    /// not follow. The fault must come on the first tick the count is past the tolerance.
    static func stepsLostAt(tolerance: Micrometres) throws -> (faultAt: Int32, quietUpTo: Int32) {
        let limits = try SafetyLimits(depthFollowingErrorTolerance: tolerance)
        var pen = TestPen(configuration: PenConfiguration(limits: limits))
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(500)))
        pen.inputs.homeSwitchActive = true
        var quiet: Int32 = 0
        for _ in 0..<2000 {
            let position = pen.supervisor.depthAxis.position.rawValue
            pen.tick(followSwitch: false)
            if pen.supervisor.fault != nil {
                #expect(pen.supervisor.fault?.code == .depthFollowingError)
                return (position, quiet)
            }
            quiet = max(quiet, position)
        }
        Issue.record("no depthFollowingError with the switch held")
        return (-1, quiet)
    }

    @Test("Lost steps: the count may be the tolerance's whole steps from the switch, one step more latches")
    func stepLossTolerance() throws {
        // 5 µm a step: 10 µm is 2 steps, 12 µm is 2 steps too (whole steps only), 1 µm is 1 step
        // (never less than one: a count of 1 at the switch is the switch's own play).
        for (tolerance, steps) in [
            (Micrometres(10), Int32(2)), (Micrometres(12), 2), (Micrometres(1), 1), (Micrometres(200), 40),
        ] {
            let (faultAt, quietUpTo) = try Self.stepsLostAt(tolerance: tolerance)
            #expect(faultAt == steps + 1, "tolerance \(tolerance)")
            #expect(quietUpTo == steps, "tolerance \(tolerance)")
        }
    }

    @Test("Lost steps the other way: the count says home, the switch says deeper; one step out is not a fault")
    func switchOpenAtHome() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(5)))
        Self.ticks(&pen, upTo: 1000) { $0.supervisor.depthAxis.position.rawValue == 1 }
        pen.inputs.homeSwitchActive = false
        pen.ticks(20, followSwitch: false)
        #expect(pen.supervisor.fault == nil, "one step deep, switch open: as it should be")
        try pen.supervisor.handle(.setDepth(.zero))
        let ticks = Self.ticks(&pen, upTo: 1000, followSwitch: false) { $0.supervisor.fault != nil }
        #expect(ticks < 1000)
        #expect(pen.supervisor.fault?.code == .depthFollowingError)
        #expect(pen.supervisor.depthAxis.position.rawValue == 0)
    }

    @Test("Lost steps are not judged before the pen is homed, nor while it homes")
    func notBeforeHoming() throws {
        var pen = TestPen()
        pen.inputs.homeSwitchActive = true
        pen.ticks(20, followSwitch: false)
        #expect(pen.supervisor.fault == nil, "not homed: the count means nothing yet")
        try pen.homeToReady()
        #expect(pen.supervisor.fault == nil)
    }

    @Test("Depth: exactly at a lowered limit the pen goes on; a micrometre below it, overDepth in the next tick")
    func measuredDepthAtALoweredLimit() throws {
        var pen = TestPen()
        try pen.running()
        try pen.supervisor.handle(.setDepth(Micrometres(800)))
        Self.ticks(&pen, upTo: 5000) { $0.supervisor.depth == Micrometres(800) }
        pen.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(800)))
        pen.ticks(20)
        #expect(pen.supervisor.fault == nil)
        pen.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(799)))
        let tick = pen.supervisor.tickIndex.advanced(by: 1)
        pen.tick()
        #expect(
            pen.supervisor.fault
                == Fault(
                    code: .overDepth, tick: tick, detail: .depth(measured: Micrometres(800), limit: Micrometres(799))))
    }

    @Test("Depth target: a limit lowered below it while the stage moves faults at once, before the stage gets there")
    func depthTargetWhileMoving() throws {
        for phase in ["ready", "running"] {
            var pen = TestPen()
            if phase == "running" { try pen.running() } else { try pen.homeToReady() }
            try pen.supervisor.handle(.setDepth(Micrometres(1000)))
            pen.ticks(10)
            #expect(pen.supervisor.depth < Micrometres(500), "still on its way (\(phase))")
            pen.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(995)))
            pen.tick()
            #expect(
                pen.supervisor.fault?.detail == .depth(measured: Micrometres(1000), limit: Micrometres(995)),
                "the target is past the new limit (\(phase))")
            #expect(pen.supervisor.fault?.code == .overDepth)
            pen.ticks(2000)
            #expect(pen.supervisor.depth < Micrometres(500), "the needles never went on (\(phase))")
        }
    }

    @Test("Depth target exactly at a lowered limit: the stage goes there, no fault")
    func depthTargetAtTheLimit() throws {
        var pen = TestPen()
        try pen.running()
        try pen.supervisor.handle(.setDepth(Micrometres(1000)))
        pen.ticks(10)
        pen.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(1000)))
        Self.ticks(&pen, upTo: 20_000) { $0.supervisor.depth == Micrometres(1000) || $0.supervisor.fault != nil }
        #expect(pen.supervisor.fault == nil)
        #expect(pen.supervisor.depth == Micrometres(1000))
    }

    @Test("Overspeed: at the speed limit plus the margin the pen runs on; a millihertz above, overspeed")
    func overspeedCeiling() throws {
        var pen = TestPen()
        try pen.running()
        try pen.supervisor.handle(.setSpeed(pen.supervisor.limits.speedMax))
        Self.ticks(&pen, upTo: 1000) { $0.supervisor.rampedSpeedSetpoint == $0.supervisor.limits.speedMax }
        pen.ticks(20)
        let ceiling = pen.supervisor.limits.speedMax + pen.supervisor.limits.overspeedMargin
        // From the ideal motor's edges to exact ones at the setpoint, then up to the ceiling: the
        // estimate moves between two exact speeds, never past the faster.
        pen.turnExactly(at: pen.supervisor.limits.speedMax)
        pen.ticks(100)
        #expect(pen.supervisor.fault == nil)
        pen.turnExactly(at: ceiling)
        pen.ticks(100)
        #expect(pen.supervisor.measuredSpeed == ceiling, "the estimate reads the edges exactly")
        #expect(pen.supervisor.fault == nil, "at the ceiling")
        pen.turnExactly(at: ceiling + Hertz(millihertz: 1))
        for _ in 0..<100 {
            pen.tick()
            if pen.supervisor.measuredSpeed > ceiling {
                #expect(pen.supervisor.fault?.code == .overspeed, "in the tick the estimate passed the ceiling")
                #expect(pen.supervisor.fault?.detail == .speed(measured: pen.supervisor.measuredSpeed, limit: ceiling))
                return
            }
            #expect(pen.supervisor.fault == nil)
        }
        Issue.record("the estimate never read above \(ceiling)")
    }

    @Test("Overspeed on the magnitude: a runaway read backwards is an overspeed too")
    func overspeedReversed() throws {
        var pen = TestPen()
        try pen.running()
        pen.motorFollowsSetpoint = false
        pen.turning = Hertz(-170)
        Self.ticks(&pen, upTo: 100) { $0.supervisor.fault != nil }
        #expect(pen.supervisor.fault?.code == .overspeed)
    }

    @Test("After a stop the envelope falls at half the ramp rate: a motor that keeps turning is caught at ~20 ms")
    func envelopeDecayAfterAStop() throws {
        var pen = TestPen()
        try pen.running()
        try pen.supervisor.handle(.setSpeed(Hertz(150)))
        Self.ticks(&pen, upTo: 1000) { $0.supervisor.rampedSpeedSetpoint == Hertz(150) }
        pen.turnExactly(at: Hertz(150))
        pen.ticks(50)
        #expect(pen.supervisor.fault == nil)
        try pen.supervisor.handle(.stop)
        // 150 Hz against an envelope falling from 150 Hz at 500 Hz/s, plus the 10 Hz margin:
        // past it after 20 ms of ticks.
        let ticks = Self.ticks(&pen, upTo: 1000) { $0.supervisor.fault != nil }
        #expect(pen.supervisor.fault?.code == .overspeed)
        #expect((20...22).contains(ticks), "caught after \(ticks) ms")
    }

    @Test("A speed target above a speed limit lowered while armed or running: overspeed at once; at the limit, none")
    func speedTargetAboveALoweredLimit() throws {
        for armedOnly in [true, false] {
            var pen = TestPen()
            try pen.homeToReady()
            try pen.supervisor.handle(.openSession(.cheeks))
            try pen.supervisor.handle(.setSpeed(Hertz(120)))
            try pen.supervisor.handle(.arm)
            if !armedOnly {
                try pen.supervisor.handle(.start)
                pen.ticks(200)
            }
            pen.supervisor.reloadLimits(try SafetyLimits(speedMax: Hertz(120)))
            pen.ticks(5)
            #expect(pen.supervisor.fault == nil, "the target at the new limit (armed only: \(armedOnly))")
            pen.supervisor.reloadLimits(try SafetyLimits(speedMax: Hertz(millihertz: 119_999)))
            pen.tick()
            #expect(
                pen.supervisor.fault?.detail
                    == .speed(measured: Hertz(120), limit: Hertz(millihertz: 119_999)),
                "armed only: \(armedOnly)")
        }
    }

    /// Running at `target` (the motor following the ramp up to it), then the motor held at
    /// `motor`: the ticks from the first slow one to the stall (nil: no stall in two seconds; -1: a
    /// stall without a slow tick).
    static func stallTicks(target: Hertz, motor: Hertz, limits: SafetyLimits = .defaults) throws -> Int? {
        var pen = TestPen(configuration: PenConfiguration(limits: limits, defaultSpeed: target))
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.arm)
        try pen.supervisor.handle(.start)
        ticks(&pen, upTo: 1000) { $0.supervisor.rampedSpeedSetpoint == target }
        pen.ticks(20)
        #expect(pen.supervisor.fault == nil)
        if motor == .zero {
            pen.motorFollowsSetpoint = false
            pen.turning = .zero
        } else {
            pen.turnExactly(at: motor)
        }
        var firstSlow: Int?
        for tick in 0..<2000 {
            pen.tick()
            let setpoint = pen.supervisor.rampedSpeedSetpoint
            if firstSlow == nil && pen.supervisor.measuredSpeed.millihertz < setpoint.millihertz / 2 {
                firstSlow = tick
            }
            if let fault = pen.supervisor.fault {
                #expect(fault.code == .stall, "\(fault)")
                // A stall before any tick slower than half the setpoint: -1, never a pass.
                return firstSlow.map { tick - $0 + 1 } ?? -1
            }
        }
        return nil
    }

    @Test("Stall timeout to the tick: the Nth slow tick in a row latches, N = timeout / period")
    func stallTimeoutToTheTick() throws {
        #expect(try Self.stallTicks(target: Hertz(40), motor: .zero) == 150)
        #expect(
            try Self.stallTicks(target: Hertz(40), motor: .zero, limits: SafetyLimits(stallTimeout: .milliseconds(20)))
                == 20)
    }

    @Test("Stall fraction: a motor at exactly half the setpoint is slow but not stalled; a millihertz less stalls")
    func stallFraction() throws {
        #expect(try Self.stallTicks(target: Hertz(40), motor: Hertz(20)) == nil)
        #expect(try Self.stallTicks(target: Hertz(40), motor: Hertz(millihertz: 19_999)) != nil)
    }

    @Test("Stall floor: from a 10 Hz setpoint a stopped motor stalls; below 10 Hz it is not judged")
    func stallFloor() throws {
        let slow = try SafetyLimits(speedMin: Hertz(1))
        #expect(try Self.stallTicks(target: Hertz(10), motor: .zero, limits: slow) == 150)
        #expect(try Self.stallTicks(target: Hertz(millihertz: 9_999), motor: .zero, limits: slow) == nil)
    }
}
