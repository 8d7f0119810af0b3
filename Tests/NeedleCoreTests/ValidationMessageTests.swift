import NeedleCore
import Testing

/// One test per validation error: the exact sentence a technician reads, and that the refused
/// command changed nothing.
@Suite("Validation errors and their messages")
struct ValidationMessageTests {
    func refused(_ command: PenCommand, on pen: inout TestPen) -> CommandRejection? {
        let before = pen.supervisor
        do {
            try pen.supervisor.handle(command)
            return nil
        } catch {
            #expect(pen.supervisor == before, "a refused command changed the state")
            return error
        }
    }

    @Test func depthBeforeHoming() {
        var pen = TestPen()
        let error = refused(.setDepth(Micrometres(500)), on: &pen)
        #expect(
            error == .invalidState(command: .setDepth, state: .idle, allowed: PenPhaseSet(.ready, .armed, .running)))
        #expect(
            error?.message
                == "Cannot set the depth while the pen is idle; allowed when ready, armed or running. Home the pen first."
        )
    }

    @Test func speedBeforeHoming() {
        var pen = TestPen()
        #expect(
            refused(.setSpeed(Hertz(100)), on: &pen)?.message
                == "Cannot set the speed while the pen is idle; allowed when ready, armed or running. Home the pen first."
        )
    }

    @Test func depthBeyondGlobalMaximum() throws {
        var pen = TestPen()
        try pen.homeToReady()
        let error = refused(.setDepth(Micrometres(1800)), on: &pen)
        #expect(
            error
                == .limitExceeded(
                    LimitViolation(
                        limit: .maxDepth,
                        quantity: .depth(requested: Micrometres(1800), allowed: Micrometres(0)...Micrometres(1500)))))
        #expect(error?.message == "Depth 1.80 mm is outside the limit maxDepth; allowed 0.00 mm to 1.50 mm.")
    }

    @Test func depthBeyondAreaMaximum() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.forehead))
        let error = refused(.setDepth(Micrometres(750)), on: &pen)
        #expect(
            error?.message == "Depth 0.75 mm is deeper than the forehead limit of 0.50 mm; allowed 0.00 mm to 0.50 mm.")
        guard case .limitExceeded(let violation) = error else { Issue.record("not a limit"); return }
        #expect(violation.limit == .areaMaxDepth)
        #expect(violation.area == .forehead)
    }

    @Test func negativeDepth() throws {
        var pen = TestPen()
        try pen.homeToReady()
        #expect(
            refused(.setDepth(Micrometres(-10)), on: &pen)?.message
                == "Depth -0.01 mm is outside the limit minDepth; allowed 0.00 mm to 1.50 mm.")
    }

    @Test func speedAboveMaximum() throws {
        var pen = TestPen()
        try pen.homeToReady()
        #expect(
            refused(.setSpeed(Hertz(151)), on: &pen)?.message
                == "Speed 151 Hz is outside the limit maxSpeed; allowed 25 Hz to 150 Hz.")
    }

    @Test func speedBelowMinimum() throws {
        var pen = TestPen()
        try pen.homeToReady()
        #expect(
            refused(.setSpeed(Hertz(millihertz: 12_500)), on: &pen)?.message
                == "Speed 12.5 Hz is outside the limit minSpeed; allowed 25 Hz to 150 Hz.")
    }

    @Test func startWithoutArming() throws {
        var pen = TestPen()
        try pen.homeToReady()
        #expect(
            refused(.start, on: &pen)?.message
                == "Cannot start the pen while the pen is ready; allowed when armed. Arm the pen first.")
    }

    @Test func armWithoutSession() throws {
        var pen = TestPen()
        try pen.homeToReady()
        #expect(
            refused(.arm, on: &pen)?.message
                == "Cannot arm the pen: no treatment session is open. Open a session with an area and a cartridge first."
        )
    }

    @Test func armWithoutCartridge() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        pen.inputs.cartridgePresent = false
        pen.tick()
        #expect(
            refused(.arm, on: &pen)?.message
                == "Cannot arm the pen: no cartridge is inserted. Insert a new sterile cartridge.")
    }

    @Test func armWithReinsertedCartridgeNotAccepted() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        pen.inputs.cartridgePresent = false
        pen.tick()
        pen.inputs.cartridgePresent = true
        pen.tick()
        #expect(
            refused(.arm, on: &pen)?.message
                == "Cannot arm the pen: the cartridge in the slot has not been accepted for this session. Accept a new cartridge first."
        )
        try pen.supervisor.handle(.acceptCartridge)
        try pen.supervisor.handle(.arm)
        #expect(pen.supervisor.phase == .armed)
    }

    @Test func openSessionWithoutCartridge() {
        var pen = TestPen()
        pen.inputs.cartridgePresent = false
        pen.tick()
        #expect(
            refused(.openSession(.neck), on: &pen)?.message
                == "Cannot open a session: no cartridge is inserted. Insert a new sterile cartridge.")
    }

    @Test func openSecondSession() throws {
        var pen = TestPen()
        pen.tick()
        try pen.supervisor.handle(.openSession(.neck))
        #expect(
            refused(.openSession(.nose), on: &pen)?.message
                == "Cannot open a session: a session on the neck is already open. Close it first.")
    }

    @Test func openSessionShallowerThanCurrentDepth() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(1000)))
        #expect(
            refused(.openSession(.periorbital), on: &pen)?.message
                == "Depth 1.00 mm is deeper than the periorbital limit of 0.25 mm; allowed 0.00 mm to 0.25 mm.")
    }

    @Test func closeWithoutSession() {
        var pen = TestPen()
        #expect(refused(.closeSession, on: &pen)?.message == "Cannot close the session: no treatment session is open.")
    }

    @Test func closeWhileRunning() throws {
        var pen = TestPen()
        try pen.running()
        #expect(
            refused(.closeSession, on: &pen)?.message
                == "Cannot close the session while the pen is running; allowed when idle, homing, ready or fault. Stop the pen first."
        )
    }

    @Test func homeWhileRunning() throws {
        var pen = TestPen()
        try pen.running()
        #expect(
            refused(.home, on: &pen)?.message
                == "Cannot home the pen while the pen is running; allowed when idle or ready. Stop the pen first.")
    }

    @Test func motionWhileFaulted() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.emergencyStop)
        for command in [PenCommand.home, .arm, .start, .setDepth(Micrometres(100)), .setSpeed(Hertz(100))] {
            let error = refused(command, on: &pen)
            #expect(error == .faultLatched(command: command.kind, code: .emergencyStop))
        }
        #expect(
            refused(.home, on: &pen)?.message
                == "Cannot home the pen: fault emergencyStop is latched. Reset the fault first (pen.resetFault), then home the pen."
        )
    }

    @Test func resetWithoutFault() {
        var pen = TestPen()
        #expect(
            refused(.resetFault, on: &pen)?.message
                == "Cannot reset the fault while the pen is idle; allowed when fault.")
    }

    @Test func resetWhileEmergencyStopHeld() {
        var pen = TestPen()
        pen.inputs.emergencyStopPressed = true
        pen.tick()
        #expect(
            refused(.resetFault, on: &pen)?.message
                == "Cannot reset fault emergencyStop: the emergency stop is still pressed. Release it first.")
    }

    @Test func resetWhileHot() {
        var pen = TestPen()
        pen.inputs.temperature = .degrees(50)
        pen.tick()
        #expect(
            refused(.resetFault, on: &pen)?.message
                == "Cannot reset fault overTemperature: the handpiece is at 50.0 °C, above the limit of 43.0 °C. Let it cool first."
        )
    }

    @Test func resetWhileSpeedSensorUntrusted() {
        var pen = TestPen()
        pen.inputs.speedSensorTrusted = false
        pen.tick()
        #expect(
            refused(.resetFault, on: &pen)?.message
                == "Cannot reset fault speedSensorFault: the speed sensor's edges still cannot be trusted. Check its wiring and the host's load first."
        )
    }

    @Test func resetWhileDriverFaultActive() {
        var pen = TestPen()
        pen.inputs.motorDriverFaultActive = true
        pen.tick()
        #expect(
            refused(.resetFault, on: &pen)?.message
                == "Cannot reset fault motorDriverFault: the motor driver still reports a fault.")
    }

    @Test func resetWhileMotorTurning() throws {
        var pen = TestPen()
        try pen.running()
        try pen.supervisor.handle(.emergencyStop)
        pen.motorFollowsSetpoint = false
        pen.turning = Hertz(125)  // still spinning down: 32 counts a tick, an exact estimate
        pen.ticks(10)
        #expect(
            refused(.resetFault, on: &pen)?.message
                == "Cannot reset fault emergencyStop: the motor is still turning at 125 Hz. Wait for it to stop.")
    }

    @Test func resetWhileHardwareLost() {
        var pen = TestPen()
        pen.inputs.hardwareStatus = .lost
        pen.tick()
        #expect(
            refused(.resetFault, on: &pen)?.message
                == "Cannot reset fault hardwareLost: the pen's hardware is not available.")
    }

    @Test func armAfterSessionExpired() throws {
        let limits = try SafetyLimits(continuousRunMax: .seconds(30), sessionLengthMax: .minutes(1))
        var pen = TestPen(configuration: PenConfiguration(limits: limits))
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        pen.ticks(60_001)
        #expect(pen.supervisor.fault?.code == .sessionTimeExceeded)
        try pen.supervisor.handle(.resetFault)
        try pen.homeToReady()
        #expect(
            refused(.arm, on: &pen)?.message
                == "Cannot arm the pen: the session reached its maximum length. Close it and open a new session.")
    }
}
