public import NeedleCore

/// `pen.setDepth`: the depth in micrometres. Beyond ±1,000,000 µm it is no depth any pen has, and
/// refused here as far outside any limit; within, the loop's limits decide.
public struct SetDepthParams: MethodParams {
    public static let keys = ["micrometres"]
    public var micrometres: Int64

    public init(micrometres: Int64) { self.micrometres = micrometres }

    public init(reading params: RPCParams) throws(RPCError) {
        let value = try params.requiredInteger("micrometres", meaning: "the depth in micrometres, e.g. 500 for 0.5 mm")
        guard value >= -1_000_000 && value <= 1_000_000 else {
            throw RPCError(
                code: RPCError.limitExceededCode, message: "Depth \(value) µm is far outside any limit.",
                data: .object([("limit", "maxDepth"), ("requested", .int(value))]))
        }
        micrometres = value
    }

    public var json: JSONValue? { .object([("micrometres", .int(micrometres))]) }
}

/// `pen.setSpeed`: strokes per second (a number: 120 or 120.5). Beyond ±1,000,000 Hz refused
/// here as far outside any limit; within, the loop's limits decide.
public struct SetSpeedParams: MethodParams {
    public static let keys = ["hertz"]
    public var hertz: Double

    public init(hertz: Double) { self.hertz = hertz }

    public init(reading params: RPCParams) throws(RPCError) {
        let value = try params.requiredNumber("hertz", meaning: "strokes per second, e.g. 120")
        guard abs(value) <= 1_000_000 else {
            throw RPCError(
                code: RPCError.limitExceededCode, message: "Speed \(value) Hz is far outside any limit.",
                data: .object([("limit", "maxSpeed")]))
        }
        hertz = value
    }

    /// A whole number of strokes goes as an integer (`120`), any other as a number (`120.5`).
    public var json: JSONValue? {
        .object([("hertz", hertz == hertz.rounded() ? .int(Int64(hertz)) : .double(hertz))])
    }

    public var speed: Hertz { Hertz(millihertz: Int32((hertz * 1000).rounded())) }
}

/// `pen.emergencyStop`'s params: none expected, and none refused. Whatever the params say, the
/// pen stops: a stray key must never keep an emergency stop from the motor.
public struct EmergencyStopParams: MethodParams {
    public static let keys: [String] = []
    public init() {}
    public init(reading params: RPCParams) throws(RPCError) {}
    /// Read without the key check: any params at all.
    public init(_ request: JSONRPCRequest) {}
    public var json: JSONValue? { nil }
}
