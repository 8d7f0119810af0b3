public import NeedleCore

/// `session.open`: the session as opened (its area's depth limit now in force), and the pen's
/// phase after.
public struct SessionOpenAnswer: MethodResult, Equatable {
    public var session: OpenSessionResult
    public var state: PenPhase

    public init(session: OpenSessionResult, state: PenPhase) {
        self.session = session
        self.state = state
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("session", session.json),
            ("state", .string(state.rawValue)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        session = try result.decode("session")
        state = try result.name("state")
    }
}

/// `session.close`: the session sealed (nil: none was open), and the pen's phase after.
public struct SessionCloseAnswer: MethodResult, Equatable {
    public var closed: String?
    public var state: PenPhase

    public init(closed: String?, state: PenPhase) {
        self.closed = closed
        self.state = state
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("closed", .nullable(closed)),
            ("state", .string(state.rawValue)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        closed = try result.nullableString("closed")
        state = try result.name("state")
    }
}

/// `session.acceptCartridge`: the cartridge bound to the open session, and the pen's phase
/// after.
public struct CartridgeAcceptAnswer: MethodResult, Equatable {
    public var cartridge: String
    public var state: PenPhase

    public init(cartridge: String, state: PenPhase) {
        self.cartridge = cartridge
        self.state = state
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("cartridge", .string(cartridge)),
            ("state", .string(state.rawValue)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        cartridge = try result.string("cartridge")
        state = try result.name("state")
    }
}
