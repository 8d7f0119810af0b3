public import NeedleCore

/// The simulated pen: motor, cam and encoder, depth stage and home switch, cartridge slot,
/// driver fault line, temperature, and the E-stop button, behind the same `PenHardware`
/// protocol as the GPIO backend. It advances only when told (`advance(by:)`), in fixed
/// sub-steps, so tests run it much faster than real time and a seed makes it repeatable.
public struct SimulatedPen: PenHardware, Sendable {
    /// Physics sub-step: 100 µs, ten per 1 ms tick.
    public static let substep = Nanoseconds.microseconds(100)

    public private(set) var motor: MotorModel
    public private(set) var depthStage: DepthStageModel
    public private(set) var activeFaults = SimulatedFaults()
    public private(set) var cartridgeSerial: String?
    public private(set) var temperature: MilliCelsius = .degrees(25)
    public private(set) var elapsed: Nanoseconds = .zero
    public private(set) var lastOutputs: PenOutputs = .safe

    /// Needles in contact with skin: adds the skin load torque to the motor.
    public var skinContact = false
    public var emergencyStopPressed = false
    /// What a read reports about the hardware itself (for `hardwareLost` / `ioError` tests).
    public var hardwareStatus: HardwareStatus = .ok

    private var frozenEncoderCount: Int64? = nil
    /// The sensor's count (quadrature: signed; tachometer: every edge, whichever way) and when its
    /// newest edge came, interpolated inside the physics step as a kernel timestamp would be.
    public private(set) var sensorCount: Int64 = 0
    private var newestEdgeAt: Nanoseconds = .zero
    private var cartridgeCount: UInt64 = 0
    private var random: SplitMix64
    private let ambient = MilliCelsius.degrees(25)

    /// A pen just powered up: the depth stage somewhere in its travel (from the seed), a fresh
    /// cartridge inserted, the motor at rest.
    public init(seed: UInt64 = 1, motorParameters: MotorModel.Parameters = .init()) {
        precondition(motorParameters.sensor.countsPerRevolution > 0, "sensor resolution must be positive")
        var random = SplitMix64(seed: seed)
        self.motor = MotorModel(parameters: motorParameters)
        self.depthStage = DepthStageModel(positionSteps: Int32.random(in: 0...600, using: &random))
        self.random = random
        insertCartridge()
    }

    // MARK: PenHardware

    public mutating func readInputs(measuredPeriod: Nanoseconds) -> PenInputs {
        PenInputs(
            encoderCount: frozenEncoderCount ?? sensorCount,
            newestEdgeAge: frozenEncoderCount == nil ? elapsed - newestEdgeAt : .zero,
            speedSensorTrusted: !activeFaults.contains(.edgeLoss),
            homeSwitchActive: depthStage.homeSwitchActive,
            cartridgePresent: cartridgeSerial != nil,
            motorDriverFaultActive: activeFaults.contains(.driverFault),
            emergencyStopPressed: emergencyStopPressed,
            temperature: temperature,
            measuredPeriod: measuredPeriod,
            hardwareStatus: hardwareStatus)
    }

    public mutating func writeOutputs(_ outputs: PenOutputs) {
        lastOutputs = outputs
        depthStage.apply(
            steps: outputs.depthSteps, enabled: outputs.stepperEnabled,
            losingSteps: activeFaults.contains(.stepLoss))
    }

    // MARK: Time

    /// Run the physics forward by `duration` with the last outputs applied.
    public mutating func advance(by duration: Nanoseconds) {
        var remaining = duration
        while remaining > .zero {
            let slice = min(remaining, Self.substep)
            let before = motor.angleCounts
            advanceOneSlice(seconds: Double(slice.rawValue) / 1e9)
            countEdges(from: before, to: motor.angleCounts, during: slice)
            elapsed = elapsed + slice
            remaining = remaining - slice
        }
    }

