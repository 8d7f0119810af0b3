import FaultCampaign
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
            #expect(result.violations.isEmpty, "\(result.violations.joined(separator: "\n"))")
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
