import NeedleCore
import NeedledConfig
import Testing

/// The configuration loader's `[limits]` against the core (issue 19, item 5): the core's
/// defaults are the running daemon's when nothing is written, and each key sets its limit in the
/// key's unit.
@Suite("The configuration's limits")
struct ConfigurationLimitsTests {
    static func parse(_ text: String) throws -> DaemonConfiguration {
        try ConfigurationLoader.parse(text, path: "needled.toml", groups: { _ in nil })
    }

    @Test("Without [limits], or with an empty one, the limits are SafetyLimits.defaults")
    func defaultsAreTheCores() throws {
        #expect(try Self.parse("").pen.limits == SafetyLimits.defaults)
        #expect(try Self.parse("[limits]\n").pen.limits == SafetyLimits.defaults)
    }

    @Test("Each key alone sets its limit, in its unit: one below the default reads back one below")
    func eachKey() throws {
        for name in LimitName.allCases {
            guard let fallback = SafetyLimits.defaults.configValue(name) else { continue }
            let written = fallback - 1
            let limits = try Self.parse("[limits]\n\(name.configKey) = \(written)\n").pen.limits
            #expect(limits.configValue(name) == written, "\(name.configKey) = \(written)")
        }
    }
}
