import Testing

@testable import NeedleCore

/// Every validation at its limit and one unit beyond (issue 18): a depth at an area's limit is
/// accepted and a micrometre deeper refused, in every area, at `setDepth` and at the session's
/// open; the speed range at both ends; each configured limit at the ends of its allowed range.
@Suite("Validations at their boundaries")
struct ValidationBoundaryTests {
    @Test(
        "setDepth at every area's limit is accepted; a micrometre deeper, refused naming the area",
        arguments: TreatmentArea.allCases)
    func areaDepthAtSetDepth(area: TreatmentArea) throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(area))
        let areaMax = pen.supervisor.limits.effectiveDepthMax(in: area)
        try pen.supervisor.handle(.setDepth(areaMax))
        #expect(pen.supervisor.depthTarget == areaMax)
        let before = pen.supervisor
        #expect(throws: CommandRejection.self) {
            try pen.supervisor.handle(.setDepth(Micrometres(areaMax.rawValue + 1)))
        }
        #expect(pen.supervisor == before)
        do {
            try pen.supervisor.handle(.setDepth(Micrometres(areaMax.rawValue + 1)))
        } catch {
            guard case .limitExceeded(let violation) = error else { Issue.record("\(error)"); return }
            let global = areaMax == pen.supervisor.limits.depthMax
            #expect(violation.limit == (global ? .maxDepth : .areaMaxDepth))
            #expect(violation.area == (global ? nil : area))
            #expect(
                violation.quantity == .depth(requested: Micrometres(areaMax.rawValue + 1), allowed: .zero...areaMax))
        }
    }

    @Test("setDepth at 0 is accepted, at -1 µm refused as minDepth")
    func depthZero() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(.zero))
        #expect(
            throws: CommandRejection.limitExceeded(
                LimitViolation(
                    limit: .minDepth,
                    quantity: .depth(requested: Micrometres(-1), allowed: .zero...pen.supervisor.limits.depthMax)))
        ) {
            try pen.supervisor.handle(.setDepth(Micrometres(-1)))
        }
    }

    @Test(
        "A session opens with the depth target at the area's limit; a micrometre deeper and it is refused",
        arguments: TreatmentArea.allCases)
    func areaDepthAtOpen(area: TreatmentArea) throws {
        let areaMax = SafetyLimits.defaults.effectiveDepthMax(in: area)
        // A target a whole number of 5 µm steps: the one at the limit, and the next one.
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(areaMax))
        try pen.supervisor.handle(.openSession(area))
        #expect(pen.supervisor.session?.area == area)

        guard areaMax < pen.supervisor.limits.depthMax else { return }
        var deeper = TestPen()
        try deeper.homeToReady()
        try deeper.supervisor.handle(.setDepth(Micrometres(areaMax.rawValue + 5)))
        let before = deeper.supervisor
        #expect(
            throws: CommandRejection.limitExceeded(
                LimitViolation(
                    limit: .areaMaxDepth,
                    quantity: .depth(requested: Micrometres(areaMax.rawValue + 5), allowed: .zero...areaMax),
                    area: area))
        ) { try deeper.supervisor.handle(.openSession(area)) }
        #expect(deeper.supervisor == before)
    }

    @Test("The measured depth counts at the open too: a stage deeper than the area's limit refuses it")
    func measuredDepthAtOpen() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.setDepth(Micrometres(800)))
        for _ in 0..<5000 where pen.supervisor.depth != Micrometres(800) { pen.tick() }
        try pen.supervisor.handle(.setDepth(.zero))
        // The target is home again, the needles still out at 0.80 mm: not for the forehead (0.50).
        #expect(throws: CommandRejection.self) { try pen.supervisor.handle(.openSession(.forehead)) }
    }

    @Test("The speed range: its ends accepted, a millihertz past either refused with the limit's name")
    func speedRange() throws {
        var pen = TestPen()
        try pen.homeToReady()
        let limits = pen.supervisor.limits
        let allowed = limits.speedMin...limits.speedMax
        try pen.supervisor.handle(.setSpeed(limits.speedMin))
        #expect(pen.supervisor.speedTarget == limits.speedMin)
        try pen.supervisor.handle(.setSpeed(limits.speedMax))
        #expect(pen.supervisor.speedTarget == limits.speedMax)
        let below = limits.speedMin - Hertz(millihertz: 1)
        let above = limits.speedMax + Hertz(millihertz: 1)
        #expect(
            throws: CommandRejection.limitExceeded(
                LimitViolation(limit: .minSpeed, quantity: .speed(requested: below, allowed: allowed)))
        ) {
            try pen.supervisor.handle(.setSpeed(below))
        }
        #expect(
            throws: CommandRejection.limitExceeded(
                LimitViolation(limit: .maxSpeed, quantity: .speed(requested: above, allowed: allowed)))
        ) {
            try pen.supervisor.handle(.setSpeed(above))
        }
        #expect(pen.supervisor.speedTarget == limits.speedMax)
    }

    @Test("Arming checks the targets against the limits in force (a reload may have lowered them)")
    func armRechecksTargets() throws {
        var pen = TestPen()
        try pen.homeToReady()
        try pen.supervisor.handle(.openSession(.cheeks))
        try pen.supervisor.handle(.setSpeed(Hertz(120)))
        try pen.supervisor.handle(.setDepth(Micrometres(600)))
        pen.supervisor.reloadLimits(try SafetyLimits(speedMax: Hertz(119)))
        #expect(throws: CommandRejection.self) { try pen.supervisor.handle(.arm) }
        #expect(pen.supervisor.phase == .ready)
        var deep = TestPen()
        try deep.homeToReady()
        try deep.supervisor.handle(.openSession(.cheeks))
        try deep.supervisor.handle(.setDepth(Micrometres(600)))
        deep.supervisor.reloadLimits(try SafetyLimits(depthMax: Micrometres(595)))
        #expect(throws: CommandRejection.self) { try deep.supervisor.handle(.arm) }
    }

    /// Each configured limit at the ends of its allowed range, and one unit outside.
    struct Range: Sendable, CustomStringConvertible {
        let limit: LimitName
        let low: Int64
        let high: Int64
        let make: @Sendable (Int64) throws(LimitsError) -> SafetyLimits
        var description: String { limit.rawValue }
    }

    static let ranges: [Range] = [
        Range(limit: .maxDepth, low: 0, high: 3000) { v throws(LimitsError) in
            try SafetyLimits(depthMax: Micrometres(Int32(v)))
        },
        Range(limit: .maxSpeed, low: 1000, high: Int64(HardwareCeilings.speedMax.millihertz)) { v throws(LimitsError) in
            try SafetyLimits(speedMin: Hertz(1), speedMax: Hertz(millihertz: Int32(v)))
        },
        Range(limit: .minSpeed, low: 1000, high: 150_000) { v throws(LimitsError) in
            try SafetyLimits(speedMin: Hertz(millihertz: Int32(v)))
        },
        Range(limit: .speedRamp, low: 10_000, high: 10_000_000) { v throws(LimitsError) in
            try SafetyLimits(speedRamp: HertzPerSecond(millihertzPerSecond: Int32(v)))
        },
        Range(limit: .overspeedMargin, low: 1000, high: 30_000) { v throws(LimitsError) in
            try SafetyLimits(overspeedMargin: Hertz(millihertz: Int32(v)))
        },
        Range(limit: .stallTimeout, low: 20_000_000, high: 2_000_000_000) { v throws(LimitsError) in
            try SafetyLimits(stallTimeout: Nanoseconds(v))
        },
        Range(limit: .depthFollowingErrorTolerance, low: 1, high: 200) { v throws(LimitsError) in
            try SafetyLimits(depthFollowingErrorTolerance: Micrometres(Int32(v)))
        },
        Range(limit: .maxTemperature, low: 20_000, high: Int64(HardwareCeilings.temperatureMax.rawValue)) {
            v throws(LimitsError) in
            try SafetyLimits(temperatureMax: MilliCelsius(Int32(v)))
        },
        Range(
            limit: .maxSessionLength, low: Nanoseconds.minutes(1).rawValue,
            high: HardwareCeilings.sessionLengthMax.rawValue
        ) { v throws(LimitsError) in
            try SafetyLimits(continuousRunMax: .seconds(1), sessionLengthMax: Nanoseconds(v))
        },
        Range(limit: .maxContinuousRun, low: 1_000_000_000, high: Nanoseconds.minutes(60).rawValue) {
            v throws(LimitsError) in
            try SafetyLimits(continuousRunMax: Nanoseconds(v))
        },
        Range(limit: .maxCartridgeUse, low: 10_000_000_000, high: HardwareCeilings.sessionLengthMax.rawValue) {
            v throws(LimitsError) in
            try SafetyLimits(cartridgeUseMax: Nanoseconds(v))
        },
        Range(limit: .armTimeout, low: 1_000_000_000, high: Nanoseconds.minutes(5).rawValue) { v throws(LimitsError) in
            try SafetyLimits(armTimeout: Nanoseconds(v))
        },
        Range(limit: .homingTimeout, low: 100_000_000, high: 60_000_000_000) { v throws(LimitsError) in
            try SafetyLimits(homingTimeout: Nanoseconds(v))
        },
        Range(limit: .tickOverrunsInARow, low: 1, high: 1000) { v throws(LimitsError) in
            try SafetyLimits(tickOverrunsInARowMax: Int32(v))
        },
    ]

    @Test(
        "Each limit's allowed range: both ends accepted, one unit outside either refused naming the limit",
        arguments: ranges)
    func limitRanges(range: Range) throws {
        _ = try range.make(range.low)
        _ = try range.make(range.high)
        for outside in [range.low - 1, range.high + 1] {
            #expect(throws: LimitsError.self, "\(range.limit) = \(outside)") { _ = try range.make(outside) }
            do {
                _ = try range.make(outside)
            } catch {
                #expect(error.limit == range.limit, "\(outside)")
            }
        }
    }

    @Test("An area's limit may equal the maximum depth, never exceed it, never be below zero")
    func areaLimitRange() throws {
        var areas = AreaDepthLimits(uniform: Micrometres(1000))
        _ = try SafetyLimits(depthMax: Micrometres(1000), areaDepthMax: areas)
        areas[.neck] = Micrometres(1001)
        #expect(throws: LimitsError.self) { _ = try SafetyLimits(depthMax: Micrometres(1000), areaDepthMax: areas) }
        areas[.neck] = Micrometres(-1)
        #expect(throws: LimitsError.self) { _ = try SafetyLimits(depthMax: Micrometres(1000), areaDepthMax: areas) }
        areas[.neck] = .zero
        _ = try SafetyLimits(depthMax: Micrometres(1000), areaDepthMax: areas)
    }

    @Test(
        "The published chart, capped: each area's default is the chart's value or the maximum depth, whichever is less")
    func publishedDefaultsCapped() throws {
        for cap in [Micrometres(0), Micrometres(250), Micrometres(600), Micrometres(1500), Micrometres(3000)] {
            let limits = try SafetyLimits(depthMax: cap)
            for area in TreatmentArea.allCases {
                #expect(limits.areaDepthMax[area] == min(area.publishedDefaultDepthMax, cap), "\(area) at \(cap)")
                #expect(limits.effectiveDepthMax(in: area) == min(area.publishedDefaultDepthMax, cap))
            }
            #expect(limits.effectiveDepthMax(in: nil) == cap)
        }
    }

    @Test("The effective depth limit is the lesser of the area's and the global one, whichever is lower")
    func effectiveDepthMax() throws {
        var areas = AreaDepthLimits(uniform: Micrometres(900))
        areas[.cheeks] = Micrometres(400)
        let limits = try SafetyLimits(depthMax: Micrometres(900), areaDepthMax: areas)
        #expect(limits.effectiveDepthMax(in: .cheeks) == Micrometres(400))
        #expect(limits.effectiveDepthMax(in: .neck) == Micrometres(900))
        #expect(limits.effectiveDepthMax(in: nil) == Micrometres(900))
        #expect(areas != AreaDepthLimits(uniform: Micrometres(900)))
        areas[.cheeks] = Micrometres(900)
        #expect(areas == AreaDepthLimits(uniform: Micrometres(900)))
    }
}
