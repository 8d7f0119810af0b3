/// Every limit the supervisor enforces, validated once at construction. A `SafetyLimits` value
/// that exists is within the hardware ceilings and self-consistent; the tick never re-validates.
///
/// Defaults and their sources are in Docs/safety.md.
public struct SafetyLimits: Sendable, Equatable {
    /// The deepest any session may go (default 1.5 mm: the deepest setting the FDA evaluated for
    /// the first cleared pen, DEN160029).
    public let depthMax: Micrometres
    /// Per-area maxima, none above `depthMax`.
    public let areaDepthMax: AreaDepthLimits
    /// The stroke-rate range a target may be set in.
    public let speedMin: Hertz
    public let speedMax: Hertz
    /// How fast the speed setpoint may change: the soft start and the ramp-down use it.
    public let speedRamp: HertzPerSecond
    /// How far the measured speed may run above the (ramped) setpoint before `overspeed`.
    public let overspeedMargin: Hertz
    /// How long the motor may turn slower than half its setpoint before `stall`.
    public let stallTimeout: Nanoseconds
    /// How far the step count may disagree with the home switch before `depthFollowingError`.
    public let depthFollowingErrorTolerance: Micrometres
    public let temperatureMax: MilliCelsius
    /// The longest the motor may run without a stop before `runTimeExceeded`.
    public let continuousRunMax: Nanoseconds
    /// The longest a session may stay open before `sessionTimeExceeded`.
    public let sessionLengthMax: Nanoseconds
    /// The longest one cartridge may drive needles (motor running, summed over its session)
    /// before `cartridgeUseTimeExceeded`: needles dull and bend with use (default 30 minutes).
    public let cartridgeUseMax: Nanoseconds
    /// An armed pen that is not started within this time disarms by itself.
    public let armTimeout: Nanoseconds
    /// Homing that has not found the home switch within this time latches `homingTimeout`.
    public let homingTimeout: Nanoseconds
    /// This many late ticks in a row latch `tickOverrun`.
    public let tickOverrunsInARowMax: Int32

    public static let defaults = try! SafetyLimits()

