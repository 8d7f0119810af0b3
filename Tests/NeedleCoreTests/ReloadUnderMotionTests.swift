import PropertyBased
import Testing

@testable import NeedleCore

/// Every limit lowered under a pen in motion (issue 18, item 4): a reload while armed, running
/// or stopping puts each lowered field in force at once, leaves nothing loosened, and the
/// stricter-of-two rule holds on every field for any pair of limits.
@Suite("Limits lowered under a pen in motion")
struct ReloadUnderMotionTests {
    /// One field of `SafetyLimits` lowered from the defaults, and how to read it back.
    struct Lowered: Sendable, CustomStringConvertible {
        let name: String
        let limits: @Sendable () throws(LimitsError) -> SafetyLimits
        let same: @Sendable (SafetyLimits, SafetyLimits) -> Bool
        var description: String { name }
    }

    static let lowered: [Lowered] = [
        Lowered(
            name: "depthMax", limits: { () throws(LimitsError) in try SafetyLimits(depthMax: Micrometres(1400)) },
            same: { $0.depthMax == $1.depthMax }),
        Lowered(
            name: "areaDepthMax",
            limits: { () throws(LimitsError) in
                var areas = AreaDepthLimits.publishedDefaults(cappedAt: Micrometres(1500))
                areas[.cheeks] = Micrometres(900)
                return try SafetyLimits(areaDepthMax: areas)
            }, same: { $0.areaDepthMax == $1.areaDepthMax }),
        Lowered(
            name: "speedMin raised", limits: { () throws(LimitsError) in try SafetyLimits(speedMin: Hertz(30)) },
            same: { $0.speedMin == $1.speedMin }),
        Lowered(
            name: "speedMax", limits: { () throws(LimitsError) in try SafetyLimits(speedMax: Hertz(145)) },
            same: { $0.speedMax == $1.speedMax }),
        Lowered(
            name: "speedRamp", limits: { () throws(LimitsError) in try SafetyLimits(speedRamp: HertzPerSecond(900)) },
            same: { $0.speedRamp == $1.speedRamp }),
        Lowered(
            name: "overspeedMargin", limits: { () throws(LimitsError) in try SafetyLimits(overspeedMargin: Hertz(8)) },
            same: { $0.overspeedMargin == $1.overspeedMargin }),
        Lowered(
            name: "stallTimeout",
            limits: { () throws(LimitsError) in try SafetyLimits(stallTimeout: .milliseconds(120)) },
            same: { $0.stallTimeout == $1.stallTimeout }),
        Lowered(
            name: "depthFollowingErrorTolerance",
            limits: { () throws(LimitsError) in try SafetyLimits(depthFollowingErrorTolerance: Micrometres(6)) },
            same: { $0.depthFollowingErrorTolerance == $1.depthFollowingErrorTolerance }),
        Lowered(
            name: "temperatureMax",
            limits: { () throws(LimitsError) in try SafetyLimits(temperatureMax: .degrees(41)) },
            same: { $0.temperatureMax == $1.temperatureMax }),
        Lowered(
            name: "continuousRunMax",
            limits: { () throws(LimitsError) in try SafetyLimits(continuousRunMax: .minutes(10)) },
            same: { $0.continuousRunMax == $1.continuousRunMax }),
        Lowered(
            name: "sessionLengthMax",
            limits: { () throws(LimitsError) in try SafetyLimits(sessionLengthMax: .minutes(45)) },
            same: { $0.sessionLengthMax == $1.sessionLengthMax }),
        Lowered(
            name: "cartridgeUseMax",
            limits: { () throws(LimitsError) in try SafetyLimits(cartridgeUseMax: .minutes(20)) },
            same: { $0.cartridgeUseMax == $1.cartridgeUseMax }),
        Lowered(
            name: "armTimeout", limits: { () throws(LimitsError) in try SafetyLimits(armTimeout: .seconds(20)) },
            same: { $0.armTimeout == $1.armTimeout }),
        Lowered(
            name: "homingTimeout", limits: { () throws(LimitsError) in try SafetyLimits(homingTimeout: .seconds(4)) },
            same: { $0.homingTimeout == $1.homingTimeout }),
        Lowered(
            name: "tickOverrunsInARowMax",
            limits: { () throws(LimitsError) in try SafetyLimits(tickOverrunsInARowMax: 4) },
            same: { $0.tickOverrunsInARowMax == $1.tickOverrunsInARowMax }),
    ]

    enum Motion: String, CaseIterable, Sendable { case armed, running, stopping }

