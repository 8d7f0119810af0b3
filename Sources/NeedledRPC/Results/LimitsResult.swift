public import NeedleCore

/// The safety limits in force as the API shows them (`daemon.info`'s `limits`, and what a session
/// records when it opens): the core's `SafetyLimits` in the units an operator reads.
public struct LimitsResult: MethodResult, Equatable {
    public var depthMax: Micrometres
    public var speedMin: Hertz
    public var speedMax: Hertz
    public var speedRampHertzPerSecond: Int64
    public var overspeedMargin: Hertz
    public var stallTimeoutMilliseconds: Int64
    public var depthFollowingErrorTolerance: Micrometres
    public var temperatureMax: MilliCelsius
    public var continuousRunMaxSeconds: Int64
    public var sessionLengthMaxMinutes: Int64
    public var cartridgeUseMaxSeconds: Int64
    public var armTimeoutSeconds: Int64
    public var homingTimeoutMilliseconds: Int64
    public var tickOverrunsInARow: Int64

    public init(_ limits: SafetyLimits) {
        depthMax = limits.depthMax
        speedMin = limits.speedMin
        speedMax = limits.speedMax
        speedRampHertzPerSecond = Int64(limits.speedRamp.millihertzPerSecond / 1000)
        overspeedMargin = limits.overspeedMargin
        stallTimeoutMilliseconds = limits.stallTimeout.wholeMilliseconds
        depthFollowingErrorTolerance = limits.depthFollowingErrorTolerance
        temperatureMax = limits.temperatureMax
        continuousRunMaxSeconds = limits.continuousRunMax.wholeMilliseconds / 1000
        sessionLengthMaxMinutes = limits.sessionLengthMax.wholeMilliseconds / 60_000
        cartridgeUseMaxSeconds = limits.cartridgeUseMax.wholeMilliseconds / 1000
        armTimeoutSeconds = limits.armTimeout.wholeMilliseconds / 1000
        homingTimeoutMilliseconds = limits.homingTimeout.wholeMilliseconds
        tickOverrunsInARow = Int64(limits.tickOverrunsInARowMax)
    }

    public var json: JSONValue {
        .object([
            ("maxDepthMicrometres", .int(Int64(depthMax.rawValue))),
            ("minSpeedHertz", speedMin.json),
            ("maxSpeedHertz", speedMax.json),
            ("speedRampHertzPerSecond", .int(speedRampHertzPerSecond)),
            ("overspeedMarginHertz", overspeedMargin.json),
            ("stallTimeoutMilliseconds", .int(stallTimeoutMilliseconds)),
            ("depthFollowingErrorToleranceMicrometres", .int(Int64(depthFollowingErrorTolerance.rawValue))),
            ("maxTemperatureMillicelsius", .int(Int64(temperatureMax.rawValue))),
            ("maxContinuousRunSeconds", .int(continuousRunMaxSeconds)),
            ("maxSessionLengthMinutes", .int(sessionLengthMaxMinutes)),
            ("maxCartridgeUseSeconds", .int(cartridgeUseMaxSeconds)),
            ("armTimeoutSeconds", .int(armTimeoutSeconds)),
            ("homingTimeoutMilliseconds", .int(homingTimeoutMilliseconds)),
            ("tickOverrunsInARow", .int(tickOverrunsInARow)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        depthMax = Micrometres(try result.integer32("maxDepthMicrometres"))
        speedMin = try result.hertz("minSpeedHertz")
        speedMax = try result.hertz("maxSpeedHertz")
        speedRampHertzPerSecond = try result.integer("speedRampHertzPerSecond")
        overspeedMargin = try result.hertz("overspeedMarginHertz")
        stallTimeoutMilliseconds = try result.integer("stallTimeoutMilliseconds")
        depthFollowingErrorTolerance = Micrometres(try result.integer32("depthFollowingErrorToleranceMicrometres"))
        temperatureMax = MilliCelsius(try result.integer32("maxTemperatureMillicelsius"))
        continuousRunMaxSeconds = try result.integer("maxContinuousRunSeconds")
        sessionLengthMaxMinutes = try result.integer("maxSessionLengthMinutes")
        cartridgeUseMaxSeconds = try result.integer("maxCartridgeUseSeconds")
        armTimeoutSeconds = try result.integer("armTimeoutSeconds")
        homingTimeoutMilliseconds = try result.integer("homingTimeoutMilliseconds")
        tickOverrunsInARow = try result.integer("tickOverrunsInARow")
    }
}
