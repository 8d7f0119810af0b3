import Foundation
import NeedledRPC

/// Asks the kernel who connected, as it was at connect: `SO_PEERCRED` (pid, uid, primary gid)
/// and `SO_PEERGROUPS` (the supplementary groups, Linux 4.13+). Nothing is read from /proc, which
/// the hardened unit hides (`ProtectProc=invisible`). If the groups cannot be read (more than
/// 256 of them, the buffer below), only the primary group counts: access fails closed.
public enum PeerCredentialsReader {
    /// `struct ucred` from <sys/socket.h> (glibc hides it without _GNU_SOURCE); same layout.
    struct KernelCredentials: Sendable {
        var processID: Int32 = 0
        var userID: UInt32 = 0
        var groupID: UInt32 = 0
    }

    /// `SO_PEERGROUPS` from <asm-generic/socket.h>.
    static let peerGroupsOption: Int32 = 59

    /// From the connection's descriptor, on the acceptor's thread (before the event loop has
    /// the connection); nil if the kernel will not say. The kernel says how many groups it wrote.
    static func read(descriptor: Int32) -> PeerCredentials? {
        var credentials = KernelCredentials()
        var length = socklen_t(MemoryLayout<KernelCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        var groups = [UInt32](repeating: 0, count: 256)
        var groupsLength = socklen_t(groups.count * MemoryLayout<UInt32>.size)
        let groupsRead = groups.withUnsafeMutableBytes {
            getsockopt(descriptor, SOL_SOCKET, peerGroupsOption, $0.baseAddress, &groupsLength) == 0
        }
        var ids = [credentials.groupID]
        if groupsRead {
            for group in groups.prefix(Int(groupsLength) / MemoryLayout<UInt32>.size) where !ids.contains(group) {
                ids.append(group)
            }
        }
        return PeerCredentials(processID: credentials.processID, userID: credentials.userID, groupIDs: ids)
    }
}
