extension JSONValue {
    /// This object with one more member at its end (a record and its children on the wire).
    public func appending(_ key: String, _ member: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members.append((key, member))
        return .object(members)
    }
}

extension JSONValue {
    /// The text, or null.
    public static func nullable(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
    /// The integer, or null.
    public static func nullable(_ number: Int64?) -> JSONValue { number.map { .int($0) } ?? .null }
    /// The number, or null.
    public static func nullable(_ number: Double?) -> JSONValue { number.map { .double($0) } ?? .null }
}
