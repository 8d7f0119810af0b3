public import Foundation
import NeedledRPC

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify(3) without libsystemd: datagrams to `$NOTIFY_SOCKET` (a path, or `@` for the
/// abstract namespace). READY=1, STATUS=…, RELOADING=1, WATCHDOG=1. Outside systemd (no
/// `NOTIFY_SOCKET`) every call is a no-op that returns false.
public struct SystemdNotifier: Sendable {
    public let socketPath: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public var isActive: Bool { socketPath != nil }

    /// Sends one state string ("READY=1\nSTATUS=…"); false when not under systemd or on failure.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard let address = UnixSocketAddress(path: socketPath) else { return false }
        let bytes = Array(state.utf8)
        let sent = address.withSocketAddress { socketAddress, length in
            bytes.withUnsafeBytes { buffer in
                sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
        return sent == bytes.count
    }

    /// The watchdog interval systemd asks for (`WATCHDOG_USEC`, for this process per
    /// `WATCHDOG_PID`), or nil when there is no watchdog.
    public static func watchdogInterval(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else {
            return nil
        }
        if let pid = environment["WATCHDOG_PID"], pid != String(getpid()) { return nil }
        return .microseconds(microseconds)
    }
}
