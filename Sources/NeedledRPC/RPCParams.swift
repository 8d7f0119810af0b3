/// Typed access to a method's params, with errors that name the field and what it must be.
public struct RPCParams: Sendable {
    public let method: String
    private let members: [(String, JSONValue)]

    /// Params must be absent or an object; `allowed` lists the keys the method takes, so an
    /// unexpected key is an error rather than silently ignored.
    public init(_ request: JSONRPCRequest, allowed: [String]) throws(RPCError) {
        method = request.method
        switch request.params {
        case nil: members = []
        case .object(let object)?: members = object
        case .array(let array)? where array.isEmpty: members = []
        default: throw .invalidParams("\(request.method) takes its params as an object with named fields.")
        }
        for (key, _) in members where !allowed.contains(key) {
            let expected = allowed.isEmpty ? "no params" : "only " + allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            throw .invalidParams("\(request.method) does not take \"\(key)\"; it takes \(expected).")
        }
    }

    public subscript(key: String) -> JSONValue? {
        members.first { $0.0 == key }?.1
    }

    public func requiredInteger(_ key: String, meaning: String) throws(RPCError) -> Int64 {
        guard let value = self[key] else { throw .invalidParams("\(method) needs \"\(key)\" (\(meaning)).") }
        switch value {
        case .int(let int): return int
        case .double(let double) where double == double.rounded() && abs(double) < 1e15: return Int64(double)
        default: throw .invalidParams("\"\(key)\" must be a whole number (\(meaning)), not \(value.typeName).")
        }
    }

    /// A page's `limit`: absent, `defaultValue`; else a whole number within `range`, or the error
    /// naming the param and the range ("1 to 1000 sessions").
    public func limit(
        default defaultValue: Int64, in range: ClosedRange<Int64>, of things: String
    ) throws(RPCError) -> Int {
        guard self["limit"] != nil else { return Int(defaultValue) }
        let limit = try requiredInteger("limit", meaning: "\(range.lowerBound) to \(range.upperBound) \(things)")
        guard range.contains(limit) else {
            throw .invalidParams("\"limit\" must be from \(range.lowerBound) to \(range.upperBound), not \(limit).")
        }
        return Int(limit)
    }

    public func requiredNumber(_ key: String, meaning: String) throws(RPCError) -> Double {
        guard let value = self[key] else { throw .invalidParams("\(method) needs \"\(key)\" (\(meaning)).") }
        switch value {
        case .int(let int): return Double(int)
        case .double(let double) where double.isFinite: return double
        default: throw .invalidParams("\"\(key)\" must be a number (\(meaning)), not \(value.typeName).")
        }
    }

    public func requiredString(_ key: String, meaning: String) throws(RPCError) -> String {
        guard let value = self[key] else { throw .invalidParams("\(method) needs \"\(key)\" (\(meaning)).") }
        guard case .string(let string) = value else {
            throw .invalidParams("\"\(key)\" must be a string (\(meaning)), not \(value.typeName).")
        }
        return string
    }

    public func optionalString(_ key: String, meaning: String) throws(RPCError) -> String? {
        guard let value = self[key], value != .null else { return nil }
        guard case .string(let string) = value else {
            throw .invalidParams("\"\(key)\" must be a string (\(meaning)), not \(value.typeName).")
        }
        return string
    }

    public func optionalBool(_ key: String) throws(RPCError) -> Bool? {
        guard let value = self[key], value != .null else { return nil }
        guard case .bool(let bool) = value else {
            throw .invalidParams("\"\(key)\" must be true or false, not \(value.typeName).")
        }
        return bool
    }
}
