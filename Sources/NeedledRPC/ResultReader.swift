/// One method's result, read field by field as the API documents it (Docs/api.md): a field that
/// is missing, or of another type, is a `ResultShapeError` naming the method and the field, so
/// a client that drifted from the daemon says so instead of printing "?". needlectl reads every
/// result it shows through one.
public struct ResultReader: Sendable {
    public let method: APIMethod
    public let value: JSONValue
    /// Where this object sits in the result ("" for the result itself, "cartridge." inside it).
    let path: String

    public init(_ method: APIMethod, _ value: JSONValue) {
        self.init(method, value, path: "")
    }

    init(_ method: APIMethod, _ value: JSONValue, path: String) {
        self.method = method
        self.value = value
        self.path = path
    }

    private func field(_ key: String, expected: String) throws(ResultShapeError) -> JSONValue {
        guard case .object = value else {
            throw ResultShapeError(method: method, field: String(path.dropLast()), expected: "an object", found: value)
        }
        guard let member = value[key] else {
            throw ResultShapeError(method: method, field: path + key, expected: expected, found: nil)
        }
        return member
    }

    private func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> ResultShapeError {
        ResultShapeError(method: method, field: path + key, expected: expected, found: found)
    }

    public func string(_ key: String) throws(ResultShapeError) -> String {
        let member = try field(key, expected: "a string")
        guard case .string(let text) = member else { throw mismatch(key, "a string", member) }
        return text
    }

    /// A string, or null (present either way).
    public func nullableString(_ key: String) throws(ResultShapeError) -> String? {
        let member = try field(key, expected: "a string or null")
        if member == .null { return nil }
        guard case .string(let text) = member else { throw mismatch(key, "a string or null", member) }
        return text
    }

    public func integer(_ key: String) throws(ResultShapeError) -> Int64 {
        let member = try field(key, expected: "an integer")
        guard case .int(let number) = member else { throw mismatch(key, "an integer", member) }
        return number
    }

    public func number(_ key: String) throws(ResultShapeError) -> Double {
        let member = try field(key, expected: "a number")
        switch member {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw mismatch(key, "a number", member)
        }
    }

    public func bool(_ key: String) throws(ResultShapeError) -> Bool {
        let member = try field(key, expected: "a boolean")
        guard case .bool(let flag) = member else { throw mismatch(key, "a boolean", member) }
        return flag
    }

    public func object(_ key: String) throws(ResultShapeError) -> ResultReader {
        let member = try field(key, expected: "an object")
        guard case .object = member else { throw mismatch(key, "an object", member) }
        return ResultReader(method, member, path: path + key + ".")
    }

    /// An object, or null (present either way): a session, a cartridge, a fault.
    public func nullableObject(_ key: String) throws(ResultShapeError) -> ResultReader? {
        let member = try field(key, expected: "an object or null")
        if member == .null { return nil }
        guard case .object = member else { throw mismatch(key, "an object or null", member) }
        return ResultReader(method, member, path: path + key + ".")
    }

    /// A field the API adds only in some states (`recordsWarning`): absent or null is nil.
    public func optionalString(_ key: String) throws(ResultShapeError) -> String? {
        guard case .object = value, let member = value[key], member != .null else { return nil }
        guard case .string(let text) = member else { throw mismatch(key, "a string", member) }
        return text
    }

    /// The elements when the result is itself an array (`session.list`, `cartridge.list`).
    public func elements() throws(ResultShapeError) -> [ResultReader] {
        guard case .array(let elements) = value else {
            throw ResultShapeError(
                method: method, field: path.isEmpty ? "(the result)" : String(path.dropLast()), expected: "an array",
                found: value)
        }
        return elements.enumerated().map { index, element in ResultReader(method, element, path: path + "[\(index)].") }
    }

    public func array(_ key: String) throws(ResultShapeError) -> [ResultReader] {
        let member = try field(key, expected: "an array")
        guard case .array(let elements) = member else { throw mismatch(key, "an array", member) }
        return elements.enumerated().map { index, element in
            ResultReader(method, element, path: path + key + "[\(index)].")
        }
    }
}

/// A result that is not what the API documents: the method, the field and what was there.
public struct ResultShapeError: Error, Sendable, Equatable, CustomStringConvertible {
    public let method: APIMethod
    public let field: String
    public let expected: String
    /// What the field held; nil when it was missing.
    public let found: JSONValue?

    public init(method: APIMethod, field: String, expected: String, found: JSONValue?) {
        self.method = method
        self.field = field
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let what = found.map { "is \($0.typeName)" } ?? "is missing"
        return
            "\(method.name) answered a result whose \"\(field)\" \(what), not \(expected): needled and needlectl disagree on the API (Docs/api.md); use the needlectl of the same release as needled."
    }
}
