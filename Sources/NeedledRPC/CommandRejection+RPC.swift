public import NeedleCore

extension CommandRejection {
    /// The JSON-RPC error for this rejection: the code from Docs/api.md, the technician's
    /// sentence, and the data a script can act on. `state` is the pen's state when refused.
    public func rpcError(state: PenPhase) -> RPCError {
        switch self {
        case .invalidState(_, let current, let allowed):
            return RPCError(code: RPCError.invalidStateCode, message: message, data: Self.stateData(current, allowed))
        case .noSession, .sessionAlreadyOpen:
            return RPCError(
                code: RPCError.invalidStateCode, message: message,
                data: .object([("state", .string(state.rawValue)), ("allowedStates", .array([]))]))
        case .faultLatched(_, let code), .faultConditionPersists(let code, _):
            return RPCError(
                code: RPCError.faultLatchedCode, message: message, data: .object([("code", .string(code.rawValue))]))
        case .limitExceeded(let violation):
            return RPCError(code: RPCError.limitExceededCode, message: message, data: violation.json)
        case .sessionExpired:
            return RPCError(
                code: RPCError.limitExceededCode, message: message,
                data: .object([("limit", .string(LimitName.maxSessionLength.rawValue))]))
        case .cartridgeAbsent:
            return .cartridgeRejected(reason: "absent", message: message)
        case .cartridgeNotAccepted:
            return .cartridgeRejected(reason: "notAccepted", message: message)
        case .cartridgeUseTimeExceeded:
            return .cartridgeRejected(reason: "usageTimeExceeded", message: message)
        }
    }

    private static func stateData(_ state: PenPhase, _ allowed: PenPhaseSet) -> JSONValue {
        .object([
            ("state", .string(state.rawValue)),
            ("allowedStates", .array(allowed.phases.map { .string($0.rawValue) })),
        ])
    }
}

extension LimitViolation {
    /// `{limit, requested, allowed: {min, max}, unit}` in the API's units (micrometres, hertz).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("limit", .string(limit.rawValue))]
        switch quantity {
        case .depth(let requested, let allowed):
            members += [
                ("requested", .int(Int64(requested.rawValue))),
                (
                    "allowed",
                    .object([
                        ("min", .int(Int64(allowed.lowerBound.rawValue))),
                        ("max", .int(Int64(allowed.upperBound.rawValue))),
                    ])
                ),
                ("unit", "micrometres"),
            ]
        case .speed(let requested, let allowed):
            members += [
                ("requested", requested.json),
                ("allowed", .object([("min", allowed.lowerBound.json), ("max", allowed.upperBound.json)])),
                ("unit", "hertz"),
            ]
        case .duration(let requested, let allowed):
            members += [
                ("requested", .int(requested.wholeMilliseconds)),
                (
                    "allowed",
                    .object([
                        ("min", .int(allowed.lowerBound.wholeMilliseconds)),
                        ("max", .int(allowed.upperBound.wholeMilliseconds)),
                    ])
                ),
                ("unit", "milliseconds"),
            ]
        }
        if let area { members.append(("area", .string(area.rawValue))) }
        return .object(members)
    }
}

extension Hertz {
    /// Whole hertz as an integer, otherwise a decimal number.
    public var json: JSONValue {
        millihertz % 1000 == 0 ? .int(Int64(millihertz / 1000)) : .double(Double(millihertz) / 1000)
    }
}
