import Foundation
public import NIOCore
public import NeedledRPC

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

    public static func read(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        let credentials: EventLoopFuture<KernelCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        // NIO zero-fills the buffer and does not say how much the kernel wrote; the kernel writes
        // the groups sorted, so the zeros after them are padding. gid 0 is never an access group
        // (the configuration refuses it), so dropping zeros loses nothing.
        let groups: EventLoopFuture<InlineArray<256, UInt32>> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(peerGroupsOption))
        return credentials.and(groups.map(Optional.some).recover { _ in nil }).map { credentials, groups in
            var ids = [credentials.groupID]
            if let groups {
                for index in groups.indices where groups[index] != 0 && !ids.contains(groups[index]) {
                    ids.append(groups[index])
                }
            }
            return PeerCredentials(processID: credentials.processID, userID: credentials.userID, groupIDs: ids)
        }
    }
}
