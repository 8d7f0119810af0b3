/// Who may do what, from `[access]` in needled.toml: pure, so every case is a unit test.
///
/// Root and the daemon's own user are operators (they can already stop or replace the daemon);
/// members of the operator group are operators; members of the read-only group may read and
/// stop; everyone else is refused at connect with -32004.
public struct AccessPolicy: Sendable, Equatable {
    /// A group by name (for messages) and id (for the check).
    public struct Group: Sendable, Equatable {
        public let name: String
        public let id: UInt32
        public init(name: String, id: UInt32) {
            self.name = name
            self.id = id
        }
    }

    public let daemonUserID: UInt32
    public let operatorGroup: Group?
    public let readOnlyGroup: Group?

    public init(daemonUserID: UInt32, operatorGroup: Group?, readOnlyGroup: Group?) {
        self.daemonUserID = daemonUserID
        self.operatorGroup = operatorGroup
        self.readOnlyGroup = readOnlyGroup
    }

    /// The role of a peer, or nil: refused.
    public func role(of peer: PeerCredentials) -> AccessRole? {
        if peer.userID == 0 || peer.userID == daemonUserID { return .operator }
        if let operatorGroup, peer.groupIDs.contains(operatorGroup.id) { return .operator }
        if let readOnlyGroup, peer.groupIDs.contains(readOnlyGroup.id) { return .readOnly }
        return nil
    }

    /// The error a refused peer reads before the connection closes.
    public func refusal(of peer: PeerCredentials) -> RPCError {
        RPCError(
            code: RPCError.unauthorizedCode,
            message:
                "Unauthorized: uid \(peer.userID) may not use needled; ask for membership of \(groupsSentence) (Docs/operations.md, \"Permissions\").",
            data: .object([("uid", .int(Int64(peer.userID)))]))
    }

    /// The error a read-only client gets for an operator's method; nothing is done.
    public func operatorOnly(_ method: String, peer: PeerCredentials) -> RPCError {
        let group = operatorGroup.map { "the operator group \($0.name)" } ?? "root"
        return RPCError(
            code: RPCError.unauthorizedCode,
            message:
                "Unauthorized: \(method) moves the pen or changes the records; uid \(peer.userID) may only read and stop. It needs \(group).",
            data: .object([("method", .string(method)), ("uid", .int(Int64(peer.userID))), ("role", "readOnly")]))
    }

    private var groupsSentence: String {
        switch (operatorGroup, readOnlyGroup) {
        case (let op?, let read?): "the operator group \(op.name) or the read-only group \(read.name)"
        case (let op?, nil): "the operator group \(op.name)"
        case (nil, let read?): "the read-only group \(read.name)"
        case (nil, nil): "no group (none is configured: only root and the daemon's user may connect)"
        }
    }
}
