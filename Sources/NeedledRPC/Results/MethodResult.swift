/// A method's result as one type that the daemon writes and needlectl reads (Docs/api.md), so
/// the two cannot drift apart: `json` is the result on the wire, and `init(reading:)` reads it
/// back, a missing or changed field being a `ResultShapeError` that names it. Every method has
/// one (`APIMethod.resultType`, an exhaustive switch).
public protocol MethodResult: Sendable {
    /// The result on the wire, its members in the documented order.
    var json: JSONValue { get }
    /// Reads the result (or an object inside one) field by field.
    init(reading result: ResultReader) throws(ResultShapeError)
}

extension MethodResult {
    /// Reads `method`'s result.
    public init(_ method: APIMethod, _ result: JSONValue) throws(ResultShapeError) {
        try self.init(reading: ResultReader(method, result))
    }
}

/// A result that is a list of one kind of record (`session.list`, `cartridge.list`,
/// `fault.list`, `session.telemetry`): an array on the wire.
public struct ListResult<Element: MethodResult>: MethodResult {
    public var elements: [Element]

    public init(_ elements: [Element]) {
        self.elements = elements
    }

    public var json: JSONValue { .array(elements.map(\.json)) }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        elements = try result.elements().map { (element) throws(ResultShapeError) in try Element(reading: element) }
    }
}
