public import NeedleCore
public import PenSimulator

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
    /// Simulator fault injection; false on real hardware.
    mutating func simulate(_ request: LoopRequest) -> Bool
    /// The outputs every line must be left in when the daemon stops.
    mutating func writeSafeOutputs()
}

/// The simulated pen, in real time: each tick advances its physics by the measured period.
public struct SimulatedBackend: PenBackend {
    public private(set) var pen: SimulatedPen
    /// The slot's serial in fixed storage, refreshed only when the slot changes (never in a
    /// plain tick, where building it would allocate).
    public private(set) var cartridgeSerial: CartridgeSerial?

    /// `sensor`: the configured speed sensor, which the simulated pen models edge by edge.
    public init(seed: UInt64, sensor: SpeedSensor = .default) {
        var motor = MotorModel.Parameters()
        motor.sensor = sensor
        pen = SimulatedPen(seed: seed, motorParameters: motor)
        cartridgeSerial = pen.cartridgeSerial.flatMap(CartridgeSerial.init)
    }

    public var name: String { "simulated" }

    public mutating func readInputs(measuredPeriod: Nanoseconds) -> PenInputs {
        pen.readInputs(measuredPeriod: measuredPeriod)
    }

    public mutating func writeOutputs(_ outputs: PenOutputs, phase: PenPhase, faulted: Bool) {
        checkBeforeWriting(outputs, phase: phase, faulted: faulted)
        pen.writeOutputs(outputs)
    }

    public mutating func elapse(_ duration: Nanoseconds) {
        // Bounded: after a long stall (a debugger, a suspended VM) the physics does not try to
        // catch up seconds at once.
        pen.advance(by: min(duration, .milliseconds(50)))
    }

    public var temperature: MilliCelsius { pen.temperature }

    public mutating func simulate(_ request: LoopRequest) -> Bool {
        switch request {
        case .injectFault(let fault): pen.inject(fault)
        case .clearFault(let fault): pen.clear(fault)
        case .pen, .stats, .recordsWritable, .reloadLimits: return false
        }
        cartridgeSerial = pen.cartridgeSerial.flatMap(CartridgeSerial.init)
        return true
    }

    public mutating func writeSafeOutputs() {
        pen.writeOutputs(.safe)
    }
}
