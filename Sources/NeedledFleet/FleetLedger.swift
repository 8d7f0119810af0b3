/// The clinic's one ledger of single-use cartridges, shared by its pens (issue 20): a cartridge
/// bound to a session on any pen is refused as reused on every other. The server decides who
/// wins a race for one cartridge (one row per serial), and which pen is asking (its login, not
/// anything the pen says): a pen can bind cartridges only as itself.
public protocol FleetLedger: Sendable {
    /// Binds `serial` to `session` (the session's record id, unique across pens) for this pen.
    func bind(serial: String, session: String) async throws(FleetError) -> FleetVerdict

    /// The binding of `serial`, or nil: the fleet has not seen it.
    func binding(of serial: String) async throws(FleetError) -> CartridgeBinding?

    /// Tells the fleet that this pen used `binding`'s cartridge for `session` too (its binding
    /// came second, after a partition). Telling it twice is one conflict.
    func reportConflict(_ binding: CartridgeBinding, session: String) async throws(FleetError)

    /// The conflicts other pens reported on this pen's bindings.
    func conflictsOnOwnBindings() async throws(FleetError) -> [CartridgeConflict]

    /// Stores a closed session's copy in one transaction, or finds it held already; either way
    /// reads it back and compares it with `copy.fingerprint` (a copy that differs is refused).
    func store(_ copy: FleetSessionCopy) async throws(FleetError) -> FleetCopyOutcome

    /// Stores events and faults outside any session (held already: skipped).
    func store(events: [FleetEventCopy], faults: [FleetFaultCopy]) async throws(FleetError)

    /// The fleet's copy of a session, summed up; nil: it holds none.
    func fingerprint(ofSession recordID: String) async throws(FleetError) -> FleetCopyFingerprint?
}

/// One cartridge, two sessions on two pens: the fleet's binding, and the session that came second.
public struct CartridgeConflict: Sendable, Equatable {
    public var binding: CartridgeBinding
    public var otherPen: String
    public var otherSession: String

    public init(binding: CartridgeBinding, otherPen: String, otherSession: String) {
        self.binding = binding
        self.otherPen = otherPen
        self.otherSession = otherSession
    }
}

/// A cartridge bound in the fleet: by which pen (its role on the server), to which session.
public struct CartridgeBinding: Sendable, Equatable {
    public var serial: String
    public var pen: String
    public var session: String

    public init(serial: String, pen: String, session: String) {
        self.serial = serial
        self.pen = pen
        self.session = session
    }
}

/// What the fleet said to a binding.
public enum FleetVerdict: Sendable, Equatable {
    /// Bound now, to this session on this pen.
    case bound
    /// Bound before, to this same session on this same pen: a retry after a lost answer.
    case boundAlready
    /// Bound to another session, here or on another pen: the cartridge was used.
    case reused(CartridgeBinding)
}

/// Why the fleet did not answer.
public enum FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached or did not answer in time.
    case unreachable(String)
    /// The server answered with a refusal (a permission, a schema this pen does not know).
    case refused(String)

    public var description: String {
        switch self {
        case .unreachable(let reason): "the fleet's server cannot be reached: \(reason)"
        case .refused(let reason): "the fleet's server refused: \(reason)"
        }
    }
}
