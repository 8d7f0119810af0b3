public import NeedleCore

/// The pen's commands as the API spells them: `pen.home` … `pen.setSpeed` → `PenCommand`, with
/// every param checked and named in the error. Pure, so the daemon's dispatch and the fuzz
/// target (which drives the core with it) decode alike.
public enum PenCommandRequest {
    /// The command a request asks for; nil when the method is not one of the pen's plain commands.
    public static func decode(_ request: JSONRPCRequest) throws(RPCError) -> PenCommand? {
        switch request.method {
        case "pen.home": return try plain(request, .home)
        case "pen.arm": return try plain(request, .arm)
        case "pen.start": return try plain(request, .start)
        case "pen.stop": return try plain(request, .stop)
        case "pen.resetFault": return try plain(request, .resetFault)
        // Never refused, not even for a stray param: whatever the params say, the pen stops.
        case "pen.emergencyStop": return .emergencyStop
        case "pen.setDepth":
            let params = try RPCParams(request, allowed: ["micrometres"])
            let value = try params.requiredInteger(
                "micrometres", meaning: "the depth in micrometres, e.g. 500 for 0.5 mm")
            guard value >= -1_000_000 && value <= 1_000_000 else {
                throw RPCError(
                    code: RPCError.limitExceededCode, message: "Depth \(value) µm is far outside any limit.",
                    data: .object([("limit", "maxDepth"), ("requested", .int(value))]))
            }
            return .setDepth(Micrometres(Int32(value)))
        case "pen.setSpeed":
            let params = try RPCParams(request, allowed: ["hertz"])
            let value = try params.requiredNumber("hertz", meaning: "strokes per second, e.g. 120")
            guard abs(value) <= 1_000_000 else {
                throw RPCError(
                    code: RPCError.limitExceededCode, message: "Speed \(value) Hz is far outside any limit.",
                    data: .object([("limit", "maxSpeed")]))
            }
            return .setSpeed(Hertz(millihertz: Int32((value * 1000).rounded())))
        default:
            return nil
        }
    }

    private static func plain(_ request: JSONRPCRequest, _ command: PenCommand) throws(RPCError) -> PenCommand {
        _ = try RPCParams(request, allowed: [])
        return command
    }
}
