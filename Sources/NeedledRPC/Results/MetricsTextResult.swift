/// `daemon.metrics`: the same text Prometheus scrapes from `[metrics] listen`, for a host that
/// opens no port (`needlectl metrics` into node_exporter's textfile collector).
public struct MetricsTextResult: MethodResult, Equatable {
    /// Prometheus' text exposition format.
    public var contentType: String
    public var text: String

    public init(contentType: String, text: String) {
        self.contentType = contentType
        self.text = text
    }

    public var json: JSONValue { .object([("contentType", .string(contentType)), ("text", .string(text))]) }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        contentType = try result.string("contentType")
        text = try result.string("text")
    }
}
