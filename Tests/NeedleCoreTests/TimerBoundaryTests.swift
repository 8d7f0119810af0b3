import Testing

@testable import NeedleCore

/// The time limits to the tick (issue 18): a limit of N ms allows N ticks of 1 ms and latches on
/// the next one, counted from the tick the phase, the session or the cartridge's use began.
@Suite("Time limits at their boundaries")
struct TimerBoundaryTests {
    static func pen(_ limits: SafetyLimits) -> TestPen {
        TestPen(configuration: PenConfiguration(limits: limits))
    }

    @Test("Homing: the timeout's last tick still homes; the tick after it latches homingTimeout")
    func homingTimeout() throws {
        var pen = Self.pen(try SafetyLimits(homingTimeout: .milliseconds(100)))
        pen.inputs.homeSwitchActive = false
        try pen.supervisor.handle(.home)
        pen.ticks(100, followSwitch: false)
        #expect(pen.supervisor.phase == .homing)
        #expect(pen.supervisor.fault == nil)
        pen.tick(followSwitch: false)
        #expect(pen.supervisor.fault?.code == .homingTimeout)
        #expect(pen.supervisor.fault?.detail == .duration(elapsed: .milliseconds(101), limit: .milliseconds(100)))
        #expect(pen.supervisor.homed == false)
    }

    @Test("A continuous run: the limit's last tick runs; the tick after it latches runTimeExceeded")
    func continuousRun() throws {
        var pen = Self.pen(try SafetyLimits(continuousRunMax: .seconds(1)))
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.arm)
        try pen.supervisor.handle(.start)
        pen.ticks(1000)
        #expect(pen.supervisor.phase == .running)
        pen.tick()
        #expect(pen.supervisor.fault?.code == .runTimeExceeded)
        #expect(pen.supervisor.fault?.detail == .duration(elapsed: .milliseconds(1001), limit: .seconds(1)))
    }

    @Test("A cartridge's use adds up over runs and latches on the first tick past its limit; arming is then refused")
    func cartridgeUse() throws {
        var pen = Self.pen(try SafetyLimits(cartridgeUseMax: .seconds(10)))
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        func run(_ ticks: Int) throws {
            try pen.supervisor.handle(.arm)
            try pen.supervisor.handle(.start)
            pen.ticks(ticks)
        }
        try run(6000)
        try pen.supervisor.handle(.stop)
        TickCheckBoundaryTests.ticks(&pen, upTo: 2000) { $0.supervisor.phase == .ready }
        #expect(pen.supervisor.phase == .ready, "the stopping ticks do not count as use")
        try run(4000)
        #expect(pen.supervisor.session?.cartridgeRunTicks == 10_000)
        #expect(pen.supervisor.fault == nil, "10 s of use is the limit, not past it")
        pen.tick()
        #expect(pen.supervisor.fault?.code == .cartridgeUseTimeExceeded)
        #expect(
            pen.supervisor.fault?.detail == .duration(elapsed: Nanoseconds.milliseconds(10_001), limit: .seconds(10)))
        #expect(pen.supervisor.session?.cartridgeSpent == true)
    }

    @Test("A spent cartridge cannot be armed on; a new one accepted starts its own use time")
    func spentCartridge() throws {
        var pen = Self.pen(try SafetyLimits(cartridgeUseMax: .seconds(10)))
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.arm)
        try pen.supervisor.handle(.start)
        pen.ticks(10_001)
        #expect(pen.supervisor.fault?.code == .cartridgeUseTimeExceeded)
        pen.ticks(300)
        try pen.supervisor.handle(.resetFault)
        try pen.homeToReady()
        #expect(throws: CommandRejection.cartridgeUseTimeExceeded) { try pen.supervisor.handle(.arm) }
        try pen.supervisor.handle(.acceptCartridge)
        #expect(pen.supervisor.session?.cartridgeRunTicks == 0)
        try pen.supervisor.handle(.arm)
        try pen.supervisor.handle(.start)
        pen.ticks(10_000)
        #expect(pen.supervisor.fault == nil, "the new cartridge's own 10 s")
    }

    @Test(
        "A session: its length's last tick is allowed in any phase; the tick after it latches sessionTimeExceeded once")
    func sessionLength() throws {
        var pen = Self.pen(try SafetyLimits(continuousRunMax: .seconds(1), sessionLengthMax: .minutes(1)))
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        pen.ticks(60_000)
        #expect(pen.supervisor.fault == nil)
        pen.tick()
        #expect(pen.supervisor.fault?.code == .sessionTimeExceeded)
        #expect(pen.supervisor.fault?.detail == .duration(elapsed: .milliseconds(60_001), limit: .minutes(1)))
        #expect(pen.supervisor.session?.expired == true)
        // Reset: the expired session does not latch again, and cannot be armed.
        pen.ticks(300)
        try pen.supervisor.handle(.resetFault)
        pen.ticks(100)
        #expect(pen.supervisor.fault == nil, "latched once, not every tick after")
        try pen.homeToReady()
        #expect(throws: CommandRejection.sessionExpired) { try pen.supervisor.handle(.arm) }
    }

    @Test("Armed and not started: back to ready on the arm timeout's tick, not before")
    func armTimeout() throws {
        var pen = Self.pen(try SafetyLimits(armTimeout: .seconds(1)))
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.arm)
        pen.ticks(999)
        #expect(pen.supervisor.phase == .armed)
        let output = pen.tick()
        #expect(pen.supervisor.phase == .ready)
        #expect((0..<output.events.count).contains { if case .armTimedOut = output.events[$0] { true } else { false } })
        #expect(pen.supervisor.fault == nil)
    }
}
