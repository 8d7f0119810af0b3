import Foundation
import NIOCore
import NeedleCore
import NeedledGPIOBackend
import NeedledLoop
import NeedledRPC
import NeedledStore
import TOMLKit

/// Reads needled.toml. Unknown keys are errors, not ignored; every value is range-checked; every
/// error names the file, the line and the key, and all errors are reported at once.
public enum ConfigurationLoader {
    public static func load(path: String) throws(ConfigurationErrors) -> DaemonConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationErrors(errors: [
                ConfigurationError(
                    path: path, line: 0, key: "file", message: "cannot be read (missing, or no permission).")
            ])
        }
        if let damage = ConfigurationBytes.firstDamage(in: Array(data)) {
            throw ConfigurationErrors(errors: [
                ConfigurationError(path: path, line: damage.line, key: "file", message: damage.message)
            ])
        }
        var configuration = try parse(String(decoding: data, as: UTF8.self), path: path)
        configuration.source = ConfigurationSource(path: path, bytes: Array(data), loadedAt: Date())
        return configuration
    }

    /// A group's id by name (the system's group database; tests pass their own).
    public typealias GroupLookup = @Sendable (String) -> UInt32?

    public static let systemGroups: GroupLookup = { name in
        guard let entry = getgrnam(name) else { return nil }
        return entry.pointee.gr_gid
    }

    public static func parse(
        _ text: String, path: String, groups: @escaping GroupLookup = systemGroups
    ) throws(ConfigurationErrors) -> DaemonConfiguration {
        if let damage = ConfigurationBytes.firstDamage(in: Array(text.utf8)) {
            throw ConfigurationErrors(errors: [
                ConfigurationError(path: path, line: damage.line, key: "file", message: damage.message)
            ])
        }
        if let unsafe = TOMLHeaderGuard.firstUnsafeHeader(in: text) {
            let scalar = unsafe.scalar.value
            let advice = "write [name] with letters, digits, - and _, or quote it."
            let message =
                scalar == 0x0A
                ? "the table name is missing after '['; \(advice)"
                : (0x21...0x7E).contains(scalar)
                    ? "a table name cannot begin with '\(Character(unsafe.scalar))'; \(advice)"
                    : "a table name cannot begin with U+\(String(scalar, radix: 16, uppercase: true)); \(advice)"
            throw ConfigurationErrors(errors: [
                ConfigurationError(path: path, line: unsafe.line, key: "syntax", message: message)
            ])
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationErrors(errors: [
                ConfigurationError(path: path, line: error.source.begin.line, key: "syntax", message: error.description)
            ])
        } catch {
            throw ConfigurationErrors(errors: [
                ConfigurationError(path: path, line: 0, key: "syntax", message: "\(error)")
            ])
        }
        var reader = ConfigurationReader(table: table, locator: KeyLocator(text), path: path, groups: groups)
        let configuration = reader.read()
        guard reader.errors.isEmpty, let configuration else {
            throw ConfigurationErrors(errors: reader.errors.sorted { $0.line < $1.line })
        }
        return configuration
    }
}

/// Finds the line of `table.key` in the text, for error messages (TOMLKit does not keep positions).
struct KeyLocator {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var table = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") && !line.hasPrefix("[[") {
                table = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t"))
                lines[table] = index + 1
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = ConfigurationKeySpelling.respelled(
                    asWritten: line[..<equals].trimmingCharacters(in: .whitespaces))
                lines[table.isEmpty ? key : table + "." + key] = index + 1
            }
        }
    }

    func line(of dottedKey: String) -> Int {
        if let line = lines[dottedKey] { return line }
        var parts = dottedKey.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            parts.removeLast()
            if let line = lines[parts.joined(separator: ".")] { return line }
        }
        return 1
    }
}

struct ConfigurationReader {
    let table: TOMLTable
    let locator: KeyLocator
    let path: String
    let groups: ConfigurationLoader.GroupLookup
    var errors: [ConfigurationError] = []

