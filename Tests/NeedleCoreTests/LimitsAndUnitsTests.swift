import NeedleCore
import Testing

@Suite("Limits and units")
struct LimitsAndUnitsTests {
    @Test("Defaults: 1.5 mm, 25–150 Hz, 60 min sessions, 30 s arm timeout")
    func defaults() {
        let limits = SafetyLimits.defaults
        #expect(limits.depthMax == Micrometres(1500))
        #expect(limits.speedMax == Hertz(150))
        #expect(limits.sessionLengthMax == .minutes(60))
        #expect(limits.armTimeout == .seconds(30))
        for area in TreatmentArea.allCases {
            #expect(limits.areaDepthMax[area] <= limits.depthMax)
        }
        #expect(limits.areaDepthMax[.periorbital] == Micrometres(250))
    }

    @Test("Configuration can lower the ceilings but never raise them")
    func ceilings() {
        #expect(
            throws: LimitsError(limit: .maxDepth, message: "3.10 mm is outside the allowed range 0.00 mm to 3.00 mm.")
        ) {
            try SafetyLimits(depthMax: Micrometres(3100))
        }
        #expect(throws: LimitsError(limit: .maxSpeed, message: "151 Hz is outside the allowed range 1 Hz to 150 Hz.")) {
            try SafetyLimits(speedMax: Hertz(151))
        }
        #expect(
            throws: LimitsError(
                limit: .maxTemperature, message: "50.0 °C is outside the allowed range 20.0 °C to 48.0 °C.")
        ) {
            try SafetyLimits(temperatureMax: .degrees(50))
        }
    }

    @Test("An area limit above the global maximum is refused, naming the area")
    func areaAboveGlobal() {
        var areas = AreaDepthLimits.publishedDefaults(cappedAt: Micrometres(1500))
        areas[.scars] = Micrometres(2000)
        #expect(
            throws: LimitsError(
                limit: .areaMaxDepth,
                message: "The scars limit of 2.00 mm must be between 0.00 mm and the maximum depth of 1.50 mm.",
                area: .scars)
        ) {
            try SafetyLimits(areaDepthMax: areas)
        }
    }

    @Test("Lowering the global maximum caps the published area defaults")
    func areaDefaultsCapped() throws {
        let limits = try SafetyLimits(depthMax: Micrometres(600))
        #expect(limits.areaDepthMax[.cheeks] == Micrometres(600))
        #expect(limits.areaDepthMax[.nose] == Micrometres(250))
        #expect(limits.effectiveDepthMax(in: .stretchMarks) == Micrometres(600))
        #expect(limits.effectiveDepthMax(in: nil) == Micrometres(600))
    }

    @Test(
        "Every limit names its range",
        arguments: [
            { try SafetyLimits(speedMin: Hertz(0)) },
            { try SafetyLimits(speedRamp: HertzPerSecond(1)) },
            { try SafetyLimits(overspeedMargin: Hertz(50)) },
            { try SafetyLimits(stallTimeout: .milliseconds(5)) },
            { try SafetyLimits(depthFollowingErrorTolerance: Micrometres(0)) },
            { try SafetyLimits(continuousRunMax: .minutes(90)) },
            { try SafetyLimits(sessionLengthMax: .minutes(121)) },
            { try SafetyLimits(armTimeout: .minutes(10)) },
            { try SafetyLimits(homingTimeout: .milliseconds(10)) },
            { try SafetyLimits(tickOverrunsInARowMax: 0) },
        ] as [@Sendable () throws -> SafetyLimits])
    func rangeMessages(make: @Sendable () throws -> SafetyLimits) {
        do {
            _ = try make()
            Issue.record("accepted an out-of-range limit")
        } catch let error as LimitsError {
            #expect(error.message.contains("is outside the allowed range"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("Units print the way a technician reads them")
    func descriptions() {
        #expect(Micrometres(1500).description == "1.50 mm")
        #expect(Micrometres(250).description == "0.25 mm")
        // Hundredths of a millimetre would hide these (the catalogue found "-0.00 mm" for -5 µm).
        #expect(Micrometres(-5).description == "-0.005 mm")
        #expect(Micrometres(1).description == "0.001 mm")
        #expect(Micrometres(1025).description == "1.025 mm")
        #expect(Micrometres(0).description == "0.00 mm")
        #expect(Nanoseconds(0).description == "0 s")
        #expect(Hertz(120).description == "120 Hz")
        #expect(Hertz(millihertz: 120_500).description == "120.5 Hz")
        #expect(Hertz(millihertz: 7).description == "0.007 Hz")
        #expect(Nanoseconds.minutes(60).description == "60 min")
        #expect(Nanoseconds.milliseconds(150).description == "150 ms")
        #expect(MilliCelsius.degrees(43).description == "43.0 °C")
        #expect(Duty(partsPerMillion: 123_456)?.description == "12.3%")
    }

    @Test("A duty outside 0…100 % does not exist")
    func dutyRange() {
        #expect(Duty(partsPerMillion: -1) == nil)
        #expect(Duty(partsPerMillion: 1_000_001) == nil)
        #expect(Duty(partsPerMillion: 500_000)?.onTime(ofPeriod: .microseconds(50)) == .microseconds(25))
    }
}
