/// The name of one limit, as the API reports it in an error's `data.limit` and as Docs list it.
/// A public contract: add names, never rename one.
public enum LimitName: String, Sendable, Hashable, CaseIterable {
    case maxDepth
    case areaMaxDepth
    case minDepth
    case maxSpeed
    case minSpeed
    case speedRamp
    case overspeedMargin
    case stallTimeout
    case depthFollowingErrorTolerance
    case maxTemperature
    case maxContinuousRun
    case maxSessionLength
    case maxCartridgeUse
    case armTimeout
    case homingTimeout
    case tickOverrunsInARow

    /// The key in the `[limits]` table of needled.toml.
    public var configKey: String {
        switch self {
        case .maxDepth: "max-depth-micrometres"
        case .areaMaxDepth: "area-max-depth-micrometres"
        case .minDepth: "min-depth-micrometres"
        case .maxSpeed: "max-speed-hertz"
        case .minSpeed: "min-speed-hertz"
        case .speedRamp: "speed-ramp-hertz-per-second"
        case .overspeedMargin: "overspeed-margin-hertz"
        case .stallTimeout: "stall-timeout-milliseconds"
        case .depthFollowingErrorTolerance: "depth-following-error-tolerance-micrometres"
        case .maxTemperature: "max-temperature-millicelsius"
        case .maxContinuousRun: "max-continuous-run-seconds"
        case .maxSessionLength: "max-session-length-minutes"
        case .maxCartridgeUse: "max-cartridge-use-seconds"
        case .armTimeout: "arm-timeout-seconds"
        case .homingTimeout: "homing-timeout-milliseconds"
        case .tickOverrunsInARow: "tick-overruns-in-a-row"
        }
    }
}
