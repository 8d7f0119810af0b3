import LoopSimulation
import NeedleCore
import NeedledLoop
import PenSimulator
import Testing

/// Each simulator fault, injected into a running treatment, gives its fault code and safe
/// outputs, and the true motor comes to rest (except a stuck-on driver, which only the hardware
/// supply cut can stop: Docs/safety.md).
@Suite("Injected simulator faults")
struct InjectedFaultTests {
    static let expectations: [(SimulatedFault, FaultCode)] = [
        (.stall, .stall), (.encoderLoss, .stall), (.cartridgeRemoved, .cartridgeRemoved),
        (.driverFault, .motorDriverFault), (.overTemperature, .overTemperature), (.runaway, .overspeed),
        (.edgeLoss, .speedSensorFault),
    ]

    @Test("Each injected fault latches its code with safe outputs", arguments: expectations)
    func injected(fault: SimulatedFault, code: FaultCode) throws {
        var harness = SimulationHarness(seed: 11)
        try harness.startTreatment(area: .cheeks, speed: Hertz(120))
        harness.run(ticks: 300)
        #expect(harness.supervisor.phase == .running)
        harness.pen.inject(fault)
        let ticks = harness.run(upTo: 3000) { $0.supervisor.fault != nil }
        let detected = try #require(ticks, "\(fault) was never detected")
        print("FIGURE injected \(fault): \(code) latched after \(detected) ms")
        #expect(harness.supervisor.fault?.code == code)
        #expect(harness.lastOutput?.outputs.motorSafe == true)
        // The daemon's path: the loop's flight recorder froze the ticks that led to the fault, and
        // the harness took the window as the socket side does (issue 19, item 4).
        #expect(harness.faultWindowsTaken == 1)
        let window = try #require(harness.lastFaultWindow)
        #expect(window.fault == harness.supervisor.fault)
        #expect(window.samples.last?.tick == harness.supervisor.fault?.tick)
        #expect(window.samples.last?.outputs.motorSafe == true)
        #expect(window.samples.count == Int(harness.supervisor.tickIndex.rawValue))
        harness.run(ticks: 500)
        #expect(harness.supervisor.phase == .fault)
        if fault != .runaway {
            #expect(harness.pen.motor.strokeRateHertz < 1, "the motor comes to rest")
        }
    }

    @Test("Lost steps are found when the stage comes back home")
    func stepLoss() throws {
        var harness = SimulationHarness(seed: 5)
        try harness.send(.home)
        harness.run(upTo: 5000) { $0.supervisor.phase == .ready }
        harness.pen.inject(.stepLoss)
        try harness.send(.setDepth(Micrometres(1000)))
        harness.run(upTo: 5000) { $0.supervisor.depth == Micrometres(1000) }
        #expect(harness.pen.trueDepth < Micrometres(1000), "the stage lost steps")
        harness.pen.clear(.stepLoss)
        try harness.send(.setDepth(.zero))
        harness.run(upTo: 5000) { $0.supervisor.fault != nil || $0.supervisor.depth == .zero }
        #expect(harness.supervisor.fault?.code == .depthFollowingError)
    }

    @Test("An E-stop button pressed on the pen stops it in the same tick")
    func emergencyStopButton() throws {
        var harness = SimulationHarness(seed: 2)
        try harness.startTreatment()
        harness.run(ticks: 300)
        harness.pen.emergencyStopPressed = true
        let output = harness.step()
        #expect(output.outputs.motorSafe)
        #expect(harness.supervisor.fault?.code == .emergencyStop)
    }

    @Test("The same seed gives the same pen, tick for tick")
    func deterministic() throws {
        func trace(seed: UInt64) throws -> [Int64] {
            var harness = SimulationHarness(seed: seed)
            try harness.startTreatment()
            var counts: [Int64] = []
            for _ in 0..<400 {
                counts.append(harness.pen.readInputs(measuredPeriod: .milliseconds(1)).encoderCount); harness.step()
            }
            return counts
        }
        #expect(try trace(seed: 9) == trace(seed: 9))
        #expect(SimulatedPen(seed: 9).depthStage.positionSteps == SimulatedPen(seed: 9).depthStage.positionSteps)
    }

    @Test("The simulated cartridge carries a serial; a new one gets a new serial")
    func cartridgeSerial() {
        var pen = SimulatedPen(seed: 4)
        let first = pen.cartridgeSerial
        #expect(first?.hasPrefix("SIM-0001-") == true)
        pen.removeCartridge()
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).cartridgePresent == false)
        pen.insertCartridge()
        #expect(pen.cartridgeSerial != first)
        #expect(pen.cartridgeSerial?.hasPrefix("SIM-0002-") == true)
    }

    @Test("The simulator runs much faster than real time")
    func fasterThanRealTime() throws {
        var harness = SimulationHarness(seed: 1)
        try harness.startTreatment()
        let clock = ContinuousClock()
        let elapsed = clock.measure { harness.run(ticks: 10_000) }
        let ratio = 10.0 / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print("FIGURE simulator speed: 10 s of pen in \(elapsed), \(Int(ratio))× real time (debug build)")
        #expect(ratio > 2)
    }
}
