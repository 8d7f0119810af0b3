import Foundation
public import NIOCore
public import NeedledRPC

/// Asks the kernel who connected: `SO_PEERCRED` (pid, uid, primary gid, fixed at connect) and
/// the process's supplementary groups from `/proc/PID/status`. If the groups cannot be read
/// (the client already exited), only the primary group counts: access fails closed.
public enum PeerCredentialsReader {
    /// `struct ucred` from <sys/socket.h> (glibc hides it without _GNU_SOURCE); same layout.
    struct KernelCredentials: Sendable {
        var processID: Int32 = 0
        var userID: UInt32 = 0
        var groupID: UInt32 = 0
    }

    public static func read(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        let future: EventLoopFuture<KernelCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { credentials in
            var groups = [credentials.groupID]
            for group in supplementaryGroups(of: credentials.processID) where !groups.contains(group) {
                groups.append(group)
            }
            return PeerCredentials(processID: credentials.processID, userID: credentials.userID, groupIDs: groups)
        }
    }

    /// The `Groups:` line of /proc/PID/status (procfs: in memory, a short read).
    static func supplementaryGroups(of processID: Int32) -> [UInt32] {
        guard processID > 0,
            let text = try? String(contentsOfFile: "/proc/\(processID)/status", encoding: .utf8)
        else { return [] }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Groups:") }) else { return [] }
        return line.dropFirst("Groups:".count).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap {
            UInt32($0)
        }
    }
}
