import LoopSimulation
import NeedleCore
import PenSimulator
import Testing

/// A fault reset waits for a motor that has stopped: not for a speed that reads 0 before a
/// run's first edges, nor for a dip of the estimate between a slowing motor's last edges.
@Suite("A fault reset and the coasting motor")
struct FaultResetTests {
    @Test(
        "After an emergency stop, a reset asked every tick is taken only once the motor is still, and nothing latches after it",
        arguments: [30, 120, 150], [2, 10, 25, 60, 1_500])
    func resetWaitsForStill(hertz: Int, ticksRunning: Int) throws {
        // From the first ticks of a run (the motor spinning up, its speed still unknown and
        // reading 0) to a run at speed.
        var harness = SimulationHarness()
        try harness.startTreatment(speed: Hertz(Int32(hertz)))
        harness.run(ticks: ticksRunning)
        try harness.send(.emergencyStop)
        var takenAfter: Int?
        for ticks in 1...5_000 {
            harness.step()
            if (try? harness.send(.resetFault)) != nil {
                takenAfter = ticks
                break
            }
        }
        let ticks = try #require(takenAfter, "the reset was never taken")
        // Still enough for a motor that has stopped: no edge for 200 ms.
        #expect(
            harness.pen.motor.strokeRateHertz < 1, "taken with the motor at \(harness.pen.motor.strokeRateHertz) Hz")
        #expect(ticks >= 200, "taken after \(ticks) ticks, less than the hold")
        harness.run(ticks: 2_000)
        #expect(harness.supervisor.phase == .idle, "after the reset: \(harness.supervisor.phase)")
        #expect(
            harness.supervisor.fault == nil, "latched after the reset: \(String(describing: harness.supervisor.fault))")
    }

    @Test("A reset in a dip of the speed estimate is refused, naming the speed")
    func dipIsNotStill() throws {
        var harness = SimulationHarness()
        try harness.startTreatment()
        harness.run(ticks: 1_000)
        try harness.send(.emergencyStop)
        // Until the estimate first reads under the stopped speed, then once more at once.
        _ = harness.run(upTo: 5_000) { $0.supervisor.measuredSpeed <= Hertz(3) }
        do {
            try harness.send(.resetFault)
            Issue.record("a reset was taken the first tick the estimate read still")
        } catch {
            guard case .faultConditionPersists(code: .emergencyStop, condition: .motorNotYetStill(_, let hold)) = error
            else {
                Issue.record("refused for another reason: \(error)")
                return
            }
            #expect(hold == .milliseconds(200))
            #expect(
                error.message.contains("the motor's speed sensor has been still for "),
                "\(error.message)")
        }
        #expect(harness.supervisor.phase == .fault)
    }
}
