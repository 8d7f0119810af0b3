import Testing

@testable import NeedleCore

/// A cartridge's maximum use time, strokes counted from the encoder, and the records' health:
/// each latches, and each refuses what would go on past it.
@Suite("Cartridge use time and records health")
struct CartridgeUseAndRecordsTests {
    func refused(_ command: PenCommand, on pen: inout TestPen) -> CommandRejection? {
        do {
            try pen.supervisor.handle(command)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "Running time beyond the cartridge's use limit latches cartridgeUseTimeExceeded, and only time running counts")
    func useTimeLatches() throws {
        let limits = try SafetyLimits(cartridgeUseMax: .seconds(10))
        var pen = TestPen(configuration: PenConfiguration(limits: limits))
        try pen.running()
        let ranSoFar = pen.supervisor.session?.cartridgeRunTicks ?? 0
        #expect(ranSoFar > 0)
        // Neither the ramp-down (stopping) nor stopped time (ready) counts.
        try pen.supervisor.handle(.stop)
        pen.ticks(3000)
        #expect(pen.supervisor.phase == .ready)
        #expect(pen.supervisor.session?.cartridgeRunTicks == ranSoFar, "the stop counted as use")
        let afterStop = pen.supervisor.session?.cartridgeRunTicks ?? 0
        pen.ticks(20_000)
        #expect(pen.supervisor.session?.cartridgeRunTicks == afterStop, "idle time counted as use")
        try pen.supervisor.handle(.arm)
        try pen.supervisor.handle(.start)
        for _ in 0..<20_000 where pen.supervisor.fault == nil { pen.tick() }
        let fault = try #require(pen.supervisor.fault)
        #expect(fault.code == .cartridgeUseTimeExceeded)
        #expect(pen.supervisor.session?.cartridgeRunTicks == 10_001)
        #expect(pen.lastOutput?.outputs.motorSafe == true, "motor not safe in the breach's tick")
        #expect(fault.message == "Cartridge use time exceeded: its needles have run for 10001 ms; the limit is 10 s.")
    }

    @Test("After the use limit, arming is refused until a new cartridge is accepted, which starts its own count")
    func newCartridgeNeeded() throws {
        let limits = try SafetyLimits(cartridgeUseMax: .seconds(10))
        var pen = TestPen(configuration: PenConfiguration(limits: limits))
        try pen.running()
        for _ in 0..<20_000 where pen.supervisor.fault == nil { pen.tick() }
        pen.ticks(500)
        try pen.supervisor.handle(.resetFault)
        try pen.homeToReady()
        let rejection = refused(.arm, on: &pen)
        #expect(rejection == .cartridgeUseTimeExceeded)
        #expect(
            rejection?.message
                == "Cannot arm the pen: the cartridge reached its maximum use time. Insert a new sterile cartridge and accept it."
        )
        pen.inputs.cartridgePresent = false
        pen.tick()
        pen.inputs.cartridgePresent = true
        pen.tick()
        try pen.supervisor.handle(.acceptCartridge)
        #expect(pen.supervisor.session?.cartridgeRunTicks == 0)
        try pen.supervisor.handle(.arm)
        #expect(pen.supervisor.phase == .armed)
    }

    @Test("Strokes are counted from the encoder since the session opened: one cam revolution, one stroke")
    func strokesCounted() throws {
        var pen = TestPen()
        try pen.running()  // the session opened before the motor turned
        let atOpen = try #require(pen.supervisor.session).encoderCountAtOpen
        let before = pen.supervisor.status.sessionStrokes
        pen.ticks(1000)  // one second at the 100 Hz default
        let counts = Int64(pen.supervisor.configuration.speedControl.sensor.countsPerRevolution)
        #expect(pen.supervisor.status.sessionStrokes == (pen.inputs.encoderCount - atOpen) / counts)
        #expect((99...101).contains(pen.supervisor.status.sessionStrokes - before))
        try pen.supervisor.handle(.stop)
        for _ in 0..<3000 where pen.supervisor.phase != .ready { pen.tick() }
        try pen.supervisor.handle(.closeSession)
        #expect(pen.supervisor.status.sessionStrokes == 0)
    }

    @Test("Records that cannot be written latch recordsUnavailable; reset is refused until they can be written")
    func recordsUnavailable() throws {
        var pen = TestPen()
        try pen.running()
        pen.supervisor.setRecordsWritable(false)
        let output = pen.tick()
        #expect(pen.supervisor.fault?.code == .recordsUnavailable)
        #expect(output.outputs.motorSafe)
        pen.ticks(500)
        let rejection = refused(.resetFault, on: &pen)
        #expect(
            rejection?.message
                == "Cannot reset fault recordsUnavailable: the treatment records still cannot be written. Free space or service the storage."
        )
        pen.supervisor.setRecordsWritable(true)
        try pen.supervisor.handle(.resetFault)
        #expect(pen.supervisor.phase == .idle)
        #expect(pen.supervisor.fault == nil)
    }

    @Test("The cartridge use limit is validated like every limit")
    func limitValidated() {
        #expect(throws: LimitsError.self) { try SafetyLimits(cartridgeUseMax: .seconds(5)) }
        #expect(throws: LimitsError.self) { try SafetyLimits(cartridgeUseMax: .minutes(121)) }
        #expect(SafetyLimits.defaults.cartridgeUseMax == .minutes(30))
    }
}
