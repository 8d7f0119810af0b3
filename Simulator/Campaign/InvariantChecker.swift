public import LoopSimulation
public import NeedleCore
import PenSimulator

/// Runs one random treatment against the simulated pen and checks the safety invariants at
/// every tick and after every command; each one broken is kept in `violations` with the last
/// steps that led to it. The property tests and `fault-campaign` share it.
public struct InvariantChecker: Sendable {
    public var harness: SimulationHarness
    public private(set) var ticks = 0
    public private(set) var rejectedCommands = 0
    public private(set) var reachedRunning = false
    public private(set) var faultsSeen: Set<FaultCode> = []
    /// Simulated faults injected (two at once count twice).
    public private(set) var faultsInjected = 0
    /// Every invariant broken, with its trace; empty is the only passing result.
    public var violations: [String] { log.entries }
    private let log = ViolationLog()
    var history: [String] = []
    /// Ticks since the true stroke rate first ran clearly above the limit without a fault.
    var runawayTicks = 0
    /// A limit was lowered since the last tick: the next tick may find the depth beyond it.
    var loweredLimitPending = false

    public init(configuration: PenConfiguration, seed: UInt64) {
        // The flight recorder records and freezes as in the daemon; its windows are counted, not
        // copied, and a second's window is enough for that (10 s is 4 MB a treatment to fill).
        harness = SimulationHarness(configuration: configuration, seed: seed, flightWindow: .seconds(1))
        harness.keepsFaultWindows = false
    }

    public var supervisor: Supervisor { harness.supervisor }

    /// A reference, so that checking (which reads the trace) need not mutate the checker.
    final class ViolationLog: @unchecked Sendable {
        var entries: [String] = []
    }

