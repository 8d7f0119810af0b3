import Testing

@testable import NeedleCore

/// The controllers under irregular time (issue 18, item 5): the speed estimate with tick periods
/// other than the nominal one, a motor that lags its ramp-down, and depth moves whose settings
/// would step faster than the per-tick bound.
@Suite("The controllers under irregular time")
struct IrregularTimeTests {
    /// The estimator fed exact edges of a motor at `speed` through ticks of the given periods
    /// (cycled); the estimates once the window has filled.
    static func estimates(speed: Hertz, periods: [Nanoseconds], ticks: Int = 400) -> [Hertz] {
        let sensor = SpeedSensor.default
        var estimator = SpeedEstimator(window: .milliseconds(8), sensor: sensor, tickPeriod: .milliseconds(1))
        let interval = Int64((1e12 / (Double(speed.millihertz) * Double(sensor.countsPerRevolution))).rounded())
        var clock: Int64 = 0
        var lastEdge: Int64 = 0
        var count: Int64 = 0
        var result: [Hertz] = []
        for tick in 0..<ticks {
            let period = periods[tick % periods.count]
            clock += period.rawValue
            while lastEdge + interval <= clock {
                lastEdge += interval
                count += 1
            }
            estimator.update(count: count, newestEdgeAge: Nanoseconds(clock - lastEdge), measuredPeriod: period)
            if tick >= 100 { result.append(estimator.speed) }
        }
        return result
    }

    @Test(
        "The estimate is the motor's speed to the millihertz whatever the tick period: 100 µs, 1 ms, 10 ms, and jittered",
        arguments: [
            [Nanoseconds.microseconds(100)], [.milliseconds(1)], [.milliseconds(10)],
            [.microseconds(700), .microseconds(1300), .microseconds(950), .microseconds(1600), .microseconds(450)],
        ])
    func periods(_ periods: [Nanoseconds]) {
        for speed in [Hertz(25), Hertz(100), Hertz(150)] {
            let estimates = Self.estimates(speed: speed, periods: periods)
            let off = estimates.map { abs($0.millihertz - speed.millihertz) }.max() ?? .max
            #expect(off <= 1, "\(speed) at \(periods): off by \(off) mHz")
        }
    }

    @Test("One late tick among regular ones does not move the estimate: time is the periods' sum")
    func oneLateTick() {
        var periods = [Nanoseconds](repeating: .milliseconds(1), count: 60)
        periods[30] = .milliseconds(40)
        let estimates = Self.estimates(speed: Hertz(120), periods: periods, ticks: 600)
        #expect(estimates.allSatisfy { abs($0.millihertz - 120_000) <= 1 }, "\(Set(estimates.map(\.millihertz)))")
    }

    @Test("A motor that lags its ramp-down keeps the pen stopping until it has stopped; then ready, motor off")
    func stoppingLastsUntilStopped() throws {
        var pen = TestPen()
        try pen.running()
        pen.motorFollowsSetpoint = false
        pen.turning = pen.supervisor.rampedSpeedSetpoint
        try pen.supervisor.handle(.stop)
        // The motor slows at 600 Hz/s while the setpoint falls at 1000 (the envelope at 500: a
        // motor slower than that would be an overspeed).
        var ticksStopping = 0
        while pen.supervisor.phase == .stopping && ticksStopping < 2000 {
            pen.turning = Hertz(millihertz: max(0, pen.turning.millihertz - 600))
            let output = pen.tick()
            ticksStopping += 1
            if pen.supervisor.phase == .stopping {
                #expect(output.outputs.motorEnabled, "stopping drives the motor down its ramp")
            }
        }
        #expect(pen.supervisor.fault == nil, "a motor slower than its envelope is no overspeed")
        #expect(pen.supervisor.phase == .ready)
        #expect(pen.supervisor.measuredSpeed <= pen.supervisor.configuration.speedControl.stoppedSpeed)
        // 100 Hz at 600 Hz/s: ~167 ms; the setpoint alone was at zero after 100 ms.
        #expect(ticksStopping > 150, "stopping ended after \(ticksStopping) ms, before the motor stopped")
        #expect(pen.lastOutput?.outputs.motorEnabled == false)
    }

    @Test(
        "Depth moves never step more than the per-tick bound, even where the rate and acceleration would",
        arguments: [Int32(1), 2, 3])
    func stepBound(stepsPerTickMax: Int32) {
        var settings = DepthAxisSettings()
        settings.stepsPerTickMax = stepsPerTickMax
        settings.rateMax = StepsPerSecond(20_000)  // 20 steps a tick at 1 ms
        settings.acceleration = StepsPerSecondSquared(10_000_000)
        var axis = DepthAxis(settings: settings)
        var ticks = 0
        var largest: Int32 = 0
        while axis.position != Steps(600) && ticks < 5000 {
            let steps = axis.advance(towards: Steps(600), rateMax: settings.rateMax, tickPeriod: .milliseconds(1))
            largest = max(largest, abs(steps))
            #expect(steps >= 0, "never away from the target")
            ticks += 1
        }
        #expect(axis.position == Steps(600))
        #expect(largest == stepsPerTickMax, "the bound is reached and held")
        #expect(ticks == 600 / Int(stepsPerTickMax), "no backlog: \(ticks) ticks")
        // And back, the same bound the other way.
        var back = 0
        while axis.position != .zero && back < 5000 {
            let steps = axis.advance(towards: .zero, rateMax: settings.rateMax, tickPeriod: .milliseconds(1))
            #expect(steps <= 0 && steps >= -stepsPerTickMax)
            back += 1
        }
        #expect(axis.position == .zero)
    }

    @Test("A move accelerates no faster than its setting: at 10,000 steps/s² the first 10 ms bring at most 1 step")
    func acceleration() {
        var settings = DepthAxisSettings()
        settings.stepsPerTickMax = 10
        settings.rateMax = StepsPerSecond(5000)
        var axis = DepthAxis(settings: settings)
        var positions: [Int32] = []
        for _ in 0..<40 {
            _ = axis.advance(towards: Steps(1000), rateMax: settings.rateMax, tickPeriod: .milliseconds(1))
            positions.append(axis.position.rawValue)
        }
        // s = a t² / 2: 0.5 steps after 10 ms, 2 after 20 ms, 8 after 40 ms (whole steps, rounded down).
        #expect(positions[9] <= 1, "\(positions)")
        #expect(positions[19] <= 3 && positions[19] >= 1, "\(positions)")
        #expect(positions[39] <= 9 && positions[39] >= 7, "\(positions)")
        // And it stops at the target without passing it, decelerating.
        var last = axis.position
        for _ in 0..<5000 where axis.position != Steps(1000) {
            _ = axis.advance(towards: Steps(1000), rateMax: settings.rateMax, tickPeriod: .milliseconds(1))
            #expect(axis.position >= last && axis.position <= Steps(1000))
            last = axis.position
        }
        #expect(axis.position == Steps(1000))
        #expect(axis.advance(towards: Steps(1000), rateMax: settings.rateMax, tickPeriod: .milliseconds(1)) == 0)
        #expect(!axis.isMoving, "at the target, at rest")
    }
}
