import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// sd_listen_fds(3) without libsystemd: the listening sockets systemd passed (`LISTEN_FDS`
/// descriptors from 3 on, meant for this process per `LISTEN_PID`). The variables are removed
/// once read, so that no child inherits them, and the descriptors marked close-on-exec.
public enum SocketActivation {
    public static let firstDescriptor: Int32 = 3

    public static func takeListeningDescriptors() -> [Int32] {
        let environment = ProcessInfo.processInfo.environment
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pid = environment["LISTEN_PID"], pid == String(getpid()),
            let count = environment["LISTEN_FDS"].flatMap(Int32.init), count > 0
        else { return [] }
        let descriptors = Array(firstDescriptor..<(firstDescriptor + count))
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return descriptors
    }
}
