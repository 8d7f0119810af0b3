/// A failure the simulated pen can be told to have. The raw values are the API's
/// `sim.injectFault {fault}` names.
public enum SimulatedFault: String, CaseIterable, Sendable, Hashable {
    /// The rotor is locked (needles jammed in tissue, a seized bearing).
    case stall
    /// The encoder stops counting (a broken wire): the motor turns, the count freezes.
    case encoderLoss
    /// The depth stepper loses every other step it takes deeper (overload against the skin).
    case stepLoss
    /// The cartridge leaves the slot.
    case cartridgeRemoved
    /// The motor driver raises its fault line.
    case driverFault
    /// The handpiece heats up well past any limit.
    case overTemperature
    /// The motor driver is stuck on: full voltage whatever enable, duty or brake say.
    case runaway
    /// The speed sensor's edges are lost (a loop too late for the kernel's buffer, a noisy line):
    /// the count can no longer be vouched for.
    case edgeLoss
}
