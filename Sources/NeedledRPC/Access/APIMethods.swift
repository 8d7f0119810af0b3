/// Every method of the API (Docs/api.md) with who may call it. One table, so the daemon's
/// dispatch, `rpc.listMethods`, the access check and the docs cannot disagree.
public enum APIMethods {
    /// Methods anyone allowed to connect may call: reading status, telemetry and records, and
    /// stopping the pen (stopping is always safe, and whoever watches a treatment must be able to).
    public static let read: [String] = [
        "daemon.info", "daemon.stats", "rpc.listMethods", "pen.status", "pen.stop", "pen.emergencyStop",
        "session.list", "session.get", "session.telemetry", "cartridge.list", "cartridge.get",
        "telemetry.subscribe", "telemetry.unsubscribe", "events.subscribe", "events.unsubscribe", "fault.list",
        "fault.get", "session.verify", "records.verify", "session.export", "records.export",
    ]

    /// Methods that move the needles or change the records: the operator group (and root) only.
    public static let operate: [String] = [
        "pen.home", "pen.arm", "pen.start", "pen.resetFault", "pen.setDepth", "pen.setSpeed", "session.open",
        "session.close", "session.acceptCartridge", "cartridge.register", "sim.injectFault", "sim.clearFault",
    ]

    /// All methods, in the order `rpc.listMethods` gives them.
    public static let all: [String] = [
        "daemon.info", "daemon.stats", "rpc.listMethods", "pen.status", "pen.home", "pen.arm", "pen.start", "pen.stop",
        "pen.emergencyStop", "pen.resetFault", "pen.setDepth", "pen.setSpeed", "session.open", "session.close",
        "session.acceptCartridge", "session.list", "session.get", "cartridge.register", "cartridge.list",
        "cartridge.get", "session.telemetry", "telemetry.subscribe", "telemetry.unsubscribe", "events.subscribe",
        "events.unsubscribe", "fault.list", "fault.get", "session.verify", "records.verify", "session.export",
        "records.export", "sim.injectFault", "sim.clearFault",
    ]

    /// Whether `role` may make this request. Unknown methods pass here and get -32601 from
    /// dispatch; `daemon.stats {reset: true}` clears the figures a technician relies on, so it
    /// is the operator's.
    public static func allows(_ role: AccessRole, _ request: JSONRPCRequest) -> Bool {
        switch role {
        case .operator: return true
        case .readOnly:
            if operate.contains(request.method) { return false }
            if request.method == "daemon.stats", case .object(let members)? = request.params,
                members.contains(where: { $0.0 == "reset" && $0.1 == .bool(true) })
            {
                return false
            }
            return true
        }
    }
}
