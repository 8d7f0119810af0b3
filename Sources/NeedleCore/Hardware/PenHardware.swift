/// The edge between the loop and a pen: the simulated pen now, GPIO later. One read and one
/// write per tick; everything else about a backend (opening devices, lifecycle) is the shell's.
///
/// A read that fails reports it in `PenInputs.hardwareStatus` rather than throwing, so the
/// supervisor decides what a failure means (a fault) in the same tick.
public protocol PenHardware: ~Copyable {
    /// Sample every input. `measuredPeriod` is how long the last tick took, as the loop saw it.
    mutating func readInputs(measuredPeriod: Nanoseconds) -> PenInputs
    /// Apply the outputs the supervisor computed for this tick.
    mutating func writeOutputs(_ outputs: PenOutputs)
}
