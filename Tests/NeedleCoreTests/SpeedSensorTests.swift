import Testing

@testable import NeedleCore

/// The speed from a sensor's edges: timed by the edges, so a coarse sensor reads exactly; an
/// untrusted count latches `speedSensorFault` in its tick, whatever the phase.
@Suite("Speed sensor")
struct SpeedSensorTests {
    /// Feeds `ticks` ticks of a motor at `hertz` to an estimator: the count and the age of the
    /// newest edge at each read, as a backend reports them from kernel timestamps.
    func estimate(
        _ sensor: SpeedSensor, hertz: Double, ticks: Int, period: Nanoseconds = .milliseconds(1),
        startCount: Double = 0.5
    ) -> SpeedEstimator {
        var estimator = SpeedEstimator(window: .milliseconds(8), sensor: sensor, tickPeriod: .milliseconds(1))
        let countsPerNanosecond = hertz * Double(sensor.countsPerRevolution) / 1e9
        var position = startCount  // in counts
        for _ in 0..<ticks {
            position += countsPerNanosecond * Double(period.rawValue)
            let whole = position.rounded(.down)
            let age = (position - whole) / countsPerNanosecond
            estimator.update(
                count: Int64(whole), newestEdgeAge: Nanoseconds(Int64(age.rounded())), measuredPeriod: period)
        }
        return estimator
    }

    @Test(
        "Timed by its edges, every sensor reads the speed to 0.1 % from 25 to 150 strokes/s",
        arguments: [
            SpeedSensor.default, .quadrature(countsPerRevolution: 256), .tachometer(pulsesPerRevolution: 1),
            .tachometer(pulsesPerRevolution: 2),
        ], [25.0, 60.0, 150.0])
    func exactAtEveryspeed(sensor: SpeedSensor, hertz: Double) {
        let estimator = estimate(sensor, hertz: hertz, ticks: 200)
        #expect(estimator.speedKnown)
        let measured = Double(estimator.speed.millihertz) / 1000
        #expect(abs(measured - hertz) / hertz < 0.001, "\(sensor) at \(hertz) Hz read \(measured) Hz")
    }

    /// Feeds an estimator a motor whose edges reach the read `lag` late (the kernel's interrupt
    /// thread, a line read a moment before the other): each read holds every edge up to `lag`
    /// before it, as a backend reports them.
    func estimateWithDelivery(
        _ sensor: SpeedSensor, hertz: Double, lag: Nanoseconds, tellingTheLag: Bool
    ) -> SpeedEstimator {
        var estimator = SpeedEstimator(window: .milliseconds(8), sensor: sensor, tickPeriod: .milliseconds(1))
        let countsPerNanosecond = hertz * Double(sensor.countsPerRevolution) / 1e9
        var position = 0.5  // in counts, at the read
        for _ in 0..<200 {
            position += countsPerNanosecond * 1e6
            let delivered = position - countsPerNanosecond * Double(lag.rawValue)
            let whole = delivered.rounded(.down)
            let age = (position - whole) / countsPerNanosecond
            estimator.update(
                count: Int64(whole), newestEdgeAge: Nanoseconds(Int64(age.rounded())),
                edgesCompleteAge: tellingTheLag ? lag : .zero, measuredPeriod: .milliseconds(1))
        }
        return estimator
    }

    @Test(
        "Edges still on their way through the kernel do not read as a slowing motor",
        arguments: [SpeedSensor.quadrature(countsPerRevolution: 256), .default], [60.0, 150.0])
    func deliveryLagIsNotSilence(sensor: SpeedSensor, hertz: Double) {
        // 200 µs of delivery: at 150 strokes/s on 256 counts, eight edge intervals.
        let told = estimateWithDelivery(sensor, hertz: hertz, lag: .microseconds(200), tellingTheLag: true)
        let measured = Double(told.speed.millihertz) / 1000
        #expect(abs(measured - hertz) / hertz < 0.001, "\(sensor) at \(hertz) Hz read \(measured) Hz")
        if sensor.countsPerRevolution == 256 {
            // Counting the silence up to the read instead: the overdue bound reads a fast motor low.
            let untold = estimateWithDelivery(sensor, hertz: hertz, lag: .microseconds(200), tellingTheLag: false)
            #expect(Double(untold.speed.millihertz) / 1000 < hertz * 0.8)
        }
    }

