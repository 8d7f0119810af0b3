import Testing

@testable import NeedleCore

@Suite("State machine and supervisor")
struct StateMachineTests {
    @Test("Power-up is idle and not homed; nothing moves")
    func powerUp() {
        var pen = TestPen()
        let output = pen.tick()
        #expect(pen.supervisor.phase == .idle)
        #expect(!pen.supervisor.homed)
        #expect(output.outputs.motorSafe)
        #expect(output.outputs.depthSteps == 0)
    }

    @Test("The whole treatment path: home, session, arm, start, change depth and speed, stop")
    func treatmentPath() throws {
        var pen = TestPen()
        try pen.homeToReady()
        #expect(pen.supervisor.homed)
        #expect(pen.supervisor.depth == .zero)
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.setDepth(Micrometres(500)))
        try pen.supervisor.handle(.setSpeed(Hertz(120)))
        try pen.supervisor.handle(.arm)
        #expect(pen.supervisor.phase == .armed)
        #expect(pen.tick().outputs.motorSafe, "armed is not running")
        try pen.supervisor.handle(.start)
        pen.ticks(300)
        #expect(pen.supervisor.phase == .running)
        #expect(pen.lastOutput?.outputs.motorEnabled == true)
        #expect(pen.supervisor.rampedSpeedSetpoint == Hertz(120))
        // A depth change while running moves at the limited rate: 0.5 mm/s, 100 steps a second.
        let before = pen.supervisor.depth
        try pen.supervisor.handle(.setDepth(Micrometres(900)))
        pen.ticks(100)
        let moved = pen.supervisor.depth - before
        #expect(moved > .zero && moved <= Micrometres(55))
        try pen.supervisor.handle(.stop)
        #expect(pen.supervisor.phase == .stopping)
        pen.ticks(300)
        #expect(pen.supervisor.phase == .ready)
        #expect(pen.lastOutput?.outputs.motorSafe == true)
        try pen.supervisor.handle(.closeSession)
        #expect(pen.supervisor.session == nil)
    }

    @Test("An armed pen that is not started disarms after the arm timeout")
    func armTimeout() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.arm)
        pen.ticks(29_999)
        #expect(pen.supervisor.phase == .armed)
        let output = pen.tick()
        #expect(pen.supervisor.phase == .ready)
        #expect(output.events.events.contains(.armTimedOut(tick: pen.supervisor.tickIndex)))
        #expect(output.outputs.motorSafe, "disarming never starts anything")
    }

    @Test("Emergency stop while running: motor off in the same tick, fault latched, reset to idle, home again")
    func emergencyStopWhileRunning() throws {
        var pen = TestPen()
        try pen.running()
        try pen.supervisor.handle(.emergencyStop)
        #expect(pen.supervisor.phase == .fault)
        let output = pen.tick()
        #expect(output.outputs.motorSafe)
        #expect(pen.supervisor.fault?.code == .emergencyStop)
        pen.ticks(50)
        #expect(pen.supervisor.phase == .fault, "a fault stays latched")
        // Refused until the motor has read stopped for the whole hold (200 ms), then taken.
        #expect(throws: CommandRejection.self) { try pen.supervisor.handle(.resetFault) }
        pen.ticks(250)
        try pen.supervisor.handle(.resetFault)
        #expect(pen.supervisor.phase == .idle)
        #expect(!pen.supervisor.homed)
        #expect(pen.supervisor.session?.area == .cheeks, "a fault does not end the session")
        #expect(throws: CommandRejection.self) { try pen.supervisor.handle(.arm) }
        try pen.homeToReady()
        try pen.supervisor.handle(.arm)
        #expect(pen.supervisor.phase == .armed)
    }

    @Test("Emergency stop is never refused, and the first fault wins")
    func firstFaultWins() throws {
        var pen = TestPen()
        pen.inputs.temperature = .degrees(60)
        pen.tick()
        let first = pen.supervisor.fault
        #expect(first?.code == .overTemperature)
        try pen.supervisor.handle(.emergencyStop)
        pen.inputs.emergencyStopPressed = true
        pen.tick()
        #expect(pen.supervisor.fault == first)
    }

    @Test("Over-depth after a limit is lowered below the depth: latched at the next tick, needles retracted")
    func overDepthOnLoweredLimit() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(1000)))
        pen.ticks(1000)
        #expect(pen.supervisor.depth == Micrometres(1000))
        pen.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(800)))
        let output = pen.tick()
        #expect(pen.supervisor.fault?.code == .overDepth)
        #expect(
            pen.supervisor.fault?.message == "Over depth: the needles are at 1.00 mm, deeper than the limit of 0.80 mm."
        )
        #expect(output.outputs.motorSafe)
        #expect(output.outputs.depthSteps <= 0)
        var retracted: Int32 = 0
        for _ in 0..<20 { retracted += pen.tick().outputs.depthSteps }
        #expect(retracted < 0, "retracting within 20 ms of the breach")
        pen.ticks(1000)
        #expect(pen.supervisor.depth == .zero)
    }

    @Test("Without retract-on-fault the depth holds")
    func holdOnFault() throws {
        var configuration = PenConfiguration()
        configuration.depthAxis.retractOnFault = false
        var pen = TestPen(configuration: configuration)
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(500)))
        pen.ticks(500)
        try pen.supervisor.handle(.emergencyStop)
        pen.ticks(100)
        #expect(pen.supervisor.depth == Micrometres(500))
        #expect(pen.lastOutput?.outputs.depthSteps == 0)
    }

    @Test("Lost steps: the home switch closing where the count says the stage is deeper")
    func stepLossDetected() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(500)))
        pen.ticks(500)
        // The stage slipped back to home behind the count's back.
        pen.inputs.homeSwitchActive = true
        let output = pen.tick(followSwitch: false)
        #expect(pen.supervisor.fault?.code == .depthFollowingError)
        #expect(output.outputs.depthSteps == 0, "an untrusted axis holds")
    }

    @Test("Lost steps the other way: count at home but the switch open")
    func deeperThanCounted() throws {
        var pen = TestPen()
        try pen.homeToReady()
        pen.inputs.homeSwitchActive = false
        pen.tick(followSwitch: false)
        #expect(pen.supervisor.fault?.code == .depthFollowingError)
    }

    @Test("Homing that never finds the switch times out")
    func homingTimeout() throws {
        var pen = TestPen()
        try pen.supervisor.handle(.home)
        pen.ticks(5002, followSwitch: false)
        #expect(pen.supervisor.fault?.code == .homingTimeout)
        #expect(pen.supervisor.fault?.message == "Homing timeout: the home switch was not found within 5 s.")
    }

    @Test("A home switch stuck closed stops homing after exactly 200 µm deeper, whatever the step size")
    func homingSwitchStuck() throws {
        // 200 µm is 40 steps of 5 µm, 200 steps of 1 µm.
        for (micrometresPerStep, steps) in [(Int32(5), Int32(40)), (1, 200)] {
            var settings = DepthAxisSettings()
            settings.micrometresPerStep = micrometresPerStep
            var pen = TestPen(configuration: PenConfiguration(depthAxis: settings))
            pen.inputs.homeSwitchActive = true
            pen.tick(followSwitch: false)
            try pen.supervisor.handle(.home)
            var deeper: Int32 = 0
            for _ in 0..<5000 where pen.supervisor.phase == .homing {
                deeper += pen.tick(followSwitch: false).outputs.depthSteps
            }
            #expect(pen.supervisor.fault?.code == .homingTimeout)
            #expect(deeper == steps, "\(micrometresPerStep) µm a step")
        }
    }

    @Test("Stop during homing returns to idle, not homed")
    func stopDuringHoming() throws {
        var pen = TestPen()
        try pen.supervisor.handle(.home)
        pen.ticks(10)
        try pen.supervisor.handle(.stop)
        #expect(pen.supervisor.phase == .idle)
        #expect(!pen.supervisor.homed)
    }

    @Test("Stall: the motor turning at less than half the setpoint for the stall timeout")
    func stall() throws {
        var pen = TestPen()
        try pen.running()
        pen.motorFollowsSetpoint = false
        pen.turning = .zero
        pen.ticks(170)
        #expect(pen.supervisor.fault?.code == .stall)
    }

    @Test("Overspeed: the motor running above the setpoint plus the margin")
    func overspeed() throws {
        var pen = TestPen()
        try pen.running()
        pen.motorFollowsSetpoint = false
        pen.turning = Hertz(125)
        pen.ticks(20)
        #expect(pen.supervisor.fault?.code == .overspeed)
        let message = try #require(pen.supervisor.fault?.message)
        #expect(message.hasPrefix("Overspeed: the needles ran at 11"))
        #expect(message.hasSuffix(" Hz, above the allowed 110 Hz."))
    }

    @Test("A motor turning while it should be at rest is an overspeed")
    func runawayWhileReady() throws {
        var pen = TestPen()
        try pen.homeToReady()
        pen.motorFollowsSetpoint = false
        pen.turning = Hertz(40)
        pen.ticks(20)
        #expect(pen.supervisor.fault?.code == .overspeed)
    }

    @Test("Removing the cartridge while running latches cartridgeRemoved")
    func cartridgeRemovedWhileRunning() throws {
        var pen = TestPen()
        try pen.running()
        pen.inputs.cartridgePresent = false
        #expect(pen.tick().outputs.motorSafe)
        #expect(pen.supervisor.fault?.code == .cartridgeRemoved)
        #expect(pen.supervisor.session?.cartridgeAccepted == false)
    }

    @Test("Removing the cartridge while ready ends its use but latches nothing")
    func cartridgeRemovedWhileReady() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.neck))
        pen.inputs.cartridgePresent = false
        let output = pen.tick()
        #expect(pen.supervisor.fault == nil)
        #expect(output.events.events.contains(.cartridgeRemoved(tick: pen.supervisor.tickIndex)))
    }

    @Test("Continuous run beyond the limit latches runTimeExceeded")
    func runTimeExceeded() throws {
        let limits = try SafetyLimits(continuousRunMax: .seconds(2))
        var pen = TestPen(configuration: PenConfiguration(limits: limits))
        try pen.running()
        pen.ticks(2000)
        #expect(pen.supervisor.fault?.code == .runTimeExceeded)
    }

    @Test("Late ticks in a row latch tickOverrun; a single late tick does not")
    func tickOverrun() throws {
        var pen = TestPen()
        pen.inputs.measuredPeriod = .milliseconds(3)
        pen.tick()
        pen.inputs.measuredPeriod = .milliseconds(1)
        pen.tick()
        #expect(pen.supervisor.fault == nil)
        pen.inputs.measuredPeriod = .milliseconds(3)
        pen.ticks(5)
        #expect(pen.supervisor.fault?.code == .tickOverrun)
        #expect(pen.supervisor.fault?.message == "Tick overrun: the control loop was late 5 ticks in a row.")
    }

    @Test(
        "Hardware lost and I/O errors latch their faults",
        arguments: [
            (HardwareStatus.lost, FaultCode.hardwareLost), (.ioError, .ioError),
        ])
    func hardwareFaults(status: HardwareStatus, code: FaultCode) throws {
        var pen = TestPen()
        try pen.running()
        pen.inputs.hardwareStatus = status
        #expect(pen.tick().outputs.motorSafe)
        #expect(pen.supervisor.fault?.code == code)
    }

    @Test("A motor driver fault latches motorDriverFault in the same tick")
    func motorDriverFault() throws {
        var pen = TestPen()
        try pen.running()
        pen.inputs.motorDriverFaultActive = true
        #expect(pen.tick().outputs.motorSafe)
        #expect(pen.supervisor.fault?.code == .motorDriverFault)
    }

    @Test("Depth requests round down to a whole step, never deeper than asked")
    func depthRoundsDown() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(503)))
        #expect(pen.supervisor.depthTarget == Micrometres(500))
    }

    @Test("The heartbeat toggles every tick while the motor may run, and is still otherwise")
    func heartbeat() throws {
        var pen = TestPen()
        try pen.running()
        let a = pen.tick().outputs.heartbeat
        let b = pen.tick().outputs.heartbeat
        #expect(a != b)
        try pen.supervisor.handle(.emergencyStop)
        #expect(pen.tick().outputs.heartbeat == false)
        #expect(pen.tick().outputs.heartbeat == false)
    }

    @Test("Events carry each state change in order")
    func events() throws {
        var pen = TestPen()
        try pen.supervisor.handle(.home)
        let output = pen.tick()
        #expect(output.events.events.first == .stateChanged(from: .idle, to: .homing, tick: .zero))
    }

    @Test("A full event buffer counts what it drops")
    func eventOverflow() {
        var buffer = EventBuffer()
        for index in 0..<20 { buffer.append(.homed(tick: TickIndex(Int64(index)))) }
        #expect(buffer.count == EventBuffer.capacity)
        #expect(buffer.droppedCount == 4)
    }
}
