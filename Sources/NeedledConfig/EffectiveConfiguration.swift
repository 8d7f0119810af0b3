import NeedleCore
import NeedledGPIOBackend
import NeedledRPC

/// The configuration in force written out as a needled.toml: every key with its value, the
/// defaults filled in (`needled check-config --effective`). A technician reads what a file
/// leaves unsaid, and a clinic can keep the output as the record of what the pen ran with.
/// It parses back to the same configuration; a key with no value (a path not set, a default
/// group this host lacks) is a comment saying so.
public enum EffectiveConfiguration {
    public static func toml(_ configuration: DaemonConfiguration) -> String {
        var out: [String] = []
        if let source = configuration.source {
            out.append("# The configuration in force, read from \(source.path) (SHA-256 \(source.sha256)),")
            out.append("# with every default filled in.")
        } else {
            out.append("# The built-in configuration (no file), every key written out.")
        }

        out.append("")
        out.append("[daemon]")
        out.append("tick-rate-hertz = \(configuration.tickRateHertz)")
        out.append("backend = \(quoted(configuration.backend.rawValue))")
        out.append("simulator-seed = \(configuration.simulatorSeed)")
        out.append("realtime-priority = \(configuration.realtime.priority)")
        out.append("cpu = \(configuration.realtime.cpu ?? -1)" + (configuration.realtime.cpu == nil ? "  # any" : ""))

        let pen = configuration.pen
        out.append("")
        out.append("[pen]")
        out.append("needle-count = \(configuration.needleCount)")
        out.append("default-speed-hertz = \(wholeHertz(pen.defaultSpeed))")
        out.append("retract-on-fault = \(pen.depthAxis.retractOnFault)")

        out.append("")
        out.append("[sensor]")
        switch pen.speedControl.sensor {
        case .quadrature(let counts):
            out.append("kind = \"quadrature\"")
            out.append("counts-per-revolution = \(counts)")
        case .tachometer(let pulses):
            out.append("kind = \"tachometer\"")
            out.append("pulses-per-revolution = \(pulses)")
        }

        out.append("")
        out.append("[limits]")
        for name in LimitName.allCases where name != .minDepth {
            out.append("\(name.configKey) = \(limitValue(name, pen.limits))")
        }

        let gpio = configuration.gpio
        out.append("")
        out.append("[gpio]")
        out.append("chip-label = \(quoted(gpio.chipLabel))")
        out.append(optional("pwm-chip", gpio.pwmChip, unset: "no PWM chip: the pen has none"))
        out.append("pwm-channel = \(gpio.pwmChannel)")
        out.append("pwm-period-nanoseconds = \(gpio.pwmPeriodNanoseconds)")
        out.append(optional("temperature-path", gpio.temperaturePath, unset: "no temperature sensor fitted"))
        out.append(
            optional("cartridge-id-path", gpio.cartridgeIDPath, unset: "no ID chip: the technician gives the serial"))
        if gpio.lineOffsets.isEmpty {
            out.append("# lines: none given by offset; each is found on the chip by its name")
        } else {
            let lines = GPIOSettings.Line.allCases.compactMap { line in
                gpio.lineOffsets[line].map { "\(line.rawValue) = \($0)" }
            }
            out.append("lines = { \(lines.joined(separator: ", ")) }")
        }

        out.append("")
        out.append("[records]")
        out.append("max-size-mebibytes = \(configuration.recordsMaxSizeMebibytes)")
        let retention = configuration.recordsRetention
        out.append("keep-telemetry-days = \(retention.keepTelemetryDays)")
        out.append("prune-above-percent = \(retention.pruneAbovePercent)")
        out.append("warn-above-percent = \(retention.warnAbovePercent)")
        out.append("prune-unexported = \(retention.pruneUnexported)")

        out.append("")
        out.append("[access]")
        out.append(group("operator-group", configuration.operatorGroup))
        out.append(group("read-only-group", configuration.readOnlyGroup))

        let socket = configuration.connectionLimits
        out.append("")
        out.append("[socket]")
        out.append("max-connections = \(socket.connectionsMax)")
        out.append("max-line-bytes = \(socket.lineBytesMax)")
        out.append("max-in-flight = \(socket.inFlightMax)")
        out.append("idle-timeout-seconds = \(socket.idleTimeout.nanoseconds / 1_000_000_000)")
        out.append("line-timeout-seconds = \(socket.lineTimeout.nanoseconds / 1_000_000_000)")
        out.append("slow-reader-timeout-seconds = \(socket.slowReaderTimeout.nanoseconds / 1_000_000_000)")

        out.append("")
        if let fleet = configuration.fleet {
            out.append("[fleet]")
            out.append("server = \(quoted("\(fleet.host):\(fleet.port)"))")
            out.append("database = \(quoted(fleet.database))")
            out.append("role = \(quoted(fleet.role))")
            out.append("ca = \(quoted(fleet.caPath))")
            out.append("certificate = \(quoted(fleet.certificatePath))")
            out.append("key = \(quoted(fleet.keyPath))")
            out.append("offline-cartridges = \(quoted(fleet.offlineCartridges.rawValue))")
            let timeout = fleet.answerTimeout.components
            out.append(
                "answer-timeout-milliseconds = \(timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000)")
        } else {
            out.append("# [fleet]: not set (the pen is on its own; its own ledger decides every cartridge)")
        }

        out.append("")
        if let metrics = configuration.metrics {
            out.append("[metrics]")
            out.append("listen = \(quoted(metrics.listen))")
        } else {
            out.append("# [metrics]: not set (no port opened; `needlectl metrics` prints the metrics)")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A limit in its key's unit, as the file writes it.
    static func limitValue(_ name: LimitName, _ limits: SafetyLimits) -> String {
        switch name {
        case .maxDepth: "\(limits.depthMax.rawValue)"
        case .areaMaxDepth:
            "{ "
                + TreatmentArea.allCases.map { "\($0.rawValue) = \(limits.areaDepthMax[$0].rawValue)" }
                .joined(separator: ", ") + " }"
        case .minDepth: "0"
        case .maxSpeed: wholeHertz(limits.speedMax)
        case .minSpeed: wholeHertz(limits.speedMin)
        case .speedRamp: "\(limits.speedRamp.millihertzPerSecond / 1000)"
        case .overspeedMargin: wholeHertz(limits.overspeedMargin)
        case .stallTimeout: "\(limits.stallTimeout.rawValue / 1_000_000)"
        case .depthFollowingErrorTolerance: "\(limits.depthFollowingErrorTolerance.rawValue)"
        case .maxTemperature: "\(limits.temperatureMax.rawValue)"
        case .maxContinuousRun: "\(limits.continuousRunMax.rawValue / 1_000_000_000)"
        case .maxSessionLength: "\(limits.sessionLengthMax.rawValue / 60_000_000_000)"
        case .maxCartridgeUse: "\(limits.cartridgeUseMax.rawValue / 1_000_000_000)"
        case .armTimeout: "\(limits.armTimeout.rawValue / 1_000_000_000)"
        case .homingTimeout: "\(limits.homingTimeout.rawValue / 1_000_000)"
        case .tickOverrunsInARow: "\(limits.tickOverrunsInARowMax)"
        }
    }

    /// The file takes whole hertz; a value in force is one (every default and every file's).
    private static func wholeHertz(_ hertz: Hertz) -> String { "\(hertz.millihertz / 1000)" }

    private static func optional(_ key: String, _ value: String?, unset: String) -> String {
        value.map { "\(key) = \(quoted($0))" } ?? "# \(key): not set (\(unset))"
    }

    private static func group(_ key: String, _ group: AccessPolicy.Group?) -> String {
        guard let group else {
            return "# \(key): none (not in the file, and the default group does not exist on this host)"
        }
        // A group given by number is named "gid N" (AccessPolicy.Group); write the number back.
        if group.name == "gid \(group.id)" { return "\(key) = \(group.id)" }
        return "\(key) = \(quoted(group.name))  # gid \(group.id)"
    }

    /// A TOML basic string: JSON's escapes are TOML's, and TOML refuses DEL as well.
    static func quoted(_ text: String) -> String {
        JSONValue.string(text).serialized.replacingOccurrences(of: "\u{7F}", with: "\\u007F")
    }
}