    @Test("Counted by ticks alone (no edge times), a 12-count sensor at 25 Hz would be off by far more")
    func tickCountingIsCoarse() {
        // The same motor with every edge reported as if it came at the read: the old method.
        var estimator = SpeedEstimator(window: .milliseconds(8), sensor: .default, tickPeriod: .milliseconds(1))
        var position = 0.5
        var worst = 0.0
        for tick in 0..<200 {
            position += 25.0 * 12 / 1000
            estimator.update(
                count: Int64(position.rounded(.down)), newestEdgeAge: .zero, measuredPeriod: .milliseconds(1))
            if tick > 50 { worst = max(worst, abs(Double(estimator.speed.millihertz) / 1000 - 25) / 25) }
        }
        #expect(worst > 0.02, "ticks alone should be coarse: worst \(worst)")
    }

    @Test("A late tick carries its time: the speed stays right through a 5 ms tick")
    func lateTick() {
        // Every tick 5 ms long: each brings 7.2 counts, and the newest edge is timed.
        var fresh = estimate(.default, hertz: 120, ticks: 100, period: .milliseconds(5))
        #expect(abs(Double(fresh.speed.millihertz) / 1000 - 120) < 0.12)
        fresh.reset()
        #expect(!fresh.speedKnown && fresh.speed == .zero)
    }

    @Test("Before two edges after rest the speed is unknown, not a measured zero")
    func unknownUntilTwoEdges() {
        var estimator = SpeedEstimator(
            window: .milliseconds(8), sensor: .tachometer(pulsesPerRevolution: 2), tickPeriod: .milliseconds(1))
        estimator.update(count: 0, newestEdgeAge: .zero, measuredPeriod: .milliseconds(1))
        estimator.update(count: 1, newestEdgeAge: .microseconds(300), measuredPeriod: .milliseconds(1))
        #expect(!estimator.speedKnown)
        for _ in 0..<9 { estimator.update(count: 1, newestEdgeAge: .zero, measuredPeriod: .milliseconds(1)) }
        estimator.update(count: 2, newestEdgeAge: .microseconds(300), measuredPeriod: .milliseconds(1))
        #expect(estimator.speedKnown)
        // 1 count in 10 ms, 4 counts a revolution: 25 Hz.
        #expect(estimator.speed == Hertz(25))
    }

    @Test(
        "A motor that stops reads below the stopped speed within 100 ms, for every sensor",
        arguments: [
            SpeedSensor.default, .quadrature(countsPerRevolution: 256), .tachometer(pulsesPerRevolution: 2),
        ])
    func stopsReadAsStopped(sensor: SpeedSensor) {
        var estimator = estimate(sensor, hertz: 120, ticks: 100)
        var ticksToStopped = 0
        let count = Int64((0.5 + 120 * Double(sensor.countsPerRevolution) / 10).rounded(.down))
        while estimator.speed > SpeedControlSettings().stoppedSpeed && ticksToStopped < 1000 {
            estimator.update(count: count, newestEdgeAge: .zero, measuredPeriod: .milliseconds(1))
            ticksToStopped += 1
        }
        #expect(ticksToStopped <= 100, "\(sensor): \(ticksToStopped) ms to read stopped")
    }

    @Test("An untrusted speed sensor latches speedSensorFault in that tick, with the motor safe, in any phase")
    func untrustedLatches() throws {
        var running = TestPen()
        try running.running()
        running.inputs.speedSensorTrusted = false
        #expect(running.tick().outputs.motorSafe)
        #expect(running.supervisor.fault?.code == .speedSensorFault)

        var idle = TestPen()
        idle.inputs.speedSensorTrusted = false
        idle.tick()
        #expect(idle.supervisor.fault?.code == .speedSensorFault)
        // Latched: it stays after the sensor reads right again, until a reset.
        idle.inputs.speedSensorTrusted = true
        idle.ticks(200)  // and the motor (never turning) has read stopped for the reset's hold
        #expect(idle.supervisor.fault?.code == .speedSensorFault)
        try idle.supervisor.handle(.resetFault)
        #expect(idle.supervisor.fault == nil)
    }

    @Test("A runaway read backwards (a sensor wired the wrong way round) is an overspeed too")
    func reverseRunaway() throws {
        var pen = TestPen()
        try pen.homeToReady()
        pen.motorFollowsSetpoint = false
        pen.turning = Hertz(-120)
        pen.ticks(20)
        #expect(pen.supervisor.fault?.code == .overspeed)
    }

    @Test("The sensor's counts: a quadrature count per edge of both channels, a tachometer two a pulse")
    func counts() {
        #expect(SpeedSensor.quadrature(countsPerRevolution: 12).countsPerRevolution == 12)
        #expect(SpeedSensor.tachometer(pulsesPerRevolution: 3).countsPerRevolution == 6)
        #expect(SpeedSensor.default.countsPerCycle == 4)
        #expect(SpeedSensor.tachometer(pulsesPerRevolution: 3).countsPerCycle == 2)
    }
}
