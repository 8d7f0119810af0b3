/// A method's params as one type, shared by needlectl (which writes them) and the daemon (which
/// reads them): a key, a type or a range changed on one side is changed on the other. Each
/// `APIMethod` names its type (`paramsType`, an exhaustive switch).
public protocol MethodParams: Sendable, Equatable {
    /// The keys the method takes; any other is refused (-32602), naming it.
    static var keys: [String] { get }
    /// Reads the params; a missing, mistyped or out-of-range field is -32602 naming it.
    init(reading params: RPCParams) throws(RPCError)
    /// The params as they go on the wire; nil for none.
    var json: JSONValue? { get }
    /// Reads `request`'s params: by default the keys checked first, then each field.
    init(_ request: JSONRPCRequest) throws(RPCError)
}

extension MethodParams {
    public init(_ request: JSONRPCRequest) throws(RPCError) {
        try self.init(reading: RPCParams(request, allowed: Self.keys))
    }
}

extension APIMethod {
    /// `request`'s params as `P`, which must be this method's `paramsType` (a handler that reads
    /// another type is a programming error, and traps in every build).
    public func params<P: MethodParams>(_ type: P.Type, of request: JSONRPCRequest) throws(RPCError) -> P {
        precondition(paramsType == P.self, "\(name) takes \(paramsType), not \(P.self)")
        return try P(request)
    }
}

/// The params of a method that takes none: absent, `{}` or `[]`; any key is refused.
public struct NoParams: MethodParams {
    public static let keys: [String] = []
    public init() {}
    public init(reading params: RPCParams) throws(RPCError) {}
    public var json: JSONValue? { nil }
}

/// A record's id as a client writes it ("S-0001", "F-0001", or the number alone) and the number
/// it names.
public struct RecordReference: Sendable, Equatable {
    public var text: String
    /// The row's number; 0 in a reference a client made from text that names none (the daemon
    /// refuses that text, naming it).
    public var number: Int64

    /// A session's ("S-…"), as a client writes it.
    public static func session(_ text: String) -> Self { Self(text, prefix: "S-") }
    /// A fault's ("F-…"), as a client writes it.
    public static func fault(_ text: String) -> Self { Self(text, prefix: "F-") }

    init(_ text: String, prefix: String) {
        self.text = text
        number = Self.number(text, prefix: prefix) ?? 0
    }

    static func number(_ text: String, prefix: String) -> Int64? {
        Int64(text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text)
    }
}

extension RPCParams {
    /// A session id param ("S-0001", or its number), or the invalid-params error naming the key.
    public func sessionReference(_ key: String = "id") throws(RPCError) -> RecordReference {
        try reference(key, prefix: "S-", what: "a session id such as S-0001")
    }

    /// A fault id param ("F-0001", or its number).
    public func faultReference(_ key: String = "id") throws(RPCError) -> RecordReference {
        try reference(key, prefix: "F-", what: "a fault id such as F-0001")
    }

    private func reference(_ key: String, prefix: String, what: String) throws(RPCError) -> RecordReference {
        let text = try requiredString(key, meaning: what)
        guard RecordReference.number(text, prefix: prefix) != nil else {
            throw .invalidParams("\"\(key)\" must be \(what), not \"\(text)\".")
        }
        return RecordReference(text, prefix: prefix)
    }
}
