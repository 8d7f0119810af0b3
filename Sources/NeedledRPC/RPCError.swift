/// A JSON-RPC error object: code, a sentence a technician understands, and structured data.
public struct RPCError: Error, Sendable, Equatable {
    public let code: Int
    public let message: String
    public let data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("code", .int(Int64(code))), ("message", .string(message))]
        if let data { members.append(("data", data)) }
        return .object(members)
    }

    // The standard codes.
    public static func parseError(_ detail: String = "the line is not valid JSON.") -> RPCError {
        RPCError(code: -32700, message: "Parse error: \(detail)")
    }
    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: -32600, message: "Invalid request: \(detail)")
    }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: -32601, message: "Method not found: \(method).", data: .object([("method", .string(method))]))
    }
    public static func invalidParams(_ detail: String) -> RPCError {
        RPCError(code: -32602, message: "Invalid params: \(detail)")
    }
    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: -32603, message: "Internal error: \(detail)")
    }

    // needled's own codes: a public contract (Docs/api.md).
    public static let limitExceededCode = -32001
    public static let invalidStateCode = -32002
    public static let faultLatchedCode = -32003
    public static let unauthorizedCode = -32004
    public static let cartridgeRejectedCode = -32005
    /// The loop's mailbox is full: try again (never silently dropped).
    public static let busyCode = -32006

    /// The error's name as Docs/api.md's table gives it (the metrics' `outcome` label).
    public var name: String {
        switch code {
        case -32700: "parseError"
        case -32600: "invalidRequest"
        case -32601: "methodNotFound"
        case -32602: "invalidParams"
        case -32603: "internalError"
        case Self.limitExceededCode: "limitExceeded"
        case Self.invalidStateCode: "invalidState"
        case Self.faultLatchedCode: "faultLatched"
        case Self.unauthorizedCode: "unauthorized"
        case Self.cartridgeRejectedCode: "cartridgeRejected"
        case Self.busyCode: "busy"
        default: "error"
        }
    }

    public static func cartridgeRejected(reason: String, message: String) -> RPCError {
        RPCError(code: cartridgeRejectedCode, message: message, data: .object([("reason", .string(reason))]))
    }
}
