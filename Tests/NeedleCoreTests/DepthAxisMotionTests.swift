import Testing

@testable import NeedleCore

/// The depth axis's moves against the kinematics they promise: a trapezoid bounded by the rate
/// and the acceleration, a deceleration into the target, a reversal that stops before it goes
/// back, and no steps owed beyond one when the per-tick bound or a lowered rate holds it back.
///
/// The schedule aims each tick at the speed from which it can still stop in the distance left
/// before that tick's step, so it arrives at the stepper's start-stop speed √(2a · 1 step): the
/// continuous trapezoid to one step beyond the target, ending one step early. The expected
/// times below are that profile's, computed here from the settings, not read off the code.
@Suite("Depth axis motion")
struct DepthAxisMotionTests {
    static let tick = Nanoseconds.milliseconds(1)

    /// Runs `axis` towards `target` until it is there (or `tickLimit` ticks): each tick's steps.
    static func move(
        _ axis: inout DepthAxis, to target: Steps, rateMax: StepsPerSecond? = nil, tickLimit: Int = 10_000
    ) -> [Int32] {
        var steps: [Int32] = []
        while axis.position != target && steps.count < tickLimit {
            steps.append(axis.advance(towards: target, rateMax: rateMax ?? axis.settings.rateMax, tickPeriod: tick))
        }
        return steps
    }

    /// For each single step of a move, the tick (counted from 1) that issued it.
    static func stepTicks(_ steps: [Int32]) -> [Int] {
        steps.enumerated().flatMap { index, count in Array(repeating: index + 1, count: Int(count.magnitude)) }
    }

    /// The continuous profile's time, in ticks of 1 ms, for `distance` steps: a trapezoid (or a
    /// triangle) to one step beyond, less the time of that last step at the start-stop speed.
    static func profileMilliseconds(distance: Int32, settings: DepthAxisSettings) -> Double {
        let acceleration = Double(settings.acceleration.rawValue)
        let perTickRate = Double(settings.stepsPerTickMax) / tick.secondsValue
        let rate = min(Double(settings.rateMax.rawValue), perTickRate)
        let profileDistance = Double(distance) + 1
        let rampDistance = rate * rate / acceleration  // up and down again
        let seconds =
            rampDistance <= profileDistance
            ? 2 * rate / acceleration + (profileDistance - rampDistance) / rate
            : 2 * (profileDistance / acceleration).squareRoot()
        return (seconds - (2 / acceleration).squareRoot()) * 1000
    }

    /// The continuous profile's time for the last `count` steps of a deceleration to rest.
    static func tailMilliseconds(steps count: Int, acceleration: StepsPerSecondSquared) -> Double {
        let a = Double(acceleration.rawValue)
        return ((2 * Double(count + 1) / a).squareRoot() - (2 / a).squareRoot()) * 1000
    }

    struct MoveCase: CustomTestStringConvertible, Sendable {
        var rateMax: Int32
        var acceleration: Int32
        var stepsPerTickMax: Int32
        var distance: Int32
        var testDescription: String {
            "\(distance) steps at \(rateMax) steps/s, \(acceleration) steps/s², \(stepsPerTickMax) a tick"
        }
        var settings: DepthAxisSettings {
            var settings = DepthAxisSettings()
            settings.rateMax = StepsPerSecond(rateMax)
            settings.acceleration = StepsPerSecondSquared(acceleration)
            settings.stepsPerTickMax = stepsPerTickMax
            return settings
        }
    }

    static let moves: [MoveCase] = [
        // The defaults: 0.1 s up to 1,000 steps/s, 0.5 s at it, 0.1 s down.
        MoveCase(rateMax: 1000, acceleration: 10_000, stepsPerTickMax: 1, distance: 600),
        // The per-tick bound (1,000 steps/s at 1 ms) below the rate: the bound is the rate.
        MoveCase(rateMax: 2000, acceleration: 10_000, stepsPerTickMax: 1, distance: 600),
        // Several steps a tick, never at the rate: a triangle.
        MoveCase(rateMax: 5000, acceleration: 10_000, stepsPerTickMax: 10, distance: 1000),
        // A short move: a triangle at the default settings.
        MoveCase(rateMax: 1000, acceleration: 10_000, stepsPerTickMax: 1, distance: 30),
        // And the other way.
        MoveCase(rateMax: 1000, acceleration: 10_000, stepsPerTickMax: 1, distance: -600),
    ]

    @Test("A fresh axis is at home and at rest, and its first step comes at √(2/a): the 14th ms at 10,000 steps/s²")
    func freshAxis() {
        var axis = DepthAxis(settings: DepthAxisSettings())
        #expect(axis.position == .zero)
        #expect(axis.depth == Micrometres(0))
        #expect(!axis.isMoving)
        #expect(axis.homingPhase == nil)
        // s = a t²/2 reaches one step at t = √(2 / 10,000) s = 14.1 ms.
        let steps = Self.move(&axis, to: Steps(100))
        #expect(Self.stepTicks(steps).first == 14, "\(steps.prefix(20))")
    }

