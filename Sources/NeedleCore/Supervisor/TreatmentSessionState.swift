/// What the core knows of the open treatment session: the area (and so the depth limit), when it
/// opened, and whether the cartridge in the slot belongs to it. Patient and cartridge records
/// live in the shell; the core needs only what gates motion.
public struct TreatmentSessionState: Sendable, Equatable {
    public let area: TreatmentArea
    public let openedAt: TickIndex
    /// Set by `openSession`/`acceptCartridge`, cleared when the cartridge leaves the slot.
    public internal(set) var cartridgeAccepted: Bool
    /// The session reached its maximum length: it can only be closed.
    public internal(set) var expired: Bool
    /// Ticks the motor has run with the cartridge now accepted (its use time).
    public internal(set) var cartridgeRunTicks: Int64 = 0
    /// The accepted cartridge reached its maximum use time: arming waits for a new one.
    public internal(set) var cartridgeSpent = false
    /// The encoder count when the session opened: strokes are counted from it.
    let encoderCountAtOpen: Int64
}

/// One tick's result: what to write to the pen, and what happened.
public struct TickOutput: Sendable, Equatable {
    public var outputs: PenOutputs
    public var events: EventBuffer
    /// Set when the supervisor's own outputs broke an `OutputInvariant` (a bug): `outputs` are
    /// then the safe ones, and the shell must write them and stop the process.
    public var invariantBreach: OutputInvariant? = nil
}

/// A snapshot of the pen for `pen.status`, telemetry and tests.
public struct PenStatus: Sendable, Equatable {
    public var phase: PenPhase
    public var homed: Bool
    public var depth: Micrometres
    public var depthTarget: Micrometres
    public var speed: Hertz
    public var speedTarget: Hertz
    public var fault: Fault?
    public var session: TreatmentSessionState?
    public var cartridgePresent: Bool
    public var tick: TickIndex
    public var effectiveDepthMax: Micrometres
    /// Needle strokes (cam revolutions) since the open session began; 0 without a session.
    public var sessionStrokes: Int64
}
