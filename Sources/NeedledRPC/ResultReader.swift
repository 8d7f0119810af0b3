public import NeedleCore

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

    /// The one way a field is read: present, and what `extract` makes of it; anything else is
    /// an error naming the field.
    private func required<Value>(
        _ key: String, _ expected: String, _ extract: (JSONValue) -> Value?
    ) throws(ResultShapeError) -> Value {
        let member = try field(key, expected: expected)
        guard let value = extract(member) else { throw mismatch(key, expected, member) }
        return value
    }

    /// As `required`, with null read as nil (the field present either way).
    private func nullable<Value>(
        _ key: String, _ expected: String, _ extract: (JSONValue) -> Value?
    ) throws(ResultShapeError) -> Value? {
        let member = try field(key, expected: expected + " or null")
        if member == .null { return nil }
        guard let value = extract(member) else { throw mismatch(key, expected + " or null", member) }
        return value
    }

    private static func text(_ value: JSONValue) -> String? {
        if case .string(let text) = value { text } else { nil }
    }

    private static func isObject(_ value: JSONValue) -> JSONValue? {
        if case .object = value { value } else { nil }
    }

    private func child(_ value: JSONValue, at key: String) -> ResultReader {
        ResultReader(method, value, path: path + key + ".")
    }

    private func children(_ elements: [JSONValue], at prefix: String) -> [ResultReader] {
        elements.enumerated().map { index, element in ResultReader(method, element, path: path + prefix + "[\(index)].")
        }
    }

    public func string(_ key: String) throws(ResultShapeError) -> String {
        try required(key, "a string", Self.text)
    }

    /// A string, or null (present either way).
    public func nullableString(_ key: String) throws(ResultShapeError) -> String? {
        try nullable(key, "a string", Self.text)
    }

    /// An integer, or null (present either way).
    public func nullableInteger(_ key: String) throws(ResultShapeError) -> Int64? {
        try nullable(key, "an integer") { if case .int(let number) = $0 { number } else { nil } }
    }

    /// A number, or null (present either way).
    public func nullableNumber(_ key: String) throws(ResultShapeError) -> Double? {
        try nullable(key, "a number") { member in
            switch member {
            case .int(let number): Double(number)
            case .double(let number): number
            default: nil
            }
        }
    }

    public func integer(_ key: String) throws(ResultShapeError) -> Int64 {
        try required(key, "an integer") { if case .int(let number) = $0 { number } else { nil } }
    }

    public func number(_ key: String) throws(ResultShapeError) -> Double {
        try required(key, "a number") { member in
            switch member {
            case .int(let number): Double(number)
            case .double(let number): number
            default: nil
            }
        }
    }

    public func bool(_ key: String) throws(ResultShapeError) -> Bool {
        try required(key, "a boolean") { if case .bool(let flag) = $0 { flag } else { nil } }
    }

    public func object(_ key: String) throws(ResultShapeError) -> ResultReader {
        child(try required(key, "an object", Self.isObject), at: key)
    }

    /// An object, or null (present either way): a session, a cartridge, a fault.
    public func nullableObject(_ key: String) throws(ResultShapeError) -> ResultReader? {
        try nullable(key, "an object", Self.isObject).map { child($0, at: key) }
    }

    /// A field the API adds only in some states (`recordsWarning`): absent or null is nil.
    public func optionalString(_ key: String) throws(ResultShapeError) -> String? {
        guard case .object = value, let member = value[key], member != .null else { return nil }
        guard let text = Self.text(member) else { throw mismatch(key, "a string", member) }
        return text
    }

    /// The elements when the result is itself an array (`session.list`, `cartridge.list`).
    public func elements() throws(ResultShapeError) -> [ResultReader] {
        guard case .array(let elements) = value else {
            throw ResultShapeError(
                method: method, field: path.isEmpty ? "(the result)" : String(path.dropLast()), expected: "an array",
                found: value)
        }
        return children(elements, at: "")
    }

    public func array(_ key: String) throws(ResultShapeError) -> [ResultReader] {
        children(try required(key, "an array") { if case .array(let elements) = $0 { elements } else { nil } }, at: key)
    }

    /// Any JSON value, present (null included): what the API passes through as it was recorded
    /// (a session's limits when it opened, an event's detail, a FHIR bundle).
    public func value(_ key: String) throws(ResultShapeError) -> JSONValue {
        try field(key, expected: "a value")
    }

    /// A nested result of its own type.
    public func decode<Nested: MethodResult>(
        _ key: String, as _: Nested.Type = Nested.self
    ) throws(ResultShapeError)
        -> Nested
    {
        try Nested(reading: object(key))
    }

    /// A nested result, or null (present either way).
    public func nullableDecode<Nested: MethodResult>(
        _ key: String, as _: Nested.Type = Nested.self
    )
        throws(ResultShapeError) -> Nested?
    {
        guard let reader = try nullableObject(key) else { return nil }
        return try Nested(reading: reader)
    }

    /// A nested result the API adds only in some configurations (`fleet`): absent is nil.
    public func optionalDecode<Nested: MethodResult>(
        _ key: String, as _: Nested.Type = Nested.self
    ) throws(ResultShapeError) -> Nested? {
        guard case .object = value, value[key] != nil else { return nil }
        return try Nested(reading: object(key))
    }

    /// An array of nested results.
    public func list<Nested: MethodResult>(
        _ key: String, of _: Nested.Type = Nested.self
    ) throws(ResultShapeError)
        -> [Nested]
    {
        try array(key).map { (element) throws(ResultShapeError) in try Nested(reading: element) }
    }

    /// An array of strings.
    public func strings(_ key: String) throws(ResultShapeError) -> [String] {
        try Self.texts(array(key))
    }

    /// The strings when the result is itself an array of them (`rpc.listMethods`).
    public func stringElements() throws(ResultShapeError) -> [String] {
        try Self.texts(elements())
    }

    private static func texts(_ elements: [ResultReader]) throws(ResultShapeError) -> [String] {
        try elements.map { (element) throws(ResultShapeError) in
            guard let text = Self.text(element.value) else {
                throw ResultShapeError(
                    method: element.method, field: String(element.path.dropLast()), expected: "a string",
                    found: element.value)
            }
            return text
        }
    }

    /// One of an enumeration's names (a phase, an area, a fault code).
    public func name<Name: RawRepresentable & CaseIterable>(
        _ key: String, as _: Name.Type = Name.self
    )
        throws(ResultShapeError) -> Name where Name.RawValue == String
    {
        let expected = "one of " + Name.allCases.map(\.rawValue).joined(separator: ", ")
        let text = try string(key)
        guard let name = Name(rawValue: text) else { throw mismatch(key, expected, .string(text)) }
        return name
    }

    /// An integer that fits 32 bits (micrometres, millicelsius).
    public func integer32(_ key: String) throws(ResultShapeError) -> Int32 {
        let number = try integer(key)
        guard let narrow = Int32(exactly: number) else { throw mismatch(key, "an integer of 32 bits", .int(number)) }
        return narrow
    }

    /// A rate in hertz, whole or to the millihertz.
    public func hertz(_ key: String) throws(ResultShapeError) -> Hertz {
        let number = try number(key)
        let millihertz = (number * 1000).rounded()
        guard let exact = Int32(exactly: millihertz) else {
            throw mismatch(key, "a rate in hertz", .double(number))
        }
        return Hertz(millihertz: exact)
    }

    /// An integer the API adds only in some answers (`hz` of `telemetry.subscribe`): absent is nil.
    public func optionalInteger(_ key: String) throws(ResultShapeError) -> Int64? {
        guard case .object = value, let member = value[key] else { return nil }
        guard case .int(let number) = member else { throw mismatch(key, "an integer", member) }
        return number
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
