import LoopSimulation
import NeedleCore
import PenSimulator
import Testing

/// Closed-loop quality on the simulated pen, in simulated time (1 kHz ticks, 100 µs physics).
/// The figures are printed as `FIGURE` lines: `swift test --filter ClosedLoopQuality`.
@Suite("Closed-loop quality")
struct ClosedLoopQualityTests {
    static let target = Hertz(120)
    /// The sensors the figures hold for: the default (a 12-count quadrature encoder), a fine
    /// 256-count encoder, and a Hall tachometer of 2 pulses a revolution.
    static let sensors: [SpeedSensor] = [
        .default, .quadrature(countsPerRevolution: 256), .tachometer(pulsesPerRevolution: 2),
    ]

    /// Home, open a session, arm and start at `target`; returns the true speed of every tick
    /// (in hertz) from the start command on, for `ticks` ticks.
    func speedStep(
        ticks: Int, skinContactFrom: Int? = nil, sensor: SpeedSensor = .default, target: Hertz = Self.target
    ) throws -> (SimulationHarness, [Double]) {
        var configuration = PenConfiguration()
        configuration.speedControl.sensor = sensor
        var harness = SimulationHarness(configuration: configuration, seed: 7)
        try harness.startTreatment(area: .cheeks, speed: target)
        var speeds: [Double] = []
        for tick in 0..<ticks {
            if let from = skinContactFrom, tick == from { harness.pen.skinContact = true }
            harness.step()
            speeds.append(harness.pen.motor.strokeRateHertz)
        }
        #expect(harness.supervisor.fault == nil)
        #expect(harness.supervisor.phase == .running)
        return (harness, speeds)
    }

    @Test(
        "A speed step from 0 to 120 Hz settles within ±2 % in at most 200 ms, overshoot at most 5 %",
        arguments: sensors)
    func speedStepSettles(sensor: SpeedSensor) throws {
        let (_, speeds) = try speedStep(ticks: 1000, sensor: sensor)
        let target = 120.0
        let lastOutside = speeds.lastIndex { abs($0 - target) > 0.02 * target } ?? -1
        let settleMilliseconds = lastOutside + 1  // one tick = 1 ms
        let peak = speeds.max() ?? 0
        let overshootPercent = max(0, (peak - target) / target * 100)
        print(
            "FIGURE speed step 0→120 Hz (\(sensor)): settled (±2 %) after \(settleMilliseconds) ms; peak \(peak) Hz; overshoot \(overshootPercent) %"
        )
        #expect(settleMilliseconds <= 200)
        #expect(overshootPercent <= 5)
        #expect(peak <= 150, "never above the speed limit")
    }

    @Test("Speed holds within ±1 % through a load step (needles meeting skin)", arguments: sensors)
    func speedHoldsThroughLoadStep(sensor: SpeedSensor) throws {
        let (_, speeds) = try speedStep(ticks: 1500, skinContactFrom: 700, sensor: sensor)
        let afterStep = speeds[700...]
        let worst = afterStep.map { abs($0 - 120) / 120 * 100 }.max() ?? 100
        print("FIGURE load step at 120 Hz (\(sensor)): worst deviation \(worst) % over the 800 ms after contact")
        #expect(worst <= 1.0)
    }

    /// Every permitted speed, with the needles in skin: the second second of running stays
    /// within ±1 % of the target. A coarse sensor at the slowest speed brings a count every few
    /// ticks; timing its edges is what holds it.
    @Test(
        "Speed holds within ±1 % at every permitted speed, for every sensor kind",
        arguments: sensors, [Hertz(25), Hertz(60), Hertz(120), Hertz(150)])
    func speedHoldsAcrossRange(sensor: SpeedSensor, target: Hertz) throws {
        let (_, speeds) = try speedStep(ticks: 2000, skinContactFrom: 0, sensor: sensor, target: target)
        let hertz = Double(target.millihertz) / 1000
        let worst = speeds[1000...].map { abs($0 - hertz) / hertz * 100 }.max() ?? 100
        print("FIGURE hold at \(target) (\(sensor)): worst deviation \(worst) % over the second second")
        #expect(worst <= 1.0)
    }

