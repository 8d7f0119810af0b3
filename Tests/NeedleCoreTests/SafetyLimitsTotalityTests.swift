import NeedleCore
import PropertyBased
import Testing

/// `SafetyLimits` is built from a configuration file at start and on every reload, so any numbers
/// at all must give limits or a `LimitsError`, never a trap: fuzz-config found
/// `max-session-length-minutes = 0` trapping inside the check of the continuous-run limit, whose
/// range ends at the session length.
@Suite("Safety limits from any numbers")
struct SafetyLimitsTotalityTests {
    @Test("Any 14 numbers give consistent limits or a named error, never a trap")
    func totality() async {
        await propertyCheck(count: 3000, input: Gen.int(in: -100...100_000).array(of: 14...14)) { values in
            func value(_ index: Int) -> Int32 { Int32(values[index]) }
            do {
                let limits = try SafetyLimits(
                    depthMax: Micrometres(value(0)), speedMin: Hertz(value(1) % 200),
                    speedMax: Hertz(value(2) % 200), speedRamp: HertzPerSecond(value(3)),
                    overspeedMargin: Hertz(value(4) % 50), stallTimeout: .milliseconds(Int64(value(5))),
                    depthFollowingErrorTolerance: Micrometres(value(6)), temperatureMax: MilliCelsius(value(7)),
                    continuousRunMax: .seconds(Int64(value(8))), sessionLengthMax: .minutes(Int64(value(9) % 300)),
                    cartridgeUseMax: .seconds(Int64(value(10))), armTimeout: .seconds(Int64(value(11) % 400)),
                    homingTimeout: .milliseconds(Int64(value(12))), tickOverrunsInARowMax: value(13) % 2000)
                #expect(limits.speedMin <= limits.speedMax)
                #expect(limits.continuousRunMax <= limits.sessionLengthMax)
                #expect(limits.depthMax <= HardwareCeilings.depthMax)
            } catch let error as LimitsError {
                #expect(!error.message.isEmpty)
            } catch {
                Issue.record("not a LimitsError: \(error)")
            }
        }
    }

    @Test("A session length of 0 is refused by name, the continuous run's check not reached")
    func zeroSessionLength() {
        #expect(throws: LimitsError.self) { try SafetyLimits(sessionLengthMax: .minutes(0)) }
        do {
            _ = try SafetyLimits(sessionLengthMax: .minutes(0))
        } catch {
            #expect(error.limit == .maxSessionLength)
            #expect(error.message == "0 s is outside the allowed range 1 min to 120 min.")
        }
    }
}
