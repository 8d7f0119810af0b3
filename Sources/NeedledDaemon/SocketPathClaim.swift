import Foundation
import NeedledRPC

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
        guard let address = UnixSocketAddress(path: path) else { return false }
        let result = address.withSocketAddress { connect(fd, $0, $1) }
        return result == 0 || errno == EAGAIN  // EAGAIN: listening, backlog full
    }
}