    /// Every tick rate the configuration allows (`[daemon] tick-rate-hertz`, 100 to 5,000)
    /// runs the default treatment without an overspeed: the estimator's window is a time (8 ms),
    /// not 8 ticks, and the speed loop allows for the tick its duty was held. Counted in ticks,
    /// 100 Hz overshot to 153 Hz and latched `overspeed` (found by a test at 100 Hz ticks).
    @Test(
        "At every allowed tick rate the step to 120 Hz overshoots at most 6 % and holds ±1 %",
        arguments: [100, 250, 500, 1000, 5000])
    func everyTickRate(hertz: Int64) throws {
        let configuration = PenConfiguration(tickPeriod: Nanoseconds(1_000_000_000 / hertz))
        var harness = SimulationHarness(configuration: configuration, seed: 7)
        try harness.startTreatment(area: .cheeks, speed: Self.target)
        let ticks = Int(2 * hertz)  // two seconds
        var peak = 0.0
        var worstInTheSecondSecond = 0.0
        for tick in 0..<ticks {
            harness.step()
            let speed = harness.pen.motor.strokeRateHertz
            peak = max(peak, speed)
            if tick >= ticks / 2 { worstInTheSecondSecond = max(worstInTheSecondSecond, abs(speed - 120) / 120 * 100) }
        }
        print(
            "FIGURE step 0→120 Hz at \(hertz) ticks/s: peak \(peak) Hz, worst \(worstInTheSecondSecond) % in the second second"
        )
        #expect(harness.supervisor.fault == nil)
        #expect(peak <= 127.2, "overshoot \((peak - 120) / 1.2) %")
        #expect(worstInTheSecondSecond <= 1.0)
    }

    /// The loop can be late once (a busy host; the daemon lets the simulated pen run 50 ms at
    /// most): the motor turns on through the late tick, so the ramp and the overspeed envelope go
    /// on by the time that passed. Counted in ticks they stood still, and a motor on its ramp
    /// duty ran 19 Hz past them in 30 ms: a healthy soft start latched `overspeed` (the daemon's
    /// injected-stall test caught it under the whole suite's load). What is left is true: a
    /// stall right at the end of the ramp keeps the accelerating duty on a motor already at the
    /// target, it runs past target and margin, and that is latched.
    @Test(
        "A single late tick in the ramp trips overspeed only if the motor truly ran past target and margin",
        arguments: [Nanoseconds.milliseconds(5), .milliseconds(30), .milliseconds(50)])
    func lateTickInTheRamp(late: Nanoseconds) throws {
        var latched: [Int] = []
        for lateAt in stride(from: 0, through: 200, by: 10) {
            var harness = SimulationHarness(seed: 7)
            try harness.startTreatment(area: .cheeks, speed: Self.target)
            harness.run(ticks: lateAt)
            harness.step(measuredPeriod: late)
            var peak = harness.pen.motor.strokeRateHertz
            for _ in 0..<500 {
                harness.step()
                peak = max(peak, harness.pen.motor.strokeRateHertz)
            }
            if let fault = harness.supervisor.fault {
                latched.append(lateAt)
                #expect(fault.code == .overspeed)
                #expect(peak > 130, "latched at \(lateAt) ms with the motor at most \(peak) Hz")
            } else {
                #expect(peak < 131, "late by \(late) at \(lateAt) ms: \(peak) Hz unseen")
                #expect(abs(harness.pen.motor.strokeRateHertz - 120) < 2.4, "settled after a late tick at \(lateAt) ms")
            }
        }
        print("FIGURE one tick late by \(late) at 0, 10, … 200 ms of a 0→120 Hz ramp: overspeed at \(latched) ms")
        #expect(latched.count <= 2, "only right at the end of the ramp")
    }

    /// A stall long enough that the motor on its ramp duty truly runs past the target and the
    /// margin is an overspeed, and is latched as one.
    @Test("A 200 ms stall of the loop near the end of the ramp latches overspeed: the motor ran past target and margin")
    func longStallOvershoots() throws {
        var harness = SimulationHarness(seed: 7)
        try harness.startTreatment(area: .cheeks, speed: Self.target)
        harness.run(upTo: 5000) { $0.supervisor.measuredSpeed >= Hertz(100) }
        harness.step(measuredPeriod: .milliseconds(200))
        #expect(harness.pen.motor.strokeRateHertz > 130, "the motor really ran past 120 Hz + 10 Hz")
        harness.run(upTo: 50) { $0.supervisor.fault != nil }
        #expect(harness.supervisor.fault?.code == .overspeed)
    }

