import NeedledRPC

/// Human renderings of the daemon's results, each read through a `ResultReader`: a field the
/// daemon did not send as documented is an error that names it (exit 76), never a "?".
enum StatusText {
    static func render(_ result: JSONValue) throws(ResultShapeError) -> String {
        let status = ResultReader(.penStatus, result)
        let homed = try status.bool("homed") ? "homed" : "not homed"
        var lines = [
            "state      \(try status.string("state")) (\(homed))",
            "depth      \(mm(try status.integer("depthMicrometres"))) (target \(mm(try status.integer("depthTargetMicrometres"))), limit \(mm(try status.integer("maxDepthMicrometres"))))",
            "speed      \(hz(try status.number("speedHertz"))) (target \(hz(try status.number("speedTargetHertz"))))",
        ]
        if let cartridge = try status.nullableObject("cartridge") {
            let accepted = try cartridge.bool("accepted") ? "accepted" : "not accepted"
            lines.append("cartridge  \(try cartridge.nullableString("serial") ?? "serial not read") (\(accepted))")
        } else {
            lines.append("cartridge  none inserted")
        }
        if let session = try status.nullableObject("session") {
            lines.append(
                "session    \(try session.string("id")) on \(try session.string("area")) since \(try session.string("openedAt"))"
            )
        } else {
            lines.append("session    none open")
        }
        if let fault = try status.nullableObject("fault") {
            lines.append("FAULT      \(try fault.string("code")): \(try fault.string("message"))")
            lines.append("           \(try fault.string("action"))")
        } else {
            lines.append("fault      none")
        }
        if try !status.bool("recordsWritable") {
            lines.append("RECORDS    cannot be written: the pen does not treat until they can")
        } else if let warning = try status.optionalString("recordsWarning") {
            lines.append("RECORDS    \(warning)")
        } else {
            lines.append("records    \(try status.integer("recordsFillPercent")) % full")
        }
        return lines.joined(separator: "\n")
    }

    /// One line per telemetry update (a `telemetry` notification carries a `pen.status`).
    static func line(_ result: JSONValue) throws(ResultShapeError) -> String {
        let status = ResultReader(.penStatus, result)
        let state = try status.string("state")
        var text =
            "\(state.padding(toLength: 9, withPad: " ", startingAt: 0)) depth \(mm(try status.integer("depthMicrometres")))/\(mm(try status.integer("depthTargetMicrometres")))  speed \(hz(try status.number("speedHertz")))/\(hz(try status.number("speedTargetHertz")))"
        if let fault = try status.nullableObject("fault") { text += "  FAULT \(try fault.string("code"))" }
        return text
    }

    static func info(_ result: JSONValue) throws(ResultShapeError) -> String {
        let info = ResultReader(.daemonInfo, result)
        let limits = try info.object("limits")
        var lines = [
            "needled \(try info.string("version")) on the \(try info.string("backend")) backend at \(try info.integer("tickRateHertz")) Hz",
            "depth      at most \(mm(try limits.integer("maxDepthMicrometres")))",
            "speed      \(hz(try limits.number("minSpeedHertz"))) to \(hz(try limits.number("maxSpeedHertz")))",
            try configuration(info),
        ]
        var areas: [String] = []
        for area in try info.array("areas") {
            areas.append("\(try area.string("area")) \(mm(try area.integer("maxDepthMicrometres")))")
        }
        lines.append("areas      " + areas.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// The configuration line of `daemon.info`: the file, the first 12 hex digits of its SHA-256
    /// (enough to compare with `sha256sum`), and when it was read.
    static func configuration(_ info: ResultReader) throws(ResultShapeError) -> String {
        guard let source = try info.nullableObject("configuration") else {
            return "config     built-in defaults (no file)"
        }
        let hash = try source.string("sha256")
        return
            "config     \(try source.string("path")), sha256 \(hash.prefix(12))…, loaded \(try source.string("loadedAt"))"
    }

    static func mm(_ micrometres: Int64) -> String { millimetres(micrometres) }
    static func hz(_ hertz: Double) -> String {
        hertz == hertz.rounded() ? "\(Int64(hertz)) Hz" : "\((hertz * 10).rounded() / 10) Hz"
    }
}
