#if canImport(Glibc)
    public import Glibc
#endif

/// A `sockaddr_un` for a socket path, built in one place: the client, the daemon's stale-socket
/// check, the systemd notifier and the tests all need one, and each copy had to remember the
/// length check (a path longer than `sun_path` would overrun it). A leading `@` names an
/// abstract socket (as `NOTIFY_SOCKET` may).
public struct UnixSocketAddress {
    private var address = sockaddr_un()
    private let length: socklen_t

    /// The longest path a Unix socket takes (107 bytes on Linux: `sun_path` less its NUL).
    public static var pathBytesMax: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// Nil when the path is empty or longer than `pathBytesMax`.
    public init?(path: String) {
        var bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.pathBytesMax else { return nil }
        let abstract = bytes[0] == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        // An abstract name is exactly its bytes; a path is NUL-terminated.
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
    }

    /// Calls `body` with the address as `connect`, `bind` and `sendto` take it.
    public func withSocketAddress<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
