/// `daemon.stats`: the loop's figures, and whether to start them afresh after reading.
public struct StatsParams: MethodParams {
    public static let keys = ["reset"]
    public var reset: Bool

    public init(reset: Bool = false) { self.reset = reset }

    public init(reading params: RPCParams) throws(RPCError) { reset = try params.optionalBool("reset") ?? false }

    public var json: JSONValue? { reset ? .object([("reset", true)]) : nil }
}

/// `telemetry.subscribe`: notifications a second, 1 to 100 (10).
public struct TelemetrySubscribeParams: MethodParams {
    public static let keys = ["hz"]
    public var hz: Int64

    public init(hz: Int64 = 10) { self.hz = hz }

    public init(reading params: RPCParams) throws(RPCError) {
        hz = params["hz"] == nil ? 10 : try params.requiredInteger("hz", meaning: "notifications per second, 1 to 100")
        guard (1...100).contains(hz) else {
            throw .invalidParams("\"hz\" must be from 1 to 100 notifications per second, not \(hz).")
        }
    }

    public var json: JSONValue? { .object([("hz", .int(hz))]) }
}

/// `sim.injectFault` and `sim.clearFault`: the simulated fault, by name (the daemon knows the names).
public struct SimulatorFaultParams: MethodParams {
    public static let keys = ["fault"]
    public var fault: String

    public init(fault: String) { self.fault = fault }

    public init(reading params: RPCParams) throws(RPCError) {
        fault = try params.requiredString("fault", meaning: "a fault of the simulated pen")
    }

    /// As the daemon reads it: a missing fault is told with the simulator's faults by name.
    public init(_ request: JSONRPCRequest, faults: [String]) throws(RPCError) {
        fault = try RPCParams(request, allowed: Self.keys).requiredString(
            "fault", meaning: "one of \(faults.joined(separator: ", "))")
    }

    public var json: JSONValue? { .object([("fault", .string(fault))]) }
}
