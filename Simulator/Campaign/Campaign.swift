public import NeedleCore
import PenSimulator

/// The fault campaign: random treatments on the simulated pen, faster than real time, with the
/// safety invariants checked at every tick (`InvariantChecker`). Every treatment follows from
/// one seed, so any violation is replayed exactly from the number printed beside it.
public enum Campaign {
    /// Actions per treatment: enough to home, treat, fault, reset and treat again.
    public static let actionsPerTreatment = 10...80

    /// One treatment: a random valid configuration and a random sequence of actions.
    public static func treatment(seed: UInt64) -> InvariantChecker {
        var random = SplitMix64(seed: seed)
        let configuration: PenConfiguration
        do {
            configuration = try randomConfiguration(random.next())
        } catch {
            preconditionFailure("randomConfiguration built invalid limits: \(error)")
        }
        var checker = InvariantChecker(configuration: configuration, seed: seed)
        let count = Int.random(in: actionsPerTreatment, using: &random)
        for _ in 0..<count { checker.perform(TreatmentAction(random: random.next())) }
        return checker
    }

    /// The seed of treatment `index` of a campaign started from `seed`.
    public static func treatmentSeed(campaign seed: UInt64, index: UInt64) -> UInt64 {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ index)
        return random.next()
    }
}

/// What a campaign did and found.
public struct CampaignFigures: Sendable {
    public var treatments = 0
    public var ticks = 0
    public var faultsInjected = 0
    public var reachedRunning = 0
    public var rejectedCommands = 0
    public var faultsLatched: [FaultCode: Int] = [:]
    /// "seed S: violation", at most 100 kept.
    public var violations: [String] = []
    public var violationCount = 0

    public init() {}

    public mutating func add(_ checker: InvariantChecker, seed: UInt64) {
        treatments += 1
        ticks += checker.ticks
        faultsInjected += checker.faultsInjected
        rejectedCommands += checker.rejectedCommands
        if checker.reachedRunning { reachedRunning += 1 }
        for code in checker.faultsSeen { faultsLatched[code, default: 0] += 1 }
        violationCount += checker.violations.count
        for violation in checker.violations where violations.count < 100 {
            violations.append("seed \(seed): \(violation)")
        }
    }

    public mutating func add(_ other: CampaignFigures) {
        treatments += other.treatments
        ticks += other.ticks
        faultsInjected += other.faultsInjected
        reachedRunning += other.reachedRunning
        rejectedCommands += other.rejectedCommands
        faultsLatched.merge(other.faultsLatched, uniquingKeysWith: +)
        violationCount += other.violationCount
        violations += other.violations.prefix(max(0, 100 - violations.count))
    }
}