    static func pen(in motion: Motion) throws -> TestPen {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.neck))
        try pen.supervisor.handle(.setSpeed(Hertz(100)))
        try pen.supervisor.handle(.arm)
        guard motion != .armed else { return pen }
        try pen.supervisor.handle(.start)
        pen.ticks(200)
        guard motion == .stopping else { return pen }
        try pen.supervisor.handle(.stop)
        pen.ticks(10)
        #expect(pen.supervisor.phase == .stopping)
        return pen
    }

    @Test(
        "Each lowered limit is in force at once while armed, running or stopping; nothing else changes, nothing waits",
        arguments: lowered, Motion.allCases)
    func loweredInForceAtOnce(field: Lowered, motion: Motion) throws {
        var pen = try Self.pen(in: motion)
        let before = pen.supervisor.limits
        let new = try field.limits()
        pen.supervisor.reloadLimits(new)
        #expect(field.same(pen.supervisor.limits, new), "\(field) while \(motion)")
        #expect(pen.supervisor.limits == new, "only the lowered field differed from the defaults")
        #expect(pen.supervisor.pendingLimits == nil)
        #expect(pen.supervisor.phase.rawValue == motion.rawValue, "a reload that loosens nothing does not stop the pen")
        // Raised back: that waits for rest.
        pen.supervisor.reloadLimits(before)
        #expect(pen.supervisor.limits == new, "\(field): the looser value waits")
        #expect(pen.supervisor.pendingLimits == before)
    }

    @Test("A lowered limit and a raised one in one reload: the lowered at once, the raised after the session")
    func mixedReload() throws {
        var pen = try Self.pen(in: .running)
        let mixed = try SafetyLimits(depthMax: Micrometres(1400), speedMax: Hertz(150), temperatureMax: .degrees(45))
        pen.supervisor.reloadLimits(mixed)
        #expect(pen.supervisor.limits.depthMax == Micrometres(1400))
        #expect(pen.supervisor.limits.temperatureMax == .degrees(43))
        #expect(pen.supervisor.pendingLimits == mixed)
        try pen.supervisor.handle(.stop)
        TickCheckBoundaryTests.ticks(&pen, upTo: 2000) { $0.supervisor.phase == .ready }
        pen.tick()
        #expect(pen.supervisor.limits.temperatureMax == .degrees(43), "the session is still open")
        try pen.supervisor.handle(.closeSession)
        pen.tick()
        #expect(pen.supervisor.limits == mixed)
        #expect(pen.supervisor.pendingLimits == nil)
    }

    /// Random limits, valid by construction (each field within its allowed range).
    static func limits(_ v: [Int]) throws -> SafetyLimits {
        let depthMax = Int32(v[0] % 3001)
        var areas = AreaDepthLimits(uniform: .zero)
        for (index, area) in TreatmentArea.allCases.enumerated() {
            areas[area] = Micrometres(Int32(v[15 + index] % (Int(depthMax) + 1)))
        }
        let speedMax = 1000 + Int32(v[1] % 149_001)
        let sessionLength = Int64(1 + v[9] % 120)
        return try SafetyLimits(
            depthMax: Micrometres(depthMax), areaDepthMax: areas,
            speedMin: Hertz(millihertz: 1000 + Int32(v[2]) % (speedMax - 999)), speedMax: Hertz(millihertz: speedMax),
            speedRamp: HertzPerSecond(millihertzPerSecond: 10_000 + Int32(v[3] % 9_990_001)),
            overspeedMargin: Hertz(millihertz: 1000 + Int32(v[4] % 29_001)),
            stallTimeout: .milliseconds(20 + Int64(v[5] % 1981)),
            depthFollowingErrorTolerance: Micrometres(1 + Int32(v[6] % 200)),
            temperatureMax: MilliCelsius(20_000 + Int32(v[7] % 28_001)),
            continuousRunMax: .seconds(1 + Int64(v[8]) % (sessionLength * 60)),
            sessionLengthMax: .minutes(sessionLength),
            cartridgeUseMax: .seconds(10 + Int64(v[10] % 7191)), armTimeout: .seconds(1 + Int64(v[11] % 300)),
            homingTimeout: .milliseconds(100 + Int64(v[12] % 59_901)), tickOverrunsInARowMax: 1 + Int32(v[13] % 1000))
    }

    @Test(
        "The stricter of any two limit sets: on every field the stricter of the two, or a named error when the speed ranges do not meet"
    )
    func stricterOnEveryField() async {
        await propertyCheck(
            count: 2000, input: Gen.int(in: 0...10_000_000).array(of: 25...25),
            Gen.int(in: 0...10_000_000).array(of: 25...25)
        ) { x, y in
            do {
                let a = try Self.limits(x)
                let b = try Self.limits(y)
                guard max(a.speedMin, b.speedMin) <= min(a.speedMax, b.speedMax) else {
                    #expect(throws: LimitsError.self) { try a.stricter(b) }
                    return
                }
                let s = try a.stricter(b)
                #expect(s.depthMax == min(a.depthMax, b.depthMax))
                for area in TreatmentArea.allCases {
                    #expect(s.areaDepthMax[area] == min(a.areaDepthMax[area], b.areaDepthMax[area]), "\(area)")
                }
                #expect(s.speedMin == max(a.speedMin, b.speedMin))
                #expect(s.speedMax == min(a.speedMax, b.speedMax))
                #expect(s.speedRamp == min(a.speedRamp, b.speedRamp))
                #expect(s.overspeedMargin == min(a.overspeedMargin, b.overspeedMargin))
                #expect(s.stallTimeout == min(a.stallTimeout, b.stallTimeout))
                #expect(
                    s.depthFollowingErrorTolerance
                        == min(a.depthFollowingErrorTolerance, b.depthFollowingErrorTolerance))
                #expect(s.temperatureMax == min(a.temperatureMax, b.temperatureMax))
                #expect(s.continuousRunMax == min(a.continuousRunMax, b.continuousRunMax))
                #expect(s.sessionLengthMax == min(a.sessionLengthMax, b.sessionLengthMax))
                #expect(s.cartridgeUseMax == min(a.cartridgeUseMax, b.cartridgeUseMax))
                #expect(s.armTimeout == min(a.armTimeout, b.armTimeout))
                #expect(s.homingTimeout == min(a.homingTimeout, b.homingTimeout))
                #expect(s.tickOverrunsInARowMax == min(a.tickOverrunsInARowMax, b.tickOverrunsInARowMax))
                #expect(try s.stricter(a) == s, "idempotent: nothing stricter than both is loosened by either")
                #expect(try b.stricter(a) == s, "symmetric")
            } catch {
                Issue.record("valid limits refused: \(error)")
            }
        }
    }
}
