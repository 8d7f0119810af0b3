import Foundation
import Testing

@testable import NeedleCore

/// Docs/safety.md's tables of default limits are the defaults in force (issue 18): a default
/// changed in the code, or in the page alone, fails here, so the page a clinic reads to choose
/// its limits cannot drift from what the pen enforces when nothing is configured.
@Suite("The documented default limits")
struct DocumentedDefaultsTests {
    static func safetyPage() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("Docs/safety.md"), encoding: .utf8)
    }

    /// The rows of the table under `heading`: first cell → second cell.
    static func table(_ text: String, after heading: String) -> [String: String] {
        guard let start = text.range(of: heading) else { return [:] }
        var rows: [String: String] = [:]
        var seenTable = false
        for line in text[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("|") else {
                if seenTable { break }
                continue
            }
            seenTable = true
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, !cells[0].hasPrefix("---") else { continue }
            rows[cells[0].replacingOccurrences(of: "`", with: "")] = cells[1]
        }
        return rows
    }

    /// "1.5 mm" → 1500 (µm), "150 ms" → 150,000,000 (ns), "43 °C" → 43,000 (m°C), …
    static func value(_ text: Substring) -> Int64? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard let number = parts.first.flatMap({ Double($0) }) else { return nil }
        let unit = parts.count > 1 ? String(parts[1]) : ""
        let scale: Double =
            switch unit {
            case "mm": 1000
            case "µm": 1
            case "Hz", "Hz/s", "°C": 1000
            case "ms": 1e6
            case "s": 1e9
            case "min": 60e9
            case "": 1
            default: .nan
            }
        return scale.isNaN ? nil : Int64((number * scale).rounded())
    }

    @Test("Every limit's default in Docs/safety.md is SafetyLimits.defaults'")
    func limits() throws {
        let rows = Self.table(try Self.safetyPage(), after: "## Default limits and their sources")
        let d = SafetyLimits.defaults
        let speeds = (rows["minSpeed / maxSpeed"] ?? "").split(separator: "/")
        let expected: [(String, Int64?, Int64)] = [
            ("maxDepth", rows["maxDepth"].flatMap { Self.value(Substring($0)) }, Int64(d.depthMax.rawValue)),
            ("minSpeed", speeds.first.flatMap { Self.value($0 + " Hz") }, Int64(d.speedMin.millihertz)),
            ("maxSpeed", speeds.last.flatMap { Self.value($0) }, Int64(d.speedMax.millihertz)),
            (
                "speedRamp", rows["speedRamp"].flatMap { Self.value(Substring($0)) },
                Int64(d.speedRamp.millihertzPerSecond)
            ),
            (
                "overspeedMargin", rows["overspeedMargin"].flatMap { Self.value(Substring($0)) },
                Int64(d.overspeedMargin.millihertz)
            ),
            ("stallTimeout", rows["stallTimeout"].flatMap { Self.value(Substring($0)) }, d.stallTimeout.rawValue),
            (
                "depthFollowingErrorTolerance",
                rows["depthFollowingErrorTolerance"].flatMap { Self.value(Substring($0.prefix { $0 != "(" })) },
                Int64(d.depthFollowingErrorTolerance.rawValue)
            ),
            (
                "maxTemperature", rows["maxTemperature"].flatMap { Self.value(Substring($0)) },
                Int64(d.temperatureMax.rawValue)
            ),
            (
                "maxContinuousRun", rows["maxContinuousRun"].flatMap { Self.value(Substring($0)) },
                d.continuousRunMax.rawValue
            ),
            (
                "maxSessionLength", rows["maxSessionLength"].flatMap { Self.value(Substring($0)) },
                d.sessionLengthMax.rawValue
            ),
            (
                "maxCartridgeUse", rows["maxCartridgeUse"].flatMap { Self.value(Substring($0)) },
                d.cartridgeUseMax.rawValue
            ),
            ("armTimeout", rows["armTimeout"].flatMap { Self.value(Substring($0)) }, d.armTimeout.rawValue),
            ("homingTimeout", rows["homingTimeout"].flatMap { Self.value(Substring($0)) }, d.homingTimeout.rawValue),
            (
                "tickOverrunsInARow", rows["tickOverrunsInARow"].flatMap { Self.value(Substring($0)) },
                Int64(d.tickOverrunsInARowMax)
            ),
        ]
        for (name, documented, inForce) in expected {
            #expect(
                documented == inForce,
                "\(name): Docs/safety.md says \(documented.map(String.init) ?? "nothing"), the code \(inForce)")
        }
    }

    @Test("Every area's default depth in Docs/safety.md is the chart's value in force")
    func areas() throws {
        let rows = Self.table(try Self.safetyPage(), after: "### Depth by treatment area")
        let names: [TreatmentArea: String] = [
            .forehead: "forehead", .periorbital: "periorbital", .nose: "nose", .cheeks: "cheeks", .perioral: "perioral",
            .neck: "neck", .decolletage: "décolletage", .scalp: "scalp", .scars: "scars",
            .stretchMarks: "stretch marks",
        ]
        for area in TreatmentArea.allCases {
            let documented = rows[names[area] ?? ""].flatMap { Self.value(Substring($0)) }
            #expect(documented == Int64(SafetyLimits.defaults.areaDepthMax[area].rawValue), "\(area)")
        }
    }

    /// `key = value` under `[limits]` in a TOML text (commented out or not), up to the next table.
    static func limitsKeys(_ text: String) -> [String: Int64] {
        var values: [String: Int64] = [:]
        var inLimits = false
        for line in text.split(separator: "\n") {
            var content = line.trimmingCharacters(in: .whitespaces)
            if content.hasPrefix("#") { content = String(content.dropFirst()).trimmingCharacters(in: .whitespaces) }
            if content.hasPrefix("[") {
                inLimits = content.hasPrefix("[limits]")
                continue
            }
            guard inLimits else { continue }
            let code = content.split(separator: "#", maxSplits: 1).first.map(String.init) ?? ""
            let parts = code.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let value = Int64(parts[1]) { values[parts[0]] = value }
        }
        return values
    }

    @Test(
        "The commented defaults in systemd/needled.toml and Docs/api.md's [limits] are the core's, key for key",
        arguments: ["systemd/needled.toml", "Docs/api.md"])
    func configurationFiles(_ file: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let written = Self.limitsKeys(try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8))
        for name in LimitName.allCases {
            guard let inForce = SafetyLimits.defaults.configValue(name) else { continue }
            #expect(
                written[name.configKey] == inForce,
                "\(file): \(name.configKey) = \(written[name.configKey].map(String.init) ?? "missing"), the core's \(inForce)"
            )
        }
        #expect(
            Set(written.keys)
                == Set(LimitName.allCases.filter { SafetyLimits.defaults.configValue($0) != nil }.map(\.configKey)),
            "\(file): keys \(written.keys.sorted())")
    }

    @Test("A limit's config value is the limit in its key's unit, for every limit with a key")
    func configValues() throws {
        let limits = try SafetyLimits(
            depthMax: Micrometres(1200), speedMin: Hertz(30), speedMax: Hertz(140), speedRamp: HertzPerSecond(800),
            overspeedMargin: Hertz(12), stallTimeout: .milliseconds(200), depthFollowingErrorTolerance: Micrometres(20),
            temperatureMax: MilliCelsius(42_500), continuousRunMax: .seconds(600), sessionLengthMax: .minutes(45),
            cartridgeUseMax: .seconds(1200), armTimeout: .seconds(20), homingTimeout: .milliseconds(4000),
            tickOverrunsInARowMax: 7)
        let expected: [LimitName: Int64?] = [
            .maxDepth: 1200, .areaMaxDepth: nil, .minDepth: nil, .maxSpeed: 140, .minSpeed: 30, .speedRamp: 800,
            .overspeedMargin: 12, .stallTimeout: 200, .depthFollowingErrorTolerance: 20, .maxTemperature: 42_500,
            .maxContinuousRun: 600, .maxSessionLength: 45, .maxCartridgeUse: 1200, .armTimeout: 20,
            .homingTimeout: 4000, .tickOverrunsInARow: 7,
        ]
        for name in LimitName.allCases {
            #expect(limits.configValue(name) == expected[name] ?? nil, "\(name)")
        }
    }
}
