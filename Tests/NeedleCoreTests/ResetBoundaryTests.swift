import Testing

@testable import NeedleCore

/// A fault reset at its boundaries (issue 18): the conditions that keep it refused hold up to
/// their limits and no further, and a reset starts the tick checks' counts again.
@Suite("Fault reset at its boundaries")
struct ResetBoundaryTests {
    @Test("A temperature back at the maximum allows the reset; a thousandth of a degree above, it persists")
    func temperature() throws {
        var pen = TestPen()
        try pen.homeToReady()
        let limit = pen.supervisor.limits.temperatureMax
        pen.inputs.temperature = MilliCelsius(limit.rawValue + 1)
        pen.ticks(300)
        #expect(pen.supervisor.fault?.code == .overTemperature)
        #expect(
            throws: CommandRejection.faultConditionPersists(
                code: .overTemperature,
                condition: .temperature(measured: MilliCelsius(limit.rawValue + 1), limit: limit))
        ) {
            try pen.supervisor.handle(.resetFault)
        }
        pen.inputs.temperature = limit
        pen.tick()
        try pen.supervisor.handle(.resetFault)
        #expect(pen.supervisor.phase == .idle)
    }

    @Test("A motor above the stopped speed is still turning; at it, the sensor's edges keep it from being still")
    func stoppedSpeed() throws {
        let stopped = SpeedControlSettings().stoppedSpeed
        for (speed, expected) in [
            (stopped + Hertz(millihertz: 1), PersistingCondition.motorStillTurning(stopped + Hertz(millihertz: 1))),
            (stopped, nil),
        ] {
            var pen = TestPen()
            try pen.homeToReady()
            try pen.supervisor.handle(.emergencyStop)
            pen.turnExactly(at: speed)
            pen.ticks(400)
            #expect(pen.supervisor.measuredSpeed == speed)
            do {
                try pen.supervisor.handle(.resetFault)
                Issue.record("reset with the motor at \(speed)")
            } catch {
                guard case .faultConditionPersists(_, let condition) = error else {
                    Issue.record("\(error)")
                    continue
                }
                if let expected {
                    #expect(condition == expected)
                } else if case .motorNotYetStill(let stillFor, _) = condition {
                    // At the stopped speed the time between edges counts as still (a reset needs
                    // the whole hold without one).
                    #expect(stillFor > .zero, "still for \(stillFor) at \(speed)")
                } else {
                    Issue.record("at \(speed): \(condition), expected the motor not yet still")
                }
            }
        }
    }

    @Test("After a reset the late ticks are counted from zero again")
    func lateTicksCountedAgain() throws {
        var pen = TestPen()
        let allowed = Int(pen.supervisor.limits.tickOverrunsInARowMax)
        try pen.supervisor.handle(.emergencyStop)
        pen.ticks(300)
        pen.inputs.measuredPeriod = Nanoseconds(1_500_001)
        pen.ticks(allowed - 1)
        try pen.supervisor.handle(.resetFault)
        pen.ticks(allowed - 1)
        #expect(pen.supervisor.fault == nil, "\(allowed - 1) late ticks after the reset")
        pen.tick()
        #expect(pen.supervisor.fault?.code == .tickOverrun)
    }
}
