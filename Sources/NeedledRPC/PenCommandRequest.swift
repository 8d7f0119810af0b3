public import NeedleCore

/// The pen's commands as the API spells them: `pen.home` … `pen.setSpeed` → `PenCommand`, with
/// every param checked and named in the error. Pure, so the daemon's dispatch and the fuzz
/// target (which drives the core with it) decode alike.
public enum PenCommandRequest {
    /// The command a request asks for; nil when the method is not one of the pen's plain commands.
    public static func decode(_ request: JSONRPCRequest) throws(RPCError) -> PenCommand? {
        switch APIMethod(rawValue: request.method) {
        case .penHome?: return try plain(request, .home)
        case .penArm?: return try plain(request, .arm)
        case .penStart?: return try plain(request, .start)
        case .penStop?: return try plain(request, .stop)
        case .penResetFault?: return try plain(request, .resetFault)
        // Never refused, not even for a stray param: whatever the params say, the pen stops.
        case .penEmergencyStop?: return .emergencyStop
        case .penSetDepth?:
            let params = try RPCParams(request, allowed: ["micrometres"])
            let value = try params.requiredInteger(
                "micrometres", meaning: "the depth in micrometres, e.g. 500 for 0.5 mm")
            guard value >= -1_000_000 && value <= 1_000_000 else {
                throw RPCError(
                    code: RPCError.limitExceededCode, message: "Depth \(value) µm is far outside any limit.",
                    data: .object([("limit", "maxDepth"), ("requested", .int(value))]))
            }
            return .setDepth(Micrometres(Int32(value)))
        case .penSetSpeed?:
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
