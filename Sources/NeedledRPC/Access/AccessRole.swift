/// What a connected client may do, decided once at connect from its peer credentials.
public enum AccessRole: String, Sendable, Equatable {
    /// May command motion and change records (the operator group, root, the daemon's own user).
    case `operator`
    /// May read status, telemetry and records, and stop the pen (the read-only group).
    case readOnly
}