    static let topLevelTables = [
        "daemon", "pen", "sensor", "limits", "gpio", "records", "access", "socket", "fleet", "metrics",
    ]
    static let sensorKeys = ["kind", "counts-per-revolution", "pulses-per-revolution"]
    static let recordsKeys = [
        "max-size-mebibytes", "keep-telemetry-days", "prune-above-percent", "warn-above-percent", "prune-unexported",
    ]
    static let accessKeys = ["operator-group", "read-only-group"]
    static let socketKeys = [
        "max-connections", "max-line-bytes", "max-in-flight", "idle-timeout-seconds", "line-timeout-seconds",
        "slow-reader-timeout-seconds",
    ]
    /// The groups `Scripts/build-deb` creates; used when they exist and `[access]` names none.
    static let defaultOperatorGroup = "needled-operator"
    static let defaultReadOnlyGroup = "needled-view"
    static let gpioKeys = [
        "chip-label", "lines", "pwm-chip", "pwm-channel", "pwm-period-nanoseconds", "temperature-path",
        "cartridge-id-path",
    ]
    static let daemonKeys = ["tick-rate-hertz", "backend", "simulator-seed", "realtime-priority", "cpu"]
    static let penKeys = ["needle-count", "default-speed-hertz", "retract-on-fault"]

    mutating func fail(_ key: String, _ message: String) {
        errors.append(ConfigurationError(path: path, line: locator.line(of: key), key: key, message: message))
    }

    mutating func read() -> DaemonConfiguration? {
        for key in table.keys where !Self.topLevelTables.contains(key) {
            fail(
                ConfigurationKeySpelling.spelled(key),
                "unknown key; the tables are [daemon], [pen], [sensor], [limits], [gpio], [records], [access], [socket], [fleet] and [metrics]."
            )
        }
        let daemon = subtable("daemon", allowed: Self.daemonKeys)
        let pen = subtable("pen", allowed: Self.penKeys)
        let limitsTable = subtable("limits", allowed: LimitName.allCases.filter { $0 != .minDepth }.map(\.configKey))

        let tickRate = integer(daemon, "daemon", "tick-rate-hertz", in: 100...5000, default: 1000)
        let seed = integer(daemon, "daemon", "simulator-seed", in: 0...Int(Int32.max), default: 1)
        let realtimePriority = integer(daemon, "daemon", "realtime-priority", in: 0...99, default: 80)
        let cpu = integer(daemon, "daemon", "cpu", in: -1...1023, default: -1)
        var backend = DaemonConfiguration.BackendKind.simulated
        if let value = daemon?["backend"] {
            if let name = value.string, let kind = DaemonConfiguration.BackendKind(rawValue: name) {
                backend = kind
            } else {
                fail("daemon.backend", "must be \"simulated\" or \"gpio\".")
            }
        }
        let needleCount = integer(pen, "pen", "needle-count", in: 1...100, default: 12)
        let defaultSpeed = integer(pen, "pen", "default-speed-hertz", in: 1...150, default: 100)
        var retract = true
        if let value = pen?["retract-on-fault"] {
            if let bool = value.bool { retract = bool } else { fail("pen.retract-on-fault", "must be true or false.") }
        }
        let sensor = readSensor(subtable("sensor", allowed: Self.sensorKeys))
        let gpioTable = subtable("gpio", allowed: Self.gpioKeys)
        let gpio = readGPIO(gpioTable)
        let records = subtable("records", allowed: Self.recordsKeys)
        let recordsSize = integer(records, "records", "max-size-mebibytes", in: 1...1_048_576, default: 4096)
        var retention = RetentionPolicy()
        retention.keepTelemetryDays = integer(
            records, "records", "keep-telemetry-days", in: 0...36_500, default: retention.keepTelemetryDays)
        retention.pruneAbovePercent = integer(
            records, "records", "prune-above-percent", in: 10...99, default: retention.pruneAbovePercent)
        retention.warnAbovePercent = integer(
            records, "records", "warn-above-percent", in: 11...100, default: retention.warnAbovePercent)
        if retention.warnAbovePercent <= retention.pruneAbovePercent {
            fail(
                "records.warn-above-percent",
                "\(retention.warnAbovePercent) must be above prune-above-percent (\(retention.pruneAbovePercent)): pruning keeps the records below that, and the warning is for when it cannot."
            )
        }
        if let value = records?["prune-unexported"] {
            if let bool = value.bool {
                retention.pruneUnexported = bool
            } else {
                fail("records.prune-unexported", "must be true or false.")
            }
        }
        let access = subtable("access", allowed: Self.accessKeys)
        let operatorGroup = group(access, "operator-group", default: Self.defaultOperatorGroup)
        let readOnlyGroup = group(access, "read-only-group", default: Self.defaultReadOnlyGroup)
        if let operatorGroup, let readOnlyGroup, operatorGroup.id == readOnlyGroup.id {
            fail("access.read-only-group", "is the operator group too; the two must differ.")
        }
        let connectionLimits = readSocket(subtable("socket", allowed: Self.socketKeys))
        let fleet = readFleet()
        let metrics = readMetrics(subtable("metrics", allowed: Self.metricsKeys))
        guard let limits = readLimits(limitsTable) else { return nil }
        guard errors.isEmpty else { return nil }

        var depthAxis = DepthAxisSettings()
        depthAxis.retractOnFault = retract
        let speed = Hertz(Int32(defaultSpeed))
        guard speed >= limits.speedMin && speed <= limits.speedMax else {
            fail(
                "pen.default-speed-hertz",
                "\(speed) is outside the speed limits \(limits.speedMin) to \(limits.speedMax).")
            return nil
        }
        let period = Nanoseconds(1_000_000_000 / Int64(tickRate))
        var speedControl = SpeedControlSettings()
        speedControl.sensor = sensor
        var configuration = DaemonConfiguration(
            pen: PenConfiguration(
                limits: limits, speedControl: speedControl, depthAxis: depthAxis, tickPeriod: period,
                defaultSpeed: speed),
            backend: backend, simulatorSeed: UInt64(seed), needleCount: needleCount)
        configuration.gpio = gpio
        configuration.realtime.priority = Int32(realtimePriority)
        configuration.realtime.cpu = cpu >= 0 ? cpu : nil
        configuration.recordsMaxSizeMebibytes = recordsSize
        configuration.recordsRetention = retention
        configuration.operatorGroup = operatorGroup
        configuration.readOnlyGroup = readOnlyGroup
        configuration.connectionLimits = connectionLimits
        configuration.fleet = fleet
        configuration.metrics = metrics
        return configuration
    }

