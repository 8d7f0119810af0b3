import Foundation
public import NeedledRPC

/// A small blocking client for needled's socket: one request, one response line, with a
/// timeout. Notifications that arrive before the response are handed to `onNotification`.
public final class NeedledClient {
    public enum Failure: Error, CustomStringConvertible {
        /// The socket could not be reached: the daemon is not running, or permission is denied.
        case unavailable(path: String, reason: String)
        /// The connection broke or timed out mid-conversation.
        case connectionLost(path: String, reason: String)
        case badResponse(String)

        public var description: String {
            switch self {
            case .unavailable(let path, let reason): "cannot reach needled at \(path): \(reason)"
            case .connectionLost(let path, let reason): "lost the connection to needled at \(path): \(reason)"
            case .badResponse(let detail): "needled sent something unexpected: \(detail)"
            }
        }
    }

    public let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var nextID: Int64 = 0

    public init(path: String, timeoutSeconds: Int = 5) throws(Failure) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .unavailable(path: path, reason: String(cString: strerror(errno))) }
        guard let address = UnixSocketAddress(path: path) else {
            close(fd)
            throw .unavailable(
                path: path,
                reason: "the path is too long for a Unix socket (at most \(UnixSocketAddress.pathBytesMax) bytes)")
        }
        let result = address.withSocketAddress { connect(fd, $0, $1) }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw .unavailable(path: path, reason: Self.explain(errno: code))
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// The socket, for poll(2) beside other inputs (needlectl watch polls it with the keyboard).
    public var fileDescriptor: Int32 { descriptor }

    /// A whole message is already read and waiting: `readMessage` returns it without blocking.
    public var hasBufferedMessage: Bool { buffer.contains(UInt8(ascii: "\n")) }

    static func explain(errno code: Int32) -> String {
        switch code {
        case ENOENT: "no socket there (is needled running? start it with `needled`, or pass --socket)"
        case ECONNREFUSED: "nothing is listening (needled is not running, or it stopped)"
        case EACCES, EPERM: "permission denied (join the needled operator group, or run as the service's user)"
        default: String(cString: strerror(code))
        }
    }

    /// Calls one of the API's methods by its typed name (needlectl's way: no method name of its own).
    /// Calls `method` with its params, of the type the API gives it (`APIMethod.paramsType`:
    /// another type is a programming error, and traps).
    public func call<P: MethodParams>(
        _ method: APIMethod, _ params: P, onNotification: ((String, JSONValue) -> Void)? = nil
    ) throws -> JSONValue {
        precondition(method.paramsType == P.self, "\(method.name) takes \(method.paramsType), not \(P.self)")
        return try call(method.name, params: params.json, onNotification: onNotification)
    }

    /// Calls a method that takes no params (or, for `pen.emergencyStop`, needs none).
    public func call(_ method: APIMethod, onNotification: ((String, JSONValue) -> Void)? = nil) throws -> JSONValue {
        method == .penEmergencyStop
            ? try call(method, EmergencyStopParams(), onNotification: onNotification)
            : try call(method, NoParams(), onNotification: onNotification)
    }

    /// Sends one request and waits for its response. Returns the result, or throws the RPC error.
    public func call(
        _ method: String, params: JSONValue? = nil, onNotification: ((String, JSONValue) -> Void)? = nil
    ) throws -> JSONValue {
        nextID += 1
        let id = nextID
        var members: [(String, JSONValue)] = [("jsonrpc", "2.0"), ("id", .int(id)), ("method", .string(method))]
        if let params { members.append(("params", params)) }
        try send(JSONValue.object(members).serialized)
        while true {
            let message = try readMessage()
            if case .string(let notification)? = message["method"], message["id"] == nil {
                onNotification?(notification, message["params"] ?? .null)
                continue
            }
            // An error with a null id is about the connection itself (refused at connect, or
            // the line could not be read): it answers this request too.
            let aboutConnection = message["id"] == .null && message["error"] != nil
            guard message["id"] == .int(id) || aboutConnection else { continue }
            if let error = message["error"] {
                guard case .int(let code)? = error["code"], case .string(let text)? = error["message"] else {
                    throw Failure.badResponse(error.serialized)
                }
                throw RPCError(code: Int(code), message: text, data: error["data"])
            }
            return message["result"] ?? .null
        }
    }

    /// Reads the next message (a notification, typically, after a subscription).
    public func readMessage() throws(Failure) -> JSONValue {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard let value = JSONValue.parse(line) else {
                    throw .badResponse(String(decoding: line, as: UTF8.self))
                }
                return value
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason =
                    count == 0
                    ? "needled closed the connection"
                    : (errno == EAGAIN ? "no answer in time" : String(cString: strerror(errno)))
                throw .connectionLost(path: path, reason: reason)
            }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    public func send(_ line: String) throws(Failure) {
        try sendRaw(Array((line + "\n").utf8))
    }

    /// Sends bytes exactly as given (tests use it for invalid UTF-8 and partial lines).
    public func sendRaw(_ raw: [UInt8]) throws(Failure) {
        var bytes = raw
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a daemon that closed gets an error message, not a silent SIGPIPE death.
            let written = bytes.withUnsafeMutableBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw .connectionLost(path: path, reason: String(cString: strerror(errno))) }
            offset += written
        }
    }
}
