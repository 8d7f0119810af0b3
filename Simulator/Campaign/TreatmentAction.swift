public import NeedleCore
public import PenSimulator

/// One step of a random treatment: a command, some ticks, a fault injected or cleared, a hand on
/// the pen. Decoded from a random 64-bit number so that the property library can shrink a
/// failing sequence by dropping steps.
public enum TreatmentAction: Sendable, CustomStringConvertible {
    case wait(ticks: Int)
    case lateTicks(Int)
    case command(PenCommand)
    case inject(SimulatedFault)
    case clear(SimulatedFault)
    case skinContact(Bool)
    case emergencyStopButton(pressed: Bool)
    case insertCartridge
    /// Home, open a session, arm and start, each as the pen allows: most random sequences would
    /// otherwise never reach running.
    case treatmentPath(TreatmentArea)
    /// The hardware goes away or fails to answer for a few ticks.
    case hardware(HardwareStatus, ticks: Int)
    /// A configuration reload lowers the maximum depth.
    case lowerDepthLimit(Micrometres)
    /// Two faults at the same instant.
    case injectTwo(SimulatedFault, SimulatedFault)
    /// Home, and a fault strikes `afterTicks` into homing.
    case faultWhileHoming(SimulatedFault, afterTicks: Int)
    /// Stop a running pen, and a fault strikes `afterTicks` into the ramp-down.
    case faultWhileStopping(SimulatedFault, afterTicks: Int)
    /// Reset the latched fault, and a fault strikes in the same tick.
    case faultAtReset(SimulatedFault)

    public init(random value: UInt64) {
        let argument = value >> 8
        let faults = SimulatedFault.allCases
        let areas = TreatmentArea.allCases
        switch value % 100 {
        case 0..<20: self = .wait(ticks: Int(argument % 60) + 1)
        case 20..<28: self = .treatmentPath(areas[Int(argument % UInt64(areas.count))])
        case 28..<36: self = .wait(ticks: Int(argument % 1300) + 200)
        case 36..<44: self = .command(.home)
        case 44..<49: self = .command(.openSession(areas[Int(argument % UInt64(areas.count))]))
        case 49..<55: self = .command(.arm)
        case 55..<62: self = .command(.start)
        case 62..<66: self = .command(.stop)
        case 66..<70: self = .command(.setDepth(Micrometres(Int32(argument % 3600) - 200)))
        case 70..<74: self = .command(.setSpeed(Hertz(millihertz: Int32(argument % 200_000))))
        case 74..<76: self = .command(.emergencyStop)
        case 76..<80: self = .command(.resetFault)
        case 80..<82: self = .command(.closeSession)
        case 82..<83: self = .command(.acceptCartridge)
        case 83..<86: self = .inject(faults[Int(argument % UInt64(faults.count))])
        case 86..<90: self = .clear(faults[Int(argument % UInt64(faults.count))])
        case 90..<92: self = .skinContact(argument % 2 == 0)
        case 92..<94: self = .emergencyStopButton(pressed: argument % 2 == 0)
        case 94..<95: self = .insertCartridge
        case 95..<96:
            switch argument % 3 {
            case 0: self = .hardware(argument % 2 == 0 ? .lost : .ioError, ticks: Int(argument % 5) + 1)
            default: self = .lowerDepthLimit(Micrometres(Int32(argument % 1500) + 50))
            }
        default:
            let fault = faults[Int(argument % UInt64(faults.count))]
            switch (argument >> 8) % 5 {
            case 0: self = .lateTicks(Int(argument % 8) + 1)
            case 1: self = .injectTwo(fault, faults[Int((argument >> 16) % UInt64(faults.count))])
            case 2: self = .faultWhileHoming(fault, afterTicks: Int((argument >> 16) % 400) + 1)
            case 3: self = .faultWhileStopping(fault, afterTicks: Int((argument >> 16) % 40))
            default: self = .faultAtReset(fault)
            }
        }
    }

    public var description: String {
        switch self {
        case .wait(let ticks): "wait \(ticks)"
        case .lateTicks(let ticks): "late \(ticks)"
        case .command(let command): "\(command)"
        case .inject(let fault): "inject \(fault)"
        case .clear(let fault): "clear \(fault)"
        case .skinContact(let on): "skin \(on)"
        case .emergencyStopButton(let pressed): "estop button \(pressed)"
        case .insertCartridge: "insert cartridge"
        case .treatmentPath(let area): "treatment path on \(area)"
        case .hardware(let status, let ticks): "hardware \(status) for \(ticks)"
        case .lowerDepthLimit(let depth): "lower depth limit to \(depth)"
        case .injectTwo(let first, let second): "inject \(first) and \(second) at once"
        case .faultWhileHoming(let fault, let ticks): "home, \(fault) after \(ticks) ticks"
        case .faultWhileStopping(let fault, let ticks): "stop, \(fault) after \(ticks) ticks"
        case .faultAtReset(let fault): "reset, \(fault) at once"
        }
    }
}

/// Random but valid limits, so that the properties hold for any configuration, not just ours.
public func randomConfiguration(_ value: UInt64) throws -> PenConfiguration {
    var random = SplitMix64(seed: value)
    let speedMax = Hertz(Int32.random(in: 40...150, using: &random))
    let speedMin = Hertz(Int32.random(in: 25...min(60, speedMax.millihertz / 1000), using: &random))
    let limits = try SafetyLimits(
        depthMax: Micrometres(Int32.random(in: 100...3000, using: &random)),
        speedMin: speedMin,
        speedMax: speedMax,
        speedRamp: HertzPerSecond(Int32.random(in: 300...3000, using: &random)),
        overspeedMargin: Hertz(Int32.random(in: 5...20, using: &random)),
        stallTimeout: .milliseconds(Int64.random(in: 50...500, using: &random)),
        temperatureMax: .degrees(Int32.random(in: 38...48, using: &random)),
        continuousRunMax: .seconds(Int64.random(in: 1...20, using: &random)),
        sessionLengthMax: .minutes(Int64.random(in: 1...5, using: &random)),
        cartridgeUseMax: .seconds(Int64.random(in: 10...40, using: &random)),
        armTimeout: .seconds(Int64.random(in: 1...5, using: &random)),
        homingTimeout: .milliseconds(Int64.random(in: 800...5000, using: &random)),
        tickOverrunsInARowMax: Int32.random(in: 2...6, using: &random))
    let defaultSpeed = min(max(Hertz(100), speedMin), speedMax)
    var depthAxis = DepthAxisSettings()
    depthAxis.retractOnFault = random.next() % 2 == 0
    return PenConfiguration(limits: limits, depthAxis: depthAxis, defaultSpeed: defaultSpeed)
}

extension SafetyLimits {
    /// These limits with a shallower maximum depth (areas lowered to match), as a reload would give.
    public func loweringDepthMax(to depth: Micrometres) throws -> SafetyLimits {
        var areas = areaDepthMax
        for area in TreatmentArea.allCases { areas[area] = min(areas[area], depth) }
        return try SafetyLimits(
            depthMax: min(depth, depthMax), areaDepthMax: areas, speedMin: speedMin, speedMax: speedMax,
            speedRamp: speedRamp, overspeedMargin: overspeedMargin, stallTimeout: stallTimeout,
            depthFollowingErrorTolerance: depthFollowingErrorTolerance, temperatureMax: temperatureMax,
            continuousRunMax: continuousRunMax, sessionLengthMax: sessionLengthMax, cartridgeUseMax: cartridgeUseMax,
            armTimeout: armTimeout,
            homingTimeout: homingTimeout, tickOverrunsInARowMax: tickOverrunsInARowMax)
    }
}