    private mutating func subtable(_ name: String, allowed: [String]) -> TOMLTable? {
        guard let value = table[name] else { return nil }
        guard let sub = value.table else {
            fail(name, "must be a table ([\(name)]).")
            return nil
        }
        for key in sub.keys where !allowed.contains(key) {
            if name == "limits" && key == LimitName.areaMaxDepth.configKey { continue }
            fail(
                "\(name).\(ConfigurationKeySpelling.spelled(key))",
                "unknown key; allowed: \(allowed.joined(separator: ", ")).")
        }
        return sub
    }

    mutating func integer(
        _ table: TOMLTable?, _ tableName: String, _ key: String, in range: ClosedRange<Int>, default fallback: Int
    ) -> Int {
        guard let value = table?[key] else { return fallback }
        guard let int = value.int else {
            fail("\(tableName).\(key)", "must be a whole number from \(range.lowerBound) to \(range.upperBound).")
            return fallback
        }
        guard range.contains(int) else {
            fail(
                "\(tableName).\(key)", "\(int) is outside the allowed range \(range.lowerBound) to \(range.upperBound)."
            )
            return fallback
        }
        return int
    }

    /// A group by name or numeric id. One named in the file must exist; the default one is used
    /// only where it exists (a development machine has no needled-operator group).
    private mutating func group(_ table: TOMLTable?, _ key: String, default name: String) -> AccessPolicy.Group? {
        guard let value = table?[key] else {
            return groups(name).map { AccessPolicy.Group(name: name, id: $0) }
        }
        if let id = value.int {
            guard id != 0 else {
                fail("access.\(key)", "gid 0 (root) cannot be an access group; root may always operate.")
                return nil
            }
            guard (1...Int(UInt32.max - 1)).contains(id) else {
                fail("access.\(key)", "\(id) is not a group id.")
                return nil
            }
            return AccessPolicy.Group(name: "gid \(id)", id: UInt32(id))
        }
        guard let text = value.string, !text.isEmpty else {
            fail("access.\(key)", "must be a group name (e.g. \"\(name)\") or a numeric group id.")
            return nil
        }
        guard let id = groups(text) else {
            fail("access.\(key)", "no group \"\(text)\" on this host (create it with groupadd, or fix the name).")
            return nil
        }
        guard id != 0 else {
            fail("access.\(key)", "\"\(text)\" is gid 0 (root); it cannot be an access group, root may always operate.")
            return nil
        }
        return AccessPolicy.Group(name: text, id: id)
    }

