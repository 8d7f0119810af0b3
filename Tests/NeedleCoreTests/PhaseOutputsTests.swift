import Testing

@testable import NeedleCore

/// What each phase writes to the pen (issue 18): no step where the stage must hold, the end of a
/// stop exactly when the motor has stopped, the needles retracted after a fault only where the
/// count can be trusted, and homing's rate (its stuck switch: `StateMachineTests.homingSwitchStuck`).
@Suite("The phases' outputs")
struct PhaseOutputsTests {
    @Test("Idle issues no step, not one, however long it waits")
    func idleHolds() {
        var pen = TestPen()
        for _ in 0..<500 {
            #expect(pen.tick(followSwitch: false).outputs.depthSteps == 0)
        }
        #expect(pen.supervisor.depthAxis.position == .zero)
    }

    @Test("The tick that finds the home switch issues no step, and the count is zero")
    func homingFoundHolds() throws {
        var pen = TestPen()
        pen.inputs.homeSwitchActive = false
        try pen.supervisor.handle(.home)
        var found: TickOutput?
        for _ in 0..<5000 where pen.supervisor.phase == .homing {
            let output = pen.tick()
            if pen.supervisor.phase == .ready { found = output }
        }
        #expect(found?.outputs.depthSteps == 0)
        #expect(pen.supervisor.depthAxis.position == .zero)
        #expect(pen.supervisor.homed)
        #expect(pen.supervisor.depthTarget == .zero, "re-homing clears the target")
    }

