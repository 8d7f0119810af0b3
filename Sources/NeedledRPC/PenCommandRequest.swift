public import NeedleCore

/// The pen's commands as the API spells them: `pen.home` … `pen.setSpeed` → `PenCommand`, with
/// every param checked and named in the error. Pure, so the daemon's dispatch and the fuzz
/// target (which drives the core with it) decode alike.
public enum PenCommandRequest {
    /// The command a request asks for; nil when the method is not one of the pen's plain commands.
    public static func decode(_ request: JSONRPCRequest) throws(RPCError) -> PenCommand? {
        switch APIMethod(rawValue: request.method) {
        case .penHome?: return try plain(.penHome, request, .home)
        case .penArm?: return try plain(.penArm, request, .arm)
        case .penStart?: return try plain(.penStart, request, .start)
        case .penStop?: return try plain(.penStop, request, .stop)
        case .penResetFault?: return try plain(.penResetFault, request, .resetFault)
        // Never refused, not even for a stray param: whatever the params say, the pen stops.
        case .penEmergencyStop?:
            _ = try APIMethod.penEmergencyStop.params(EmergencyStopParams.self, of: request)
            return .emergencyStop
        case .penSetDepth?:
            let params = try APIMethod.penSetDepth.params(SetDepthParams.self, of: request)
            return .setDepth(Micrometres(Int32(params.micrometres)))
        case .penSetSpeed?:
            return .setSpeed(try APIMethod.penSetSpeed.params(SetSpeedParams.self, of: request).speed)
        default:
            return nil
        }
    }

    private static func plain(
        _ method: APIMethod, _ request: JSONRPCRequest, _ command: PenCommand
    ) throws(RPCError) -> PenCommand {
        _ = try method.params(NoParams.self, of: request)
        return command
    }
}