    /// `[sensor]`: a quadrature encoder (its counts a revolution) or a tachometer (its pulses a
    /// revolution); each kind's key is refused with the other, so a half-edited file is an error.
    private mutating func readSensor(_ table: TOMLTable?) -> SpeedSensor {
        var quadrature = SpeedSensor.default.isQuadrature
        if let value = table?["kind"] {
            switch value.string {
            case "quadrature": quadrature = true
            case "tachometer": quadrature = false
            default: fail("sensor.kind", "must be \"quadrature\" or \"tachometer\".")
            }
        }
        let counts = SpeedSensor.countsPerRevolutionRange
        let pulses = SpeedSensor.pulsesPerRevolutionRange
        if quadrature {
            if table?["pulses-per-revolution"] != nil {
                fail(
                    "sensor.pulses-per-revolution",
                    "is for kind = \"tachometer\"; a quadrature encoder takes counts-per-revolution.")
            }
            let value = integer(
                table, "sensor", "counts-per-revolution", in: Int(counts.lowerBound)...Int(counts.upperBound),
                default: Int(SpeedSensor.default.countsPerRevolution))
            if value % 4 != 0 {
                fail(
                    "sensor.counts-per-revolution", "\(value) is not a multiple of 4 (a quadrature cycle is 4 counts).")
            }
            return .quadrature(countsPerRevolution: Int32(value))
        }
        if table?["counts-per-revolution"] != nil {
            fail(
                "sensor.counts-per-revolution",
                "is for kind = \"quadrature\"; a tachometer takes pulses-per-revolution.")
        }
        let value = integer(
            table, "sensor", "pulses-per-revolution", in: Int(pulses.lowerBound)...Int(pulses.upperBound), default: 2)
        return .tachometer(pulsesPerRevolution: Int32(value))
    }

    private mutating func readSocket(_ table: TOMLTable?) -> ConnectionLimits {
        var limits = ConnectionLimits()
        limits.connectionsMax = integer(
            table, "socket", "max-connections", in: 1...1024, default: limits.connectionsMax)
        limits.lineBytesMax = integer(
            table, "socket", "max-line-bytes", in: 1024...16_777_216, default: limits.lineBytesMax)
        limits.inFlightMax = integer(table, "socket", "max-in-flight", in: 1...1024, default: limits.inFlightMax)
        func seconds(_ key: String, _ range: ClosedRange<Int>, _ fallback: TimeAmount) -> TimeAmount {
            .seconds(
                Int64(integer(table, "socket", key, in: range, default: Int(fallback.nanoseconds / 1_000_000_000))))
        }
        limits.idleTimeout = seconds("idle-timeout-seconds", 10...86_400, limits.idleTimeout)
        limits.lineTimeout = seconds("line-timeout-seconds", 1...600, limits.lineTimeout)
        limits.slowReaderTimeout = seconds("slow-reader-timeout-seconds", 1...600, limits.slowReaderTimeout)
        return limits
    }

