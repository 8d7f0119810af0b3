/// Who is on the other end of a connection, as the kernel says (`SO_PEERCRED`, and the
/// process's supplementary groups): what access is decided from, and what the log names.
public struct PeerCredentials: Sendable, Equatable, CustomStringConvertible {
    public let processID: Int32
    public let userID: UInt32
    /// The primary group and every supplementary group.
    public let groupIDs: [UInt32]

    public init(processID: Int32, userID: UInt32, groupIDs: [UInt32]) {
        self.processID = processID
        self.userID = userID
        self.groupIDs = groupIDs
    }

    public var description: String { "uid \(userID) (pid \(processID))" }
}