    public init(
        depthMax: Micrometres = Micrometres(1500),
        areaDepthMax: AreaDepthLimits? = nil,
        speedMin: Hertz = Hertz(25),
        speedMax: Hertz = Hertz(150),
        speedRamp: HertzPerSecond = HertzPerSecond(1000),
        overspeedMargin: Hertz = Hertz(10),
        stallTimeout: Nanoseconds = .milliseconds(150),
        depthFollowingErrorTolerance: Micrometres = Micrometres(10),
        temperatureMax: MilliCelsius = .degrees(43),
        continuousRunMax: Nanoseconds = .minutes(15),
        sessionLengthMax: Nanoseconds = .minutes(60),
        cartridgeUseMax: Nanoseconds = .minutes(30),
        armTimeout: Nanoseconds = .seconds(30),
        homingTimeout: Nanoseconds = .seconds(5),
        tickOverrunsInARowMax: Int32 = 5
    ) throws(LimitsError) {
        try Self.check(
            .maxDepth, depthMax.rawValue, within: 0...HardwareCeilings.depthMax.rawValue,
            shown: { "\(Micrometres(Int32($0)))" })
        let areas = areaDepthMax ?? .publishedDefaults(cappedAt: depthMax)
        for area in TreatmentArea.allCases {
            let value = areas[area]
            guard value >= .zero, value <= depthMax else {
                throw LimitsError(
                    limit: .areaMaxDepth,
                    message:
                        "The \(area) limit of \(value) must be between 0.00 mm and the maximum depth of \(depthMax).",
                    area: area)
            }
        }
        try Self.check(
            .maxSpeed, speedMax.millihertz, within: 1000...HardwareCeilings.speedMax.millihertz,
            shown: { "\(Hertz(millihertz: Int32($0)))" })
        try Self.check(
            .minSpeed, speedMin.millihertz, within: 1000...speedMax.millihertz,
            shown: { "\(Hertz(millihertz: Int32($0)))" })
        try Self.check(
            .speedRamp, speedRamp.millihertzPerSecond, within: 10_000...10_000_000,
            shown: { "\(HertzPerSecond(millihertzPerSecond: Int32($0)))" })
        try Self.check(
            .overspeedMargin, overspeedMargin.millihertz, within: 1000...30_000,
            shown: { "\(Hertz(millihertz: Int32($0)))" })
        try Self.check(
            .stallTimeout, stallTimeout.rawValue,
            within: Nanoseconds.milliseconds(20).rawValue...Nanoseconds.seconds(2).rawValue,
            shown: { "\(Nanoseconds($0))" })
        try Self.check(
            .depthFollowingErrorTolerance, depthFollowingErrorTolerance.rawValue, within: 1...200,
            shown: { "\(Micrometres(Int32($0)))" })
        try Self.check(
            .maxTemperature, temperatureMax.rawValue,
            within: MilliCelsius.degrees(20).rawValue...HardwareCeilings.temperatureMax.rawValue,
            shown: { "\(MilliCelsius(Int32($0)))" })
        // A limit that bounds another is checked first: the continuous run's range ends at the
        // session length, and a range whose end lies below its start traps (fuzz-config found
        // `max-session-length-minutes = 0` killing the daemon, so a reload could have).
        try Self.check(
            .maxSessionLength, sessionLengthMax.rawValue,
            within: Nanoseconds.minutes(1).rawValue...HardwareCeilings.sessionLengthMax.rawValue,
            shown: { "\(Nanoseconds($0))" })
        try Self.check(
            .maxContinuousRun, continuousRunMax.rawValue,
            within: Nanoseconds.seconds(1).rawValue...sessionLengthMax.rawValue,
            shown: { "\(Nanoseconds($0))" })
        try Self.check(
            .maxCartridgeUse, cartridgeUseMax.rawValue,
            within: Nanoseconds.seconds(10).rawValue...HardwareCeilings.sessionLengthMax.rawValue,
            shown: { "\(Nanoseconds($0))" })
        try Self.check(
            .armTimeout, armTimeout.rawValue,
            within: Nanoseconds.seconds(1).rawValue...Nanoseconds.minutes(5).rawValue,
            shown: { "\(Nanoseconds($0))" })
        try Self.check(
            .homingTimeout, homingTimeout.rawValue,
            within: Nanoseconds.milliseconds(100).rawValue...Nanoseconds.seconds(60).rawValue,
            shown: { "\(Nanoseconds($0))" })
        try Self.check(.tickOverrunsInARow, tickOverrunsInARowMax, within: 1...1000, shown: { "\($0)" })

        self.depthMax = depthMax
        self.areaDepthMax = areas
        self.speedMin = speedMin
        self.speedMax = speedMax
        self.speedRamp = speedRamp
        self.overspeedMargin = overspeedMargin
        self.stallTimeout = stallTimeout
        self.depthFollowingErrorTolerance = depthFollowingErrorTolerance
        self.temperatureMax = temperatureMax
        self.continuousRunMax = continuousRunMax
        self.sessionLengthMax = sessionLengthMax
        self.cartridgeUseMax = cartridgeUseMax
        self.armTimeout = armTimeout
        self.homingTimeout = homingTimeout
        self.tickOverrunsInARowMax = tickOverrunsInARowMax
    }

    /// The deepest a target may be set with `area`'s session open (or with none open).
    public func effectiveDepthMax(in area: TreatmentArea?) -> Micrometres {
        guard let area else { return depthMax }
        return min(areaDepthMax[area], depthMax)
    }

    private static func check<Value: BinaryInteger>(
        _ limit: LimitName, _ value: Value, within allowed: ClosedRange<Value>, shown: (Int64) -> String
    ) throws(LimitsError) {
        guard allowed.contains(value) else {
            throw LimitsError(
                limit: limit,
                message: "\(shown(Int64(value))) is outside the allowed range \(shown(Int64(allowed.lowerBound)))"
                    + " to \(shown(Int64(allowed.upperBound))).")
        }
    }
}

/// A limit that could not be configured: which one, and a sentence saying why.
public struct LimitsError: Error, Equatable, Sendable, CustomStringConvertible {
    public let limit: LimitName
    public let message: String
    public let area: TreatmentArea?

    public init(limit: LimitName, message: String, area: TreatmentArea? = nil) {
        self.limit = limit
        self.message = message
        self.area = area
    }

    public var description: String { "\(limit.rawValue): \(message)" }
}
