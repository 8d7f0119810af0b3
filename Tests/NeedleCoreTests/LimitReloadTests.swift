import Testing

@testable import NeedleCore

/// A configuration reload: stricter limits at once, looser ones only when the pen is at rest.
@Suite("Limit reload")
struct LimitReloadTests {
    @Test("A lowered depth limit takes effect at the next tick, even mid-treatment: overDepth if already deeper")
    func loweredAtOnce() throws {
        var pen = TestPen()
        try pen.running()
        try pen.supervisor.handle(.setDepth(Micrometres(800)))
        for _ in 0..<3000 where pen.supervisor.depth != Micrometres(800) { pen.tick() }
        pen.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(600)))
        #expect(pen.supervisor.limits.depthMax == Micrometres(600))
        #expect(pen.supervisor.pendingLimits == nil)
        let output = pen.tick()
        #expect(pen.supervisor.fault?.code == .overDepth)
        #expect(output.outputs.motorSafe)
    }

    @Test("A raised limit waits while a session is open or the pen moves, and applies once it is at rest")
    func raisedWaits() throws {
        let low = try SafetyLimits(depthMax: Micrometres(800), speedMax: Hertz(120))
        var pen = TestPen(configuration: PenConfiguration(limits: low))
        try pen.running()
        let raised = try SafetyLimits(depthMax: Micrometres(1500), speedMax: Hertz(140), temperatureMax: .degrees(40))
        pen.supervisor.reloadLimits(raised)
        // Stricter parts now (the temperature), looser parts later.
        #expect(pen.supervisor.limits.temperatureMax == .degrees(40))
        #expect(pen.supervisor.limits.depthMax == Micrometres(800))
        #expect(pen.supervisor.limits.speedMax == Hertz(120))
        #expect(pen.supervisor.pendingLimits == raised)
        #expect(throws: CommandRejection.self) { try pen.supervisor.handle(.setSpeed(Hertz(130))) }
        try pen.supervisor.handle(.stop)
        for _ in 0..<3000 where pen.supervisor.phase != .ready { pen.tick() }
        pen.tick()
        #expect(pen.supervisor.limits.depthMax == Micrometres(800), "a session is still open")
        try pen.supervisor.handle(.closeSession)
        pen.tick()
        #expect(pen.supervisor.limits == raised)
        #expect(pen.supervisor.pendingLimits == nil)
    }

    @Test("At rest, a reload applies whole at once")
    func atRestWhole() throws {
        var pen = TestPen()
        let raised = try SafetyLimits(depthMax: Micrometres(2000), areaDepthMax: nil)
        pen.supervisor.reloadLimits(raised)
        #expect(pen.supervisor.limits == raised)
    }

    @Test("The stricter of two limits sets is stricter than both, field by field")
    func stricterIsStricter() throws {
        let a = try SafetyLimits(depthMax: Micrometres(1000), speedMin: Hertz(30), speedMax: Hertz(140))
        let b = try SafetyLimits(depthMax: Micrometres(1200), speedMin: Hertz(20), speedMax: Hertz(120))
        let both = try a.stricter(b)
        #expect(both.depthMax == Micrometres(1000))
        #expect(both.speedMin == Hertz(30))
        #expect(both.speedMax == Hertz(120))
        for area in TreatmentArea.allCases {
            #expect(both.areaDepthMax[area] == min(a.areaDepthMax[area], b.areaDepthMax[area]))
        }
        let disjoint = try SafetyLimits(speedMin: Hertz(130), speedMax: Hertz(150))
        let slow = try SafetyLimits(speedMin: Hertz(25), speedMax: Hertz(60))
        #expect(throws: LimitsError.self) { try disjoint.stricter(slow) }
    }
}
