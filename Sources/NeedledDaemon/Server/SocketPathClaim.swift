import Foundation

/// Makes sure needled's socket path is free before anything starts. A stale socket (a crashed
/// needled's) is removed; anything else is left alone and refused with a sentence that says
/// what is there: a live listener (a second daemon must never take the pen from the first), or
/// a file that is not a socket (never deleted on a guess).
enum SocketPathClaim {
    static func claim(_ path: String) throws(DaemonError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }  // nothing there
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            let kind = status.st_mode & S_IFMT == S_IFDIR ? "a directory" : "a file that is not a socket"
            throw .socketUnavailable(
                "\(path) is \(kind); needled will not remove it. Remove it yourself, or give --socket another path.")
        }
        if isListening(path) {
            throw .socketUnavailable(
                "another program is already listening at \(path) (another needled?); stop it first (systemctl stop needled), or give --socket another path."
            )
        }
        unlink(path)  // a stale socket: nobody listens on it
    }

    private static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0 || errno == EAGAIN  // EAGAIN: listening, backlog full
    }
}
