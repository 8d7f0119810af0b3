extension SafetyLimits {
    /// The limit as `needled.toml`'s `[limits]` key writes it: a whole number in the key's unit
    /// (`max-speed-hertz = 150`, `max-session-length-minutes = 60`), rounded towards zero. Nil for
    /// the limits without a key of their own (`areaMaxDepth` is a table, `minDepth` is the
    /// stage's surface). The configuration loader's defaults and the commented defaults in
    /// systemd/needled.toml and Docs/api.md come from here, so the core is their one source.
    public func configValue(_ name: LimitName) -> Int64? {
        switch name {
        case .maxDepth: Int64(depthMax.rawValue)
        case .areaMaxDepth, .minDepth: nil
        case .maxSpeed: Int64(speedMax.millihertz / 1000)
        case .minSpeed: Int64(speedMin.millihertz / 1000)
        case .speedRamp: Int64(speedRamp.millihertzPerSecond / 1000)
        case .overspeedMargin: Int64(overspeedMargin.millihertz / 1000)
        case .stallTimeout: stallTimeout.rawValue / Nanoseconds.milliseconds(1).rawValue
        case .depthFollowingErrorTolerance: Int64(depthFollowingErrorTolerance.rawValue)
        case .maxTemperature: Int64(temperatureMax.rawValue)
        case .maxContinuousRun: continuousRunMax.rawValue / Nanoseconds.seconds(1).rawValue
        case .maxSessionLength: sessionLengthMax.rawValue / Nanoseconds.minutes(1).rawValue
        case .maxCartridgeUse: cartridgeUseMax.rawValue / Nanoseconds.seconds(1).rawValue
        case .armTimeout: armTimeout.rawValue / Nanoseconds.seconds(1).rawValue
        case .homingTimeout: homingTimeout.rawValue / Nanoseconds.milliseconds(1).rawValue
        case .tickOverrunsInARow: Int64(tickOverrunsInARowMax)
        }
    }
}