    @Test(
        "A move takes the profile's time, to 2.5 %, and issues exactly its distance, every step towards the target",
        arguments: moves)
    func moveTime(_ move: MoveCase) {
        var axis = DepthAxis(settings: move.settings)
        let steps = Self.move(&axis, to: Steps(move.distance))
        #expect(axis.position == Steps(move.distance))
        #expect(steps.reduce(0, +) == move.distance)
        #expect(steps.allSatisfy { $0 == 0 || ($0 > 0) == (move.distance > 0) }, "a step away from the target")
        #expect(steps.allSatisfy { $0.magnitude <= move.stepsPerTickMax })
        let expected = Self.profileMilliseconds(distance: abs(move.distance), settings: move.settings)
        let ratio = Double(steps.count) / expected
        #expect(abs(ratio - 1) <= 0.025, "\(steps.count) ms against the profile's \(expected) ms")
    }

    @Test(
        "A move arrives decelerating: its last 10, 25 and 50 steps take at least 0.8 of the profile's time",
        arguments: moves.filter { $0.distance.magnitude >= 100 })
    func arrival(_ move: MoveCase) {
        var axis = DepthAxis(settings: move.settings)
        let ticks = Self.stepTicks(Self.move(&axis, to: Steps(move.distance)))
        let end = ticks.last ?? 0
        for count in [10, 25, 50] {
            let taken = Double(end - ticks[ticks.count - count - 1])
            let profile = Self.tailMilliseconds(steps: count, acceleration: move.settings.acceleration)
            #expect(taken >= 0.8 * profile, "the last \(count) steps in \(taken) ms, the profile's \(profile) ms")
        }
        #expect(axis.advance(towards: Steps(move.distance), rateMax: move.settings.rateMax, tickPeriod: Self.tick) == 0)
        #expect(!axis.isMoving, "at the target, at rest")
    }

    @Test("A new target behind a moving axis: it stops, then moves back exactly as a move from rest would")
    func reversal() {
        let settings = DepthAxisSettings()
        var axis = DepthAxis(settings: settings)
        _ = Self.move(&axis, to: Steps(600), tickLimit: 300)  // at 1,000 steps/s, mid-move
        let reached = axis.position
        #expect(axis.isMoving && reached.rawValue > 100 && reached.rawValue < 600)
        let back = Self.move(&axis, to: .zero)
        #expect(axis.position == .zero)
        var fresh = DepthAxis(settings: settings)
        let fromRest = Self.move(&fresh, to: reached)
        #expect(back == fromRest.map { -$0 }, "back: \(back.prefix(30)), from rest: \(fromRest.prefix(30))")
    }

    @Test("A move after the axis has come to rest at a target starts from rest again: the same steps as the first")
    func consecutiveMoves() {
        var axis = DepthAxis(settings: DepthAxisSettings())
        let first = Self.move(&axis, to: Steps(300))
        #expect(axis.advance(towards: Steps(300), rateMax: axis.settings.rateMax, tickPeriod: Self.tick) == 0)
        #expect(!axis.isMoving)
        let second = Self.move(&axis, to: Steps(600))
        #expect(second == first)
    }

    @Test(
        "A rate lowered under a move held back by the per-tick bound: at most the one step owed, then the new rate",
        arguments: [Int32(1500), 2000, 5000], [100, 101, 102])
    func loweredRate(rateMax: Int32, ticksBefore: Int) {
        var settings = DepthAxisSettings()
        settings.rateMax = StepsPerSecond(rateMax)
        settings.acceleration = StepsPerSecondSquared(10_000_000)  // at any speed within a tick
        var axis = DepthAxis(settings: settings)
        _ = Self.move(&axis, to: Steps(1000), tickLimit: ticksBefore)
        // The pen starts its motor: depth changes go at the rate while running.
        let lowered = StepsPerSecond(100)
        var issued: Int32 = 0
        for elapsed in 1...100 {
            issued += axis.advance(towards: Steps(1000), rateMax: lowered, tickPeriod: Self.tick)
            let allowed = 1 + Int32(Double(lowered.rawValue) * Double(elapsed) / 1000)
            #expect(issued <= allowed, "\(issued) steps \(elapsed) ms after the rate fell to 100 steps/s")
        }
        #expect(issued >= 10, "and the move goes on at the new rate: \(issued) steps in 100 ms")
    }

    @Test(
        "Homing leaves the axis at rest at zero: the first move after it starts from rest, its first step at the 14th ms"
    )
    func afterHoming() {
        var axis = DepthAxis(settings: DepthAxisSettings())
        axis.beginHoming(switchActive: false)
        for _ in 0..<40 { _ = axis.advanceHoming(switchActive: false, tickPeriod: Self.tick) }
        #expect(axis.advanceHoming(switchActive: true, tickPeriod: Self.tick) == .found)
        #expect(axis.position == .zero && axis.homingPhase == nil)
        #expect(!axis.isMoving)
        let steps = Self.move(&axis, to: Steps(100))
        #expect(Self.stepTicks(steps).first == 14, "\(steps.prefix(20))")
    }

    @Test("Leaving a closed switch: deeper at the homing rate, and the tick that reads it open issues no step")
    func leavingTheSwitch() {
        var axis = DepthAxis(settings: DepthAxisSettings())
        axis.beginHoming(switchActive: true)
        var deeper: Int32 = 0
        for _ in 0..<10 {
            guard case .moving(let steps) = axis.advanceHoming(switchActive: true, tickPeriod: Self.tick) else {
                Issue.record("not moving off the switch")
                return
            }
            deeper += steps
        }
        #expect(deeper == 5, "500 steps/s for 10 ms")
        #expect(axis.advanceHoming(switchActive: false, tickPeriod: Self.tick) == .moving(steps: 0))
        #expect(axis.homingPhase == .seekingSwitch)
    }
}