    /// The sensor's edges between two angles (in counts) of one physics step: the count moves by
    /// the whole numbers crossed, and the newest edge is timed where the last one was crossed.
    private mutating func countEdges(from before: Double, to after: Double, during slice: Nanoseconds) {
        let low = before.rounded(.down)
        let high = after.rounded(.down)
        guard low != high else { return }
        let crossed = Int64(high - low)
        sensorCount += motor.parameters.sensor.isQuadrature ? crossed : abs(crossed)
        let lastBoundary = after > before ? high : high + 1
        let fraction = (lastBoundary - before) / (after - before)
        newestEdgeAt = elapsed + Nanoseconds(Int64((fraction * Double(slice.rawValue)).rounded()))
    }

    private mutating func advanceOneSlice(seconds dt: Double) {
        let outputs = lastOutputs
        let supply = motor.parameters.supplyVolts
        let drive: MotorModel.Drive
        if activeFaults.contains(.runaway) {
            drive = .volts(supply)
        } else if outputs.motorEnabled && !activeFaults.contains(.driverFault) {
            drive = .volts(outputs.motorDuty.fraction * supply)
        } else if outputs.brakeEngaged {
            drive = .volts(0)
        } else {
            drive = .coasting
        }
        let load = skinContact ? motor.parameters.skinLoadNewtonMetres : 0
        motor.advance(drive: drive, loadNewtonMetres: load, locked: activeFaults.contains(.stall), seconds: dt)
        advanceTemperature(seconds: dt)
    }

    /// Copper losses warm the handpiece slowly; an injected over-temperature heats it at 20 °C/s
    /// towards 60 °C; with neither it cools towards ambient.
    private mutating func advanceTemperature(seconds dt: Double) {
        let target: Double
        if activeFaults.contains(.overTemperature) {
            target = 60_000
        } else {
            let heating = motor.currentAmperes * motor.currentAmperes * motor.parameters.resistanceOhms
            target = Double(ambient.rawValue) + heating * 20_000  // 20 °C per watt
        }
        let now = Double(temperature.rawValue)
        let rate = activeFaults.contains(.overTemperature) ? 20_000.0 : 200.0  // m°C per second
        let step = min(abs(target - now), rate * dt)
        temperature = MilliCelsius(Int32((now + (target > now ? step : -step)).rounded()))
    }

    // MARK: Fault injection and the slot

    public mutating func inject(_ fault: SimulatedFault) {
        activeFaults.insert(fault)
        switch fault {
        case .encoderLoss: frozenEncoderCount = sensorCount
        case .cartridgeRemoved: cartridgeSerial = nil
        default: break
        }
    }

    public mutating func clear(_ fault: SimulatedFault) {
        activeFaults.remove(fault)
        switch fault {
        case .encoderLoss: frozenEncoderCount = nil
        case .cartridgeRemoved: if cartridgeSerial == nil { insertCartridge() }
        default: break
        }
    }

    /// A new sterile cartridge with a fresh serial ("SIM-0001-7F3A9C21"), as if read from its chip:
    /// 32 random bits from the seed, so pens with different seeds do not share serials.
    public mutating func insertCartridge() {
        cartridgeCount += 1
        let suffix = String(random.next() & 0xFFFF_FFFF, radix: 16, uppercase: true)
        let number = String(cartridgeCount)
        cartridgeSerial =
            "SIM-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
            + "-" + String(repeating: "0", count: 8 - suffix.count) + suffix
        activeFaults.remove(.cartridgeRemoved)
    }

    public mutating func removeCartridge() {
        cartridgeSerial = nil
    }

    /// The true needle depth, whatever the step count says.
    /// Sets the motor turning and the stage at a depth, as a recorded window begins.
    public mutating func prime(strokeRate: Hertz, depth: Micrometres) {
        motor.prime(strokeRateHertz: Double(strokeRate.millihertz) / 1000)
        depthStage.prime(positionSteps: depth.rawValue / 5)
    }

    public var trueDepth: Micrometres { Micrometres(depthStage.positionSteps * 5) }
}
