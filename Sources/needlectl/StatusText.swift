import NeedledRPC

/// Human renderings of the daemon's JSON.
enum StatusText {
    static func render(_ status: JSONValue) -> String {
        let state = status["state"]?.stringValue ?? "?"
        let homed = status["homed"] == .bool(true) ? "homed" : "not homed"
        var lines = [
            "state      \(state) (\(homed))",
            "depth      \(mm(status["depthMicrometres"])) (target \(mm(status["depthTargetMicrometres"])), limit \(mm(status["maxDepthMicrometres"])))",
            "speed      \(hz(status["speedHertz"])) (target \(hz(status["speedTargetHertz"])))",
        ]
        if let cartridge = status["cartridge"], cartridge != .null {
            let accepted = cartridge["accepted"] == .bool(true) ? "accepted" : "not accepted"
            lines.append("cartridge  \(cartridge["serial"]?.stringValue ?? "?") (\(accepted))")
        } else {
            lines.append("cartridge  none inserted")
        }
        if let session = status["session"], session != .null {
            lines.append(
                "session    \(session["id"]?.stringValue ?? "?") on \(session["area"]?.stringValue ?? "?") since \(session["openedAt"]?.stringValue ?? "?")"
            )
        } else {
            lines.append("session    none open")
        }
        if let fault = status["fault"], fault != .null {
            lines.append("FAULT      \(fault["code"]?.stringValue ?? "?"): \(fault["message"]?.stringValue ?? "")")
            lines.append("           \(fault["action"]?.stringValue ?? "")")
        } else {
            lines.append("fault      none")
        }
        if status["recordsWritable"] == .bool(false) {
            lines.append("RECORDS    cannot be written: the pen does not treat until they can")
        } else if let warning = status["recordsWarning"]?.stringValue {
            lines.append("RECORDS    \(warning)")
        } else if let percent = status["recordsFillPercent"]?.intValue {
            lines.append("records    \(percent) % full")
        }
        return lines.joined(separator: "\n")
    }

    /// One line per telemetry update.
    static func line(_ status: JSONValue) -> String {
        let state = status["state"]?.stringValue ?? "?"
        var text =
            "\(state.padding(toLength: 9, withPad: " ", startingAt: 0)) depth \(mm(status["depthMicrometres"]))/\(mm(status["depthTargetMicrometres"]))  speed \(hz(status["speedHertz"]))/\(hz(status["speedTargetHertz"]))"
        if let fault = status["fault"], fault != .null { text += "  FAULT \(fault["code"]?.stringValue ?? "?")" }
        return text
    }

    static func info(_ info: JSONValue) -> String {
        var lines = [
            "needled \(info["version"]?.stringValue ?? "?") on the \(info["backend"]?.stringValue ?? "?") backend at \(info["tickRateHertz"]?.intValue ?? 0) Hz"
        ]
        if let limits = info["limits"] {
            lines.append("depth      at most \(mm(limits["maxDepthMicrometres"]))")
            lines.append("speed      \(hz(limits["minSpeedHertz"])) to \(hz(limits["maxSpeedHertz"]))")
        }
        lines.append(configuration(info["configuration"]))
        if case .array(let areas)? = info["areas"] {
            lines.append(
                "areas      "
                    + areas.map { "\($0["area"]?.stringValue ?? "?") \(mm($0["maxDepthMicrometres"]))" }.joined(
                        separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    /// The configuration line: the file, the first 12 hex digits of its SHA-256 (enough to
    /// compare with `sha256sum`), and when it was read.
    static func configuration(_ source: JSONValue?) -> String {
        guard let source, source != .null else { return "config     built-in defaults (no file)" }
        let hash = source["sha256"]?.stringValue ?? "?"
        return
            "config     \(source["path"]?.stringValue ?? "?"), sha256 \(hash.prefix(12))…, loaded \(source["loadedAt"]?.stringValue ?? "?")"
    }

    static func mm(_ value: JSONValue?) -> String { value?.intValue.map(millimetres) ?? "?" }
    static func hz(_ value: JSONValue?) -> String {
        switch value {
        case .int(let v)?: "\(v) Hz"
        case .double(let v)?: "\((v * 10).rounded() / 10) Hz"
        default: "?"
        }
    }
}
