public import NeedleCore

/// A pen command's answer (`pen.home`, `pen.arm`, `pen.start`, `pen.stop`, `pen.emergencyStop`,
/// `pen.resetFault`, `pen.setDepth`, `pen.setSpeed`): accepted (a refusal is an error, never
/// `accepted: false`), and the phase the tick that applied it left the pen in. The daemon writes
/// it and needlectl reads it through this one type, so the two cannot drift apart.
public struct CommandAnswer: Sendable, Equatable {
    public var state: PenPhase

    public init(state: PenPhase) {
        self.state = state
    }

    /// `{"accepted": true, "state": "…"}`.
    public var json: JSONValue {
        .object([("accepted", true), ("state", .string(state.rawValue))])
    }

    /// Reads `method`'s result; a missing or changed field is an error naming it.
    public init(_ method: APIMethod, _ result: JSONValue) throws(ResultShapeError) {
        let reader = ResultReader(method, result)
        let accepted = try reader.bool("accepted")
        guard accepted else {
            throw ResultShapeError(method: method, field: "accepted", expected: "true", found: .bool(false))
        }
        let name = try reader.string("state")
        guard let state = PenPhase(rawValue: name) else {
            throw ResultShapeError(
                method: method, field: "state",
                expected: "one of \(PenPhase.allCases.map(\.rawValue).joined(separator: ", "))", found: .string(name))
        }
        self.state = state
    }
}