    private mutating func readGPIO(_ table: TOMLTable?) -> GPIOSettings {
        var settings = GPIOSettings()
        guard let table else { return settings }
        func string(_ key: String) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string, !text.isEmpty else {
                fail("gpio.\(key)", "must be a non-empty string.")
                return nil
            }
            return text
        }
        if let label = string("chip-label") { settings.chipLabel = label }
        settings.pwmChip = string("pwm-chip")
        settings.temperaturePath = string("temperature-path")
        settings.cartridgeIDPath = string("cartridge-id-path")
        settings.pwmChannel = integer(table, "gpio", "pwm-channel", in: 0...63, default: 0)
        settings.pwmPeriodNanoseconds = Int64(
            integer(table, "gpio", "pwm-period-nanoseconds", in: 1_000...100_000_000, default: 50_000))
        if let linesValue = table["lines"] {
            guard let lines = linesValue.table else {
                fail("gpio.lines", "must be a table of line-name = offset.")
                return settings
            }
            for key in lines.keys {
                guard let line = GPIOSettings.Line(rawValue: key) else {
                    fail(
                        "gpio.lines.\(ConfigurationKeySpelling.spelled(key))",
                        "unknown line; the lines are \(GPIOSettings.Line.allCases.map(\.rawValue).joined(separator: ", "))."
                    )
                    continue
                }
                guard let offset = lines[key]?.int, (0...1023).contains(offset) else {
                    fail("gpio.lines.\(key)", "must be a line offset from 0 to 1023.")
                    continue
                }
                settings.lineOffsets[line] = UInt32(offset)
            }
        }
        return settings
    }

    private mutating func readLimits(_ limits: TOMLTable?) -> SafetyLimits? {
        let defaults = SafetyLimits.defaults
        // A value past any limit's range is handed to the limits' own check as a stand-in just
        // past every range (±1,000,000 in the key's unit, safe to convert), so the error names the
        // limit's real range, with the value as written.
        var beyondEveryRange: [LimitName: Int] = [:]
        // The defaults are the core's (SafetyLimits.defaults), in each key's unit.
        func int(_ name: LimitName) -> Int {
            guard let fallback = defaults.configValue(name).map(Int.init) else {
                preconditionFailure("\(name) has no key of its own in [limits]")
            }
            guard let value = limits?[name.configKey] else { return fallback }
            guard let written = value.int else {
                fail("limits.\(name.configKey)", "must be a whole number.")
                return fallback
            }
            guard (-1_000_000...1_000_000).contains(written) else {
                beyondEveryRange[name] = written
                return written > 0 ? 1_000_000 : -1_000_000
            }
            return written
        }
        let depthMax = Micrometres(Int32(int(.maxDepth)))
        var areas = AreaDepthLimits.publishedDefaults(cappedAt: min(depthMax, HardwareCeilings.depthMax))
        let areaKey = "limits.\(LimitName.areaMaxDepth.configKey)"
        if let areaValue = limits?[LimitName.areaMaxDepth.configKey] {
            if let areaTable = areaValue.table {
                for key in areaTable.keys {
                    guard let area = TreatmentArea(rawValue: key) else {
                        fail(
                            "\(areaKey).\(ConfigurationKeySpelling.spelled(key))",
                            "unknown area; the areas are \(TreatmentArea.allCases.map(\.rawValue).joined(separator: ", "))."
                        )
                        continue
                    }
                    guard let depth = areaTable[key]?.int, depth >= 0, depth <= 3000 else {
                        fail("\(areaKey).\(key)", "must be a whole number of micrometres from 0 to 3000.")
                        continue
                    }
                    areas[area] = Micrometres(Int32(depth))
                }
            } else {
                fail(areaKey, "must be a table of area = micrometres.")
            }
        }
        do {
            return try SafetyLimits(
                depthMax: depthMax, areaDepthMax: areas,
                speedMin: Hertz(Int32(int(.minSpeed))), speedMax: Hertz(Int32(int(.maxSpeed))),
                speedRamp: HertzPerSecond(Int32(int(.speedRamp))),
                overspeedMargin: Hertz(Int32(int(.overspeedMargin))),
                stallTimeout: .milliseconds(Int64(int(.stallTimeout))),
                depthFollowingErrorTolerance: Micrometres(Int32(int(.depthFollowingErrorTolerance))),
                temperatureMax: MilliCelsius(Int32(int(.maxTemperature))),
                continuousRunMax: .seconds(Int64(int(.maxContinuousRun))),
                sessionLengthMax: .minutes(Int64(int(.maxSessionLength))),
                cartridgeUseMax: .seconds(Int64(int(.maxCartridgeUse))),
                armTimeout: .seconds(Int64(int(.armTimeout))),
                homingTimeout: .milliseconds(Int64(int(.homingTimeout))),
                tickOverrunsInARowMax: Int32(int(.tickOverrunsInARow)))
        } catch {
            let key = error.area.map { "\(areaKey).\($0.rawValue)" } ?? "limits.\(error.limit.configKey)"
            var message = error.message
            if error.area == nil, let written = beyondEveryRange[error.limit],
                let range = message.range(of: " is outside the allowed range ")
            {
                message = "\(written)" + message[range.lowerBound...]
            }
            fail(key, message)
            return nil
        }
    }
}
