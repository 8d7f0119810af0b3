import Glibc
import NIOCore
import NIOPosix
import Testing

@testable import NeedledMetrics

/// The listener over a real TCP socket: `/metrics` with Prometheus' content type, 404 and 405
/// for anything else, and a connection that says nothing closed after the idle timeout.
@Suite struct MetricsHTTPServerTests {
    static let text = "# TYPE needled_loop_ticks_total counter\nneedled_loop_ticks_total 7\n"

    static func server(idleTimeout: TimeAmount = .seconds(60)) throws -> MetricsHTTPServer {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        return try MetricsHTTPServer(host: "127.0.0.1", port: 0, idleTimeout: idleTimeout) {
            loop.makeSucceededFuture(Self.text)
        }
    }

    /// Sends `request` and reads until the server closes (each request asks it to).
    static func exchange(_ port: Int, _ request: String?, deadlineSeconds: Int = 5) -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: deadlineSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return "not connected: errno \(errno)" }
        if let request { _ = request.withCString { send(descriptor, $0, strlen($0), 0) } }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return count == 0 ? String(decoding: answer, as: UTF8.self) : "timed out" }
            answer += buffer[0..<count]
        }
    }

    @Test func metricsAndNothingElse() async throws {
        let server = try Self.server()
        let port = server.port
        let ok = Self.exchange(port, "GET /metrics HTTP/1.1\r\nHost: pen\r\nConnection: close\r\n\r\n")
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(ok.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(ok.hasSuffix("\r\n\r\n" + Self.text))
        let head = Self.exchange(port, "HEAD /metrics HTTP/1.1\r\nHost: pen\r\nConnection: close\r\n\r\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && !head.contains("needled_loop_ticks_total"))
        let elsewhere = Self.exchange(port, "GET / HTTP/1.1\r\nHost: pen\r\nConnection: close\r\n\r\n")
        #expect(elsewhere.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        let post = Self.exchange(
            port, "POST /metrics HTTP/1.1\r\nHost: pen\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") && post.contains("Allow: GET, HEAD\r\n"))
        await server.close()
    }

    @Test func silentConnectionClosed() async throws {
        let server = try Self.server(idleTimeout: .milliseconds(200))
        let started = ContinuousClock.now
        #expect(Self.exchange(server.port, nil, deadlineSeconds: 5) == "")  // closed, not timed out
        #expect(ContinuousClock.now - started < .seconds(4))
        await server.close()
    }
}
