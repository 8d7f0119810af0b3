import NeedleCore
import PenSimulator
import PropertyBased
import Synchronization
import Testing

/// The safety invariants, checked at every tick of random treatments against the simulated pen:
/// random limits, random command sequences, random injected faults and hands on the pen.
/// Each of the 1,000 sequences is checked against every invariant below.
@Suite("Safety properties")
struct SafetyPropertyTests {
    /// What the sequences reached, so a property that held only because nothing happened fails.
    final class Coverage: Sendable {
        struct Counts { var sequences = 0, reachedRunning = 0, faults: [FaultCode: Int] = [:], rejected = 0, ticks = 0 }
        let counts = Mutex(Counts())
    }

    @Test("Invariants hold at every tick of 1,000 random treatments")
    func invariantsHoldForRandomTreatments() async throws {
        let coverage = Coverage()
        await propertyCheck(
            count: 1000, input: Gen.uint64().array(of: 10...50), Gen.uint64()
        ) { randomActions, configurationSeed in
            let configuration = try randomConfiguration(configurationSeed)
            var checker = InvariantChecker(configuration: configuration, seed: configurationSeed)
            for value in randomActions {
                checker.perform(TreatmentAction(random: value))
            }
            let result = checker
            coverage.counts.withLock { counts in
                counts.sequences += 1
                counts.ticks += result.ticks
                counts.rejected += result.rejectedCommands
                if result.reachedRunning { counts.reachedRunning += 1 }
                for code in result.faultsSeen { counts.faults[code, default: 0] += 1 }
            }
        }
        let counts = coverage.counts.withLock { $0 }
        print(
            "FIGURE safety properties: \(counts.sequences) sequences, \(counts.ticks) ticks, \(counts.reachedRunning) reached running, \(counts.rejected) commands rejected; faults latched: \(counts.faults.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        )
        #expect(counts.sequences >= 1000)
        #expect(
            counts.reachedRunning >= counts.sequences / 10,
            "too few sequences reached running for the properties to mean much")
        #expect(counts.faults.count >= 10, "most fault codes should be exercised")
    }
}

/// Runs one random treatment and records an issue for every invariant broken.
struct InvariantChecker {
    var harness: SimulationHarness
    var ticks = 0
    var rejectedCommands = 0
    var reachedRunning = false
    var faultsSeen: Set<FaultCode> = []
    var history: [String] = []
    /// Ticks since the true stroke rate first ran clearly above the limit without a fault.
    var runawayTicks = 0
    /// A limit was lowered since the last tick: the next tick may find the depth beyond it.
    var loweredLimitPending = false

    init(configuration: PenConfiguration, seed: UInt64) {
        harness = SimulationHarness(configuration: configuration, seed: seed)
    }

    var supervisor: Supervisor { harness.supervisor }

    mutating func perform(_ action: TreatmentAction) {
        history.append(action.description)
        switch action {
        case .wait(let count):
            for _ in 0..<count { tick(late: false) }
        case .lateTicks(let count):
            for _ in 0..<count { tick(late: true) }
        case .command(let command):
            send(command)
        case .inject(let fault):
            harness.pen.inject(fault)
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
                harness.supervisor.reloadLimits(lowered)
                loweredLimitPending = true
            }
        }
    }

    private mutating func send(_ command: PenCommand) {
        let before = harness.supervisor
        do {
            try harness.send(command)
        } catch {
            rejectedCommands += 1
            // A rejected command changes nothing.
            #expect(harness.supervisor == before, "rejected \(command) changed the state; \(trace)")
            return
        }
        let after = harness.supervisor
        // A fault clears only by resetFault.
        if before.fault != nil && after.fault == nil {
            #expect(command == .resetFault, "\(command) cleared a fault; \(trace)")
        }
        // A latched fault is kept word for word (the first one wins).
        if let fault = before.fault, let still = after.fault {
            #expect(fault == still, "\(command) replaced the latched fault; \(trace)")
        }
        // Only start starts the motor; only home, arm and start enter their phases.
        if after.phase != before.phase {
            switch after.phase {
            case .running: #expect(command == .start, "\(command) entered running; \(trace)")
            case .armed: #expect(command == .arm, "\(command) armed the pen; \(trace)")
            case .homing: #expect(command == .home, "\(command) started homing; \(trace)")
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
        #expect(!outputs.motorEnabled || after.phase.motorMayRun, "motor enabled in \(after.phase); \(trace)")
        // Any latched fault gives safe outputs, in the tick it latches and every tick after.
        if after.fault != nil {
            #expect(outputs.motorSafe, "faulted but motor not safe; \(trace)")
        }
        // A latched fault stays latched through ticks, unchanged.
        if let fault = before.fault {
            #expect(after.fault == fault, "a tick changed the latched fault; \(trace)")
        }
        // Nothing starts by itself: a tick only moves to ready or fault.
        if after.phase != before.phase {
            let allowed = after.phase == .fault || after.phase == .ready
            #expect(allowed, "tick moved \(before.phase) → \(after.phase) by itself; \(trace)")
        }
        // Never deeper than the effective limit, by the count and in truth (once homed); after a
        // limit is lowered below the depth, the very next tick latches the fault.
        if after.homed {
            let beyond = after.depth > after.effectiveDepthMax || harness.pen.trueDepth > after.effectiveDepthMax
            if beyond && loweredLimitPending {
                #expect(after.fault != nil, "depth beyond a lowered limit without a fault; \(trace)")
            } else if before.fault == nil {
                #expect(
                    after.depth <= after.effectiveDepthMax,
                    "count \(after.depth) beyond \(after.effectiveDepthMax); \(trace)")
                #expect(
                    harness.pen.trueDepth <= after.effectiveDepthMax,
                    "true depth \(harness.pen.trueDepth) beyond \(after.effectiveDepthMax); \(trace)")
            }
        }
        loweredLimitPending = false
        if inputs.hardwareStatus != .ok {
            #expect(after.fault != nil, "hardware \(inputs.hardwareStatus) without a fault; \(trace)")
        }
        // Breaches the inputs show are faulted in the same tick.
        let limits = after.limits
        if inputs.emergencyStopPressed || inputs.motorDriverFaultActive || inputs.temperature > limits.temperatureMax {
            #expect(after.fault != nil, "breach in the inputs without a fault; \(trace)")
        }
        if !inputs.cartridgePresent && (before.phase == .armed || before.phase.motorMayRun) {
            #expect(after.fault != nil, "cartridge gone while \(before.phase) without a fault; \(trace)")
        }
        // A runaway motor (true rate well above the limit) is faulted within 20 ms. Not with the
        // encoder lost as well: that double fault is invisible to software, and the hardware's
        // supply cut is what covers it (Docs/safety.md, "Runaway with a dead encoder").
        let ceiling = Double((limits.speedMax + limits.overspeedMargin).millihertz) / 1000 + 5
        let encoderBlind = harness.pen.activeFaults.contains(.encoderLoss)
        let runningAway = harness.pen.motor.strokeRateHertz > ceiling && after.fault == nil && !encoderBlind
        runawayTicks = runningAway ? runawayTicks + 1 : 0
        #expect(runawayTicks <= 20, "true stroke rate above \(ceiling) Hz for 20 ms without a fault; \(trace)")
    }

    var trace: String { "after: " + history.suffix(12).joined(separator: ", ") }
}