    private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition && log.entries.count < 100 { log.entries.append(message()) }
    }

    private mutating func inject(_ fault: SimulatedFault) {
        harness.pen.inject(fault)
        faultsInjected += 1
    }

    public mutating func perform(_ action: TreatmentAction) {
        history.append(action.description)
        switch action {
        case .wait(let count):
            for _ in 0..<count { tick(late: false) }
        case .lateTicks(let count):
            for _ in 0..<count { tick(late: true) }
        case .command(let command):
            send(command)
        case .inject(let fault):
            inject(fault)
        case .clear(let fault):
            harness.pen.clear(fault)
        case .skinContact(let on):
            harness.pen.skinContact = on
        case .emergencyStopButton(let pressed):
            harness.pen.emergencyStopPressed = pressed
        case .insertCartridge:
            harness.pen.insertCartridge()
        case .treatmentPath(let area):
            send(.home)
            for _ in 0..<1500 where harness.supervisor.phase == .homing { tick(late: false) }
            for command in [PenCommand.openSession(area), .arm, .start] { send(command) }
        case .hardware(let status, let count):
            harness.pen.hardwareStatus = status
            for _ in 0..<count { tick(late: false) }
            harness.pen.hardwareStatus = .ok
        case .lowerDepthLimit(let depth):
            let lowered = try? harness.supervisor.limits.loweringDepthMax(to: depth)
            if let lowered {
                harness.reloadLimits(lowered)
                loweredLimitPending = true
            }
        case .injectTwo(let first, let second):
            inject(first)
            inject(second)
        case .faultWhileHoming(let fault, let ticks):
            send(.home)
            for _ in 0..<ticks where harness.supervisor.phase == .homing { tick(late: false) }
            inject(fault)
        case .faultWhileStopping(let fault, let ticks):
            send(.stop)
            for _ in 0..<ticks where harness.supervisor.phase == .stopping { tick(late: false) }
            inject(fault)
        case .faultAtReset(let fault):
            send(.resetFault)
            inject(fault)
        }
    }

    private mutating func send(_ command: PenCommand) {
        let before = harness.supervisor
        do {
            try harness.send(command)
        } catch {
            rejectedCommands += 1
            // A rejected command changes nothing.
            check(harness.supervisor == before, "rejected \(command) changed the state; \(trace)")
            return
        }
        let after = harness.supervisor
        // A fault clears only by resetFault.
        if before.fault != nil && after.fault == nil {
            check(command == .resetFault, "\(command) cleared a fault; \(trace)")
        }
        // A latched fault is kept word for word (the first one wins).
        if let fault = before.fault, let still = after.fault {
            check(fault == still, "\(command) replaced the latched fault; \(trace)")
        }
        // Only start starts the motor; only home, arm and start enter their phases.
        if after.phase != before.phase {
            switch after.phase {
            case .running: check(command == .start, "\(command) entered running; \(trace)")
            case .armed: check(command == .arm, "\(command) armed the pen; \(trace)")
            case .homing: check(command == .home, "\(command) started homing; \(trace)")
            default: break
            }
        }
    }

    private mutating func tick(late: Bool) {
        let before = harness.supervisor
        let output = harness.step(measuredPeriod: late ? harness.period * 3 : nil)
        let after = harness.supervisor
        let inputs = after.lastInputs
        let outputs = output.outputs
        ticks += 1
        if after.phase == .running { reachedRunning = true }
        if let code = after.fault?.code { faultsSeen.insert(code) }

        // The motor driver is never enabled outside running and the ramp-down of stopping.
        check(!outputs.motorEnabled || after.phase.motorMayRun, "motor enabled in \(after.phase); \(trace)")
        // Any latched fault gives safe outputs, in the tick it latches and every tick after.
        if after.fault != nil {
            check(outputs.motorSafe, "faulted but motor not safe; \(trace)")
        }
        // A latched fault stays latched through ticks, unchanged.
        if let fault = before.fault {
            check(after.fault == fault, "a tick changed the latched fault; \(trace)")
        }
        // Nothing starts by itself: a tick only moves to ready or fault.
        if after.phase != before.phase {
            let allowed = after.phase == .fault || after.phase == .ready
            check(allowed, "tick moved \(before.phase) → \(after.phase) by itself; \(trace)")
        }
        // Never deeper than the effective limit, by the count and in truth (once homed); after a
        // limit is lowered below the depth, the very next tick latches the fault.
        if after.homed {
            let beyond = after.depth > after.effectiveDepthMax || harness.pen.trueDepth > after.effectiveDepthMax
            if beyond && loweredLimitPending {
                check(after.fault != nil, "depth beyond a lowered limit without a fault; \(trace)")
            } else if before.fault == nil {
                check(
                    after.depth <= after.effectiveDepthMax,
                    "count \(after.depth) beyond \(after.effectiveDepthMax); \(trace)")
                check(
                    harness.pen.trueDepth <= after.effectiveDepthMax,
                    "true depth \(harness.pen.trueDepth) beyond \(after.effectiveDepthMax); \(trace)")
            }
        }
        loweredLimitPending = false
        if inputs.hardwareStatus != .ok {
            check(after.fault != nil, "hardware \(inputs.hardwareStatus) without a fault; \(trace)")
        }
        // Breaches the inputs show are faulted in the same tick.
        let limits = after.limits
        if inputs.emergencyStopPressed || inputs.motorDriverFaultActive || inputs.temperature > limits.temperatureMax {
            check(after.fault != nil, "breach in the inputs without a fault; \(trace)")
        }
        if !inputs.cartridgePresent && (before.phase == .armed || before.phase.motorMayRun) {
            check(after.fault != nil, "cartridge gone while \(before.phase) without a fault; \(trace)")
        }
        // A runaway motor (true rate well above the limit) is faulted within 20 ms. Not with the
        // encoder lost as well: that double fault is invisible to software, and the hardware's
        // supply cut is what covers it (Docs/safety.md, "Runaway with a dead encoder").
        let ceiling = Double((limits.speedMax + limits.overspeedMargin).millihertz) / 1000 + 5
        let encoderBlind = harness.pen.activeFaults.contains(.encoderLoss)
        let runningAway = harness.pen.motor.strokeRateHertz > ceiling && after.fault == nil && !encoderBlind
        runawayTicks = runningAway ? runawayTicks + 1 : 0
        check(runawayTicks <= 20, "true stroke rate above \(ceiling) Hz for 20 ms without a fault; \(trace)")
    }

    public var trace: String { "after: " + history.suffix(12).joined(separator: ", ") }
}