    @Test("Re-homing after a depth was set clears the target: the needles do not go back by themselves")
    func rehomingClearsTheTarget() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.move(toDepth: Micrometres(600))
        try pen.supervisor.handle(.home)
        TickCheckBoundaryTests.ticks(&pen, upTo: 10_000) { $0.supervisor.phase != .homing }
        #expect(pen.supervisor.phase == .ready)
        pen.ticks(500)
        #expect(pen.supervisor.depth == .zero, "no step towards the old 0.60 mm")
    }

    @Test("Stopping ends on the tick the motor reads at the stopped speed with the setpoint at zero, not before")
    func stoppingEndsAtTheStoppedSpeed() throws {
        let stopped = SpeedControlSettings().stoppedSpeed
        for (speed, ends) in [(stopped, true), (stopped + Hertz(millihertz: 1), false)] {
            var pen = TestPen()
            try pen.running()
            try pen.supervisor.handle(.stop)
            // The motor slows with its setpoint to a crawl at `speed`, the setpoint reaching zero.
            TickCheckBoundaryTests.ticks(&pen, upTo: 2000) {
                $0.supervisor.rampedSpeedSetpoint <= Hertz(10) || $0.supervisor.phase != .stopping
            }
            pen.turnExactly(at: speed)
            pen.ticks(400)
            #expect(pen.supervisor.fault == nil)
            #expect((pen.supervisor.phase == .ready) == ends, "motor at \(speed): \(pen.supervisor.phase)")
        }
    }

    @Test("A motor that stops at once does not end the stop before its setpoint has ramped to zero")
    func stoppingWaitsForTheRamp() throws {
        var pen = TestPen()
        try pen.running()
        let from = pen.supervisor.rampedSpeedSetpoint
        try pen.supervisor.handle(.stop)
        pen.motorFollowsSetpoint = false
        pen.turning = .zero
        let ticks = TickCheckBoundaryTests.ticks(&pen, upTo: 2000) { $0.supervisor.phase != .stopping }
        #expect(pen.supervisor.phase == .ready)
        // 100 Hz at 1000 Hz/s: the ramp is at zero after 100 ticks.
        let rampTicks = Int(from.millihertz / (pen.supervisor.limits.speedRamp.millihertzPerSecond / 1000))
        #expect(ticks >= rampTicks, "stopping ended after \(ticks) ticks, the ramp needs \(rampTicks)")
    }

    @Test("After a fault the needles retract only when configured, homed and the count trusted; otherwise no step")
    func retractOnlyWhenTrusted() throws {
        // Configured, homed, trusted (an emergency stop): retracted.
        var pen = TestPen()
        try pen.homeToReady()
        try pen.move(toDepth: Micrometres(300))
        try pen.supervisor.handle(.emergencyStop)
        pen.ticks(3000)
        #expect(pen.supervisor.depth == .zero)

        // Not configured: held where it was.
        var settings = DepthAxisSettings()
        settings.retractOnFault = false
        var held = TestPen(configuration: PenConfiguration(depthAxis: settings))
        try held.homeToReady()
        try held.move(toDepth: Micrometres(300))
        try held.supervisor.handle(.emergencyStop)
        for _ in 0..<500 { #expect(held.tick().outputs.depthSteps == 0) }

        // A count that cannot be trusted (steps lost): held.
        var lost = TestPen()
        try lost.homeToReady()
        try lost.supervisor.handle(.setDepth(Micrometres(300)))
        lost.inputs.homeSwitchActive = true
        TickCheckBoundaryTests.ticks(&lost, upTo: 5000, followSwitch: false) { $0.supervisor.fault != nil }
        #expect(lost.supervisor.fault?.code == .depthFollowingError)
        for _ in 0..<500 { #expect(lost.tick(followSwitch: false).outputs.depthSteps == 0) }

        // Not homed since that fault's reset (the count kept, the stage unknown), then a fault
        // whose count would be trusted: still held.
        lost.ticks(300, followSwitch: false)
        try lost.supervisor.handle(.resetFault)
        #expect(!lost.supervisor.homed)
        #expect(lost.supervisor.depthAxis.position != .zero)
        try lost.supervisor.handle(.emergencyStop)
        for _ in 0..<500 { #expect(lost.tick(followSwitch: false).outputs.depthSteps == 0) }
    }

    @Test("A fault during a move towards the surface retracts without a pause: the stage keeps stepping at its speed")
    func retractWithoutPause() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.move(toDepth: Micrometres(1500))
        try pen.supervisor.handle(.setDepth(Micrometres(300)))
        pen.ticks(120)  // at 1,000 steps/s towards the surface, about 100 of 240 steps to go
        #expect(pen.supervisor.depthAxis.isMoving)
        try pen.supervisor.handle(.emergencyStop)
        var steps: [Int32] = []
        for _ in 0..<10 { steps.append(pen.tick().outputs.depthSteps) }
        // Started from rest it would take 14 ms to its first step (s = a t²/2).
        #expect(steps.allSatisfy { $0 == -1 }, "the retraction's first 10 ms: \(steps)")
        pen.ticks(3000)
        #expect(pen.supervisor.depth == .zero)
    }

    @Test("A fault during homing ends the homing: a reset and a new home start it again from the switch")
    func faultDuringHoming() throws {
        var pen = TestPen()
        pen.inputs.homeSwitchActive = false
        try pen.supervisor.handle(.home)
        pen.ticks(20)
        #expect(pen.supervisor.depthAxis.homingPhase == .seekingSwitch)
        try pen.supervisor.handle(.emergencyStop)
        #expect(pen.supervisor.depthAxis.homingPhase == nil, "homing aborted by the fault")
        for _ in 0..<300 { #expect(pen.tick().outputs.depthSteps == 0, "no homing step while faulted") }
        #expect(!pen.supervisor.homed)
    }

    @Test("Homing steps at the homing rate, never more than one a tick")
    func homingRate() throws {
        var pen = TestPen()
        pen.inputs.homeSwitchActive = false
        try pen.supervisor.handle(.home)
        var steps: Int32 = 0
        for _ in 0..<100 {
            let output = pen.tick(followSwitch: false)
            #expect(abs(output.outputs.depthSteps) <= 1)
            steps -= output.outputs.depthSteps
        }
        // 500 steps/s for 100 ms: 50 steps towards home.
        #expect(steps == 50)
    }
}
