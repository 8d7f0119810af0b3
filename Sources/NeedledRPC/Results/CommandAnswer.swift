public import NeedleCore

/// A pen command's answer (`pen.home`, `pen.arm`, `pen.start`, `pen.stop`, `pen.emergencyStop`,
/// `pen.resetFault`, `pen.setDepth`, `pen.setSpeed`): accepted (a refusal is an error, never
/// `accepted: false`), and the phase the tick that applied it left the pen in. The daemon writes
/// it and needlectl reads it through this one type, so the two cannot drift apart.
public struct CommandAnswer: MethodResult, Equatable {
    public var state: PenPhase

    public init(state: PenPhase) {
        self.state = state
    }

    /// `{"accepted": true, "state": "…"}`.
    public var json: JSONValue {
        .object([("accepted", true), ("state", .string(state.rawValue))])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        guard try result.bool("accepted") else {
            throw ResultShapeError(method: result.method, field: "accepted", expected: "true", found: .bool(false))
        }
        state = try result.name("state")
    }
}