    /// The integration tests' daemons ramp at 150 Hz/s (DaemonProcess.hostJitterTolerance) so
    /// that a host stall of the loop cannot make a true overspeed there: held for the longest
    /// tick the daemon lets the simulated pen pass (50 ms), the accelerating duty of that ramp
    /// carries the motor less than the 10 Hz margin past its target, wherever in the ramp the
    /// stall falls. At 1,000 Hz/s the same stall latches (`lateTickInTheRamp`).
    @Test("At the test daemons' 150 Hz/s ramp, a tick late by 50 ms anywhere in the ramp never trips overspeed")
    func lateTickInASlowRamp() throws {
        let limits = try SafetyLimits(speedRamp: HertzPerSecond(150))
        var peakPastTarget = 0.0
        for lateAt in stride(from: 0, through: 900, by: 10) {
            var harness = SimulationHarness(configuration: PenConfiguration(limits: limits), seed: 7)
            try harness.startTreatment(area: .cheeks, speed: Self.target)
            harness.run(ticks: lateAt)
            harness.step(measuredPeriod: .milliseconds(50))
            for _ in 0..<300 {
                harness.step()
                peakPastTarget = max(peakPastTarget, harness.pen.motor.strokeRateHertz - 120)
            }
            #expect(harness.supervisor.fault == nil, "late by 50 ms at \(lateAt) ms of the ramp")
        }
        print(
            "FIGURE one tick late by 50 ms anywhere in a 0→120 Hz ramp at 150 Hz/s: at most \(peakPastTarget) Hz past")
        #expect(peakPastTarget < 10)
    }

    @Test("A full-range depth move finishes in at most 1.5 s with a final error of at most one step")
    func fullRangeDepthMove() throws {
        let limits = try SafetyLimits(depthMax: HardwareCeilings.depthMax)
        var harness = SimulationHarness(configuration: PenConfiguration(limits: limits), seed: 3)
        try harness.send(.home)
        harness.run(upTo: 10_000) { $0.supervisor.phase == .ready }
        #expect(harness.supervisor.phase == .ready)
        try harness.send(.setDepth(HardwareCeilings.depthMax))
        let ticks = harness.run(upTo: 5_000) { $0.supervisor.depth == HardwareCeilings.depthMax }
        harness.run(ticks: 5)
        let errorMicrometres = abs(harness.pen.trueDepth.rawValue - HardwareCeilings.depthMax.rawValue)
        print(
            "FIGURE full-range depth move 0→3.0 mm: \(ticks ?? -1) ms; final error \(errorMicrometres) µm (one step = 5 µm)"
        )
        let taken = try #require(ticks)
        #expect(taken <= 1500)
        #expect(errorMicrometres <= 5)
        #expect(harness.supervisor.fault == nil)
    }

    @Test("Homing is repeatable to one step from anywhere in the travel")
    func homingRepeatable() throws {
        var homePositions: [Int32] = []
        for seed in UInt64(1)...20 {
            var harness = SimulationHarness(seed: seed)
            try harness.send(.home)
            harness.run(upTo: 10_000) { $0.supervisor.phase != .homing }
            #expect(harness.supervisor.phase == .ready)
            #expect(harness.supervisor.homed)
            homePositions.append(harness.pen.depthStage.positionSteps)
            // Move away and home again: the same spot.
            try harness.send(.setDepth(Micrometres(1000)))
            harness.run(upTo: 5_000) { $0.supervisor.depth == Micrometres(1000) }
            try harness.send(.home)
            harness.run(upTo: 10_000) { $0.supervisor.phase != .homing }
            homePositions.append(harness.pen.depthStage.positionSteps)
        }
        let spread = (homePositions.max() ?? 0) - (homePositions.min() ?? 0)
        print("FIGURE homing over 40 runs from random positions: spread \(spread) steps")
        #expect(spread <= 1)
    }
}
