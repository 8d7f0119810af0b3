/// `sim.injectFault` and `sim.clearFault`: the simulated pen's fault by name, and whether it is
/// now active.
public struct SimulatedFaultAnswer: MethodResult, Equatable {
    public var fault: String
    public var active: Bool

    public init(fault: String, active: Bool) {
        self.fault = fault
        self.active = active
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("fault", .string(fault)),
            ("active", .bool(active)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        fault = try result.string("fault")
        active = try result.bool("active")
    }
}
