/// `rpc.listMethods`: the names of the methods this daemon answers, in the API's order (names,
/// not `APIMethod`s: a newer daemon may answer methods this client does not know).
public struct MethodListResult: MethodResult, Equatable {
    public var names: [String]

    public init(_ methods: [APIMethod]) {
        names = methods.map(\.name)
    }

    public var json: JSONValue { .array(names.map { .string($0) }) }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        names = try result.stringElements()
    }
}
