import NeedleCore
import NeedledConfig

/// The libFuzzer target over needled.toml: any text either gives a list of located errors or
/// a configuration whose limits hold together. It traps when parsing crashes, when an error has
/// no key or message, or when an accepted file's default speed lies outside its speed limits.
public enum ConfigFuzzTarget {
    public static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        do {
            let configuration = try ConfigurationLoader.parse(text, path: "fuzz.toml", groups: { _ in 4242 })
            let limits = configuration.pen.limits
            precondition(configuration.pen.defaultSpeed >= limits.speedMin, "default speed below the minimum")
            precondition(configuration.pen.defaultSpeed <= limits.speedMax, "default speed above the maximum")
            precondition(limits.depthMax <= HardwareCeilings.depthMax, "a depth limit past the hardware's")
        } catch {
            for found in error.errors {
                precondition(!found.key.isEmpty && !found.message.isEmpty, "an error without key or message")
                precondition(found.line >= 0, "an error on a negative line")
            }
            precondition(!error.errors.isEmpty, "a refused file without a reason")
        }
    }
}
