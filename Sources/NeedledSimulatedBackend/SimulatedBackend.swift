public import NeedleCore
public import NeedledLoop
public import PenSimulator

/// The simulated pen, in real time: each tick advances its physics by the measured period.
public struct SimulatedBackend: PenBackend {
    public private(set) var pen: SimulatedPen
    /// The slot's serial in fixed storage, refreshed only when the slot changes (never in a
    /// plain tick, where building it would allocate).
    public private(set) var cartridgeSerial: CartridgeSerial?

    /// The most time one tick lets pass for the pen; nil: all of it (simulated time).
    public let longestElapse: Nanoseconds?

    /// `sensor`: the configured speed sensor, which the simulated pen models edge by edge.
    /// `longestElapse`: in real time, after a long stall (a debugger, a suspended VM) the physics
    /// does not try to catch up seconds at once (the daemon: 50 ms); in simulated time (the
    /// harness) a late tick is as late as the test says.
    public init(seed: UInt64, sensor: SpeedSensor = .default, longestElapse: Nanoseconds? = .milliseconds(50)) {
        var motor = MotorModel.Parameters()
        motor.sensor = sensor
        pen = SimulatedPen(seed: seed, motorParameters: motor)
        cartridgeSerial = pen.cartridgeSerial.flatMap(CartridgeSerial.init)
        self.longestElapse = longestElapse
    }

    /// Acts on the simulated world between ticks (a fault, a button, the skin, a cartridge):
    /// the cartridge's serial is read again afterwards, outside any tick.
    public mutating func withPen<Result>(_ body: (inout SimulatedPen) -> Result) -> Result {
        defer { cartridgeSerial = pen.cartridgeSerial.flatMap(CartridgeSerial.init) }
        return body(&pen)
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
        pen.advance(by: longestElapse.map { min(duration, $0) } ?? duration)
    }

    public var temperature: MilliCelsius { pen.temperature }

    public mutating func handle(_ request: BackendRequest) -> Bool {
        guard let fault = SimulatedFault.from(request.control) else { return false }
        switch request.action {
        case .activate: pen.inject(fault)
        case .deactivate: pen.clear(fault)
        }
        cartridgeSerial = pen.cartridgeSerial.flatMap(CartridgeSerial.init)
        return true
    }

    public mutating func writeSafeOutputs() {
        pen.writeOutputs(.safe)
    }
}
