import NeedleCore
import NeedledRPC

/// Human renderings of the daemon's results, each from the result's type: a field the daemon did
/// not send as documented failed to read already (exit 76), so nothing here prints a "?".
enum StatusText {
    static func render(_ status: PenStatusResult) -> String {
        let homed = status.homed ? "homed" : "not homed"
        var lines = [
            "state      \(status.state.rawValue) (\(homed))",
            "depth      \(mm(status.depth)) (target \(mm(status.depthTarget)), limit \(mm(status.depthMax)))",
            "speed      \(hz(status.speed)) (target \(hz(status.speedTarget)))",
        ]
        if let cartridge = status.cartridge {
            let accepted = cartridge.accepted ? "accepted" : "not accepted"
            lines.append("cartridge  \(cartridge.serial ?? "serial not read") (\(accepted))")
        } else {
            lines.append("cartridge  none inserted")
        }
        if let session = status.session {
            lines.append("session    \(session.id) on \(session.area.rawValue) since \(session.openedAt)")
        } else {
            lines.append("session    none open")
        }
        if let fault = status.fault {
            lines.append("FAULT      \(fault.code.rawValue): \(fault.message)")
            lines.append("           \(fault.action)")
        } else {
            lines.append("fault      none")
        }
        if !status.recordsWritable {
            lines.append("RECORDS    cannot be written: the pen does not treat until they can")
        } else if let warning = status.recordsWarning {
            lines.append("RECORDS    \(warning)")
        } else {
            lines.append("records    \(status.recordsFillPercent) % full")
        }
        if let fleet = status.fleet { lines += Self.fleet(fleet) }
        return lines.joined(separator: "\n")
    }

    /// The fleet's lines: reachable or not (and what the pen does meanwhile), how far behind, and
    /// every conflict shown as a line of its own in capitals, like a fault.
    static func fleet(_ fleet: FleetStatusResult) -> [String] {
        let behind =
            fleet.behindRecords == 0
            ? "up to date" : "\(fleet.behindRecords) records behind (oldest \(fleet.behindSeconds) s)"
        var lines: [String]
        if fleet.reachable {
            lines = ["fleet      reachable, \(behind)"]
        } else {
            let since = fleet.lastContact.map { "last answered \($0)" } ?? "not answered since start"
            let meanwhile =
                fleet.offlineCartridges == "local"
                ? "cartridges are checked on this pen's own ledger" : "new cartridges are refused"
            lines = [
                "FLEET      unreachable (\(since)); \(meanwhile); \(behind)",
                "           \(fleet.lastError ?? "no answer")",
            ]
        }
        for conflict in fleet.conflicts {
            lines.append(
                "CONFLICT   cartridge \(conflict.cartridge) served \(conflict.session ?? "a session") here and \(conflict.otherSession) on pen \(conflict.otherPen)"
            )
        }
        if fleet.conflictCount > Int64(fleet.conflicts.count) {
            lines.append("           and \(fleet.conflictCount - Int64(fleet.conflicts.count)) earlier conflicts")
        }
        return lines
    }

    /// One line per telemetry update (a `telemetry` notification carries a `pen.status`).
    static func line(_ status: PenStatusResult) -> String {
        let state = status.state.rawValue
        var text =
            "\(state.padding(toLength: 9, withPad: " ", startingAt: 0)) depth \(mm(status.depth))/\(mm(status.depthTarget))  speed \(hz(status.speed))/\(hz(status.speedTarget))"
        if let fault = status.fault { text += "  FAULT \(fault.code.rawValue)" }
        return text
    }

    static func info(_ info: DaemonInfoResult) -> String {
        var lines = [
            "needled \(info.version) on the \(info.backend) backend at \(info.tickRateHertz) Hz",
            "depth      at most \(mm(info.limits.depthMax))",
            "speed      \(hz(info.limits.speedMin)) to \(hz(info.limits.speedMax))",
            configuration(info),
        ]
        lines.append(
            "areas      " + info.areas.map { "\($0.area.rawValue) \(mm($0.depthMax))" }.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// The configuration line of `daemon.info`: the file, the first 12 hex digits of its SHA-256
    /// (enough to compare with `sha256sum`), and when it was read.
    static func configuration(_ info: DaemonInfoResult) -> String {
        guard let source = info.configuration else { return "config     built-in defaults (no file)" }
        return "config     \(source.path), sha256 \(source.sha256.prefix(12))…, loaded \(source.loadedAt)"
    }

    static func mm(_ depth: Micrometres) -> String { millimetres(Int64(depth.rawValue)) }
    static func hz(_ rate: Hertz) -> String {
        rate.millihertz % 1000 == 0
            ? "\(rate.millihertz / 1000) Hz" : "\((Double(rate.millihertz) / 100).rounded() / 10) Hz"
    }
}
