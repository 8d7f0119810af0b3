import NeedleCore
import PenSimulator
import Testing

/// Closed-loop quality on the simulated pen, in simulated time (1 kHz ticks, 100 µs physics).
/// The figures are printed as `FIGURE` lines: `swift test --filter ClosedLoopQuality`.
@Suite("Closed-loop quality")
struct ClosedLoopQualityTests {
    static let target = Hertz(120)

    /// Home, open a session, arm and start at 120 Hz; returns the true speed of every tick
    /// (in hertz) from the start command on, for `ticks` ticks.
    func speedStep(ticks: Int, skinContactFrom: Int? = nil) throws -> (SimulationHarness, [Double]) {
        var harness = SimulationHarness(seed: 7)
        try harness.startTreatment(area: .cheeks, speed: Self.target)
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

    @Test("A speed step from 0 to 120 Hz settles within ±2 % in at most 200 ms, overshoot at most 5 %")
    func speedStepSettles() throws {
        let (_, speeds) = try speedStep(ticks: 1000)
        let target = 120.0
        let lastOutside = speeds.lastIndex { abs($0 - target) > 0.02 * target } ?? -1
        let settleMilliseconds = lastOutside + 1  // one tick = 1 ms
        let peak = speeds.max() ?? 0
        let overshootPercent = max(0, (peak - target) / target * 100)
        print(
            "FIGURE speed step 0→120 Hz: settled (±2 %) after \(settleMilliseconds) ms; peak \(peak) Hz; overshoot \(overshootPercent) %"
        )
        #expect(settleMilliseconds <= 200)
        #expect(overshootPercent <= 5)
        #expect(peak <= 150, "never above the speed limit")
    }

    @Test("Speed holds within ±1 % through a load step (needles meeting skin)")
    func speedHoldsThroughLoadStep() throws {
        let (_, speeds) = try speedStep(ticks: 1500, skinContactFrom: 700)
        let afterStep = speeds[700...]
        let worst = afterStep.map { abs($0 - 120) / 120 * 100 }.max() ?? 100
        print("FIGURE load step at 120 Hz: worst deviation \(worst) % over the 800 ms after contact")
        #expect(worst <= 1.0)
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
