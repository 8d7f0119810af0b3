/// A JSON-RPC 2.0 request after its shape is checked; the method's own params are checked later.
public struct JSONRPCRequest: Sendable, Equatable {
    public let id: JSONValue?  // nil: a notification, which gets no response
    public let method: String
    public let params: JSONValue?

    public var isNotification: Bool { id == nil }

    /// Checks one request object's shape (per the spec) before any handler sees it.
    public static func validate(_ value: JSONValue) -> Result<JSONRPCRequest, RPCError> {
        guard case .object = value else {
            return .failure(.invalidRequest("a request must be a JSON object."))
        }
        guard value["jsonrpc"] == .string("2.0") else {
            return .failure(.invalidRequest("\"jsonrpc\" must be \"2.0\"."))
        }
        let id = value["id"]
        switch id {
        case nil, .string?, .int?, .double?, .null?: break
        default: return .failure(.invalidRequest("\"id\" must be a string, a number or null."))
        }
        guard case .string(let method)? = value["method"] else {
            return .failure(.invalidRequest("\"method\" must be a string."))
        }
        let params = value["params"]
        switch params {
        case nil, .object?, .array?: break
        default: return .failure(.invalidRequest("\"params\" must be an object or an array."))
        }
        return .success(JSONRPCRequest(id: id, method: method, params: params))
    }
}

/// Builds response objects.
public enum JSONRPCResponse {
    public static func result(_ result: JSONValue, id: JSONValue) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("id", id), ("result", result)])
    }

    public static func error(_ error: RPCError, id: JSONValue?) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("id", id ?? .null), ("error", error.json)])
    }

    public static func notification(_ method: String, params: JSONValue) -> JSONValue {
        .object([("jsonrpc", "2.0"), ("method", .string(method)), ("params", params)])
    }
}
