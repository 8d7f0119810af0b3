extension SafetyLimits {
    /// Each limit at the stricter of the two: the shallower depth, the narrower speed range, the
    /// gentler ramp, the shorter timeout. What a reload puts in force at once while the pen is in
    /// use, so that nothing is ever loosened mid-treatment. Throws when the two cannot be combined
    /// (speed ranges that do not overlap).
    public func stricter(_ other: SafetyLimits) throws(LimitsError) -> SafetyLimits {
        var areas = areaDepthMax
        for area in TreatmentArea.allCases { areas[area] = min(areas[area], other.areaDepthMax[area]) }
        return try SafetyLimits(
            depthMax: min(depthMax, other.depthMax), areaDepthMax: areas, speedMin: max(speedMin, other.speedMin),
            speedMax: min(speedMax, other.speedMax), speedRamp: min(speedRamp, other.speedRamp),
            overspeedMargin: min(overspeedMargin, other.overspeedMargin),
            stallTimeout: min(stallTimeout, other.stallTimeout),
            depthFollowingErrorTolerance: min(depthFollowingErrorTolerance, other.depthFollowingErrorTolerance),
            temperatureMax: min(temperatureMax, other.temperatureMax),
            continuousRunMax: min(continuousRunMax, other.continuousRunMax),
            sessionLengthMax: min(sessionLengthMax, other.sessionLengthMax),
            cartridgeUseMax: min(cartridgeUseMax, other.cartridgeUseMax), armTimeout: min(armTimeout, other.armTimeout),
            homingTimeout: min(homingTimeout, other.homingTimeout),
            tickOverrunsInARowMax: min(tickOverrunsInARowMax, other.tickOverrunsInARowMax))
    }
}
