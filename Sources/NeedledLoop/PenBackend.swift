public import NeedleCore

/// A hardware backend as the loop drives it: the simulated pen or GPIO. Like the core's
/// `PenHardware`, one read and one write a tick, but the write takes the phase the outputs were
/// computed in, and every backend checks them again (`checkBeforeWriting`) before a line moves.
public protocol PenBackend: ~Copyable, SendableMetatype {
    /// Sample every input. `measuredPeriod` is how long the last tick took, as the loop saw it.
    mutating func readInputs(measuredPeriod: Nanoseconds) -> PenInputs
    /// Apply this tick's outputs, computed in `phase` (with a fault latched or not). Outputs that
    /// break an `OutputInvariant` are never written: the safe ones are, and the process stops.
    mutating func writeOutputs(_ outputs: PenOutputs, phase: PenPhase, faulted: Bool)
    /// "simulated" or "gpio", as `daemon.info` reports it.
    var name: String { get }
    /// Time passes: the simulated pen advances its physics; real hardware ignores it.
    mutating func elapse(_ duration: Nanoseconds)
    /// The serial of the cartridge in the slot, when the backend can read one.
    var cartridgeSerial: CartridgeSerial? { get }
    var temperature: MilliCelsius { get }
    /// A control of the backend's own (the simulator's fault injection), which the loop passes
    /// on without knowing it; false when the backend has no such control (real hardware).
    mutating func handle(_ request: BackendRequest) -> Bool
    /// The outputs every line must be left in when the daemon stops.
    mutating func writeSafeOutputs()
}
