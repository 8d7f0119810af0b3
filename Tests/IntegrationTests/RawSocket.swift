import Foundation
import NeedledRPC

/// A bare Unix-socket client for hostile tests: sends any bytes, reads with a timeout, half-closes.
final class RawSocket {
    let descriptor: Int32
    private var buffer: [UInt8] = []

    init?(path: String, timeoutMilliseconds: Int = 3000) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        guard let address = UnixSocketAddress(path: path), address.withSocketAddress({ connect(fd, $0, $1) }) == 0
        else {
            close(fd)
            return nil
        }
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: Int((timeoutMilliseconds % 1000) * 1000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Sends all of it, or as much as the peer takes before the send timeout; returns the count.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { break }
            offset += written
        }
        return offset
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// The next line, or nil at EOF, on a reset or when nothing came within the timeout.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    func shutdownWriting() { shutdown(descriptor, Int32(SHUT_WR)) }
}
