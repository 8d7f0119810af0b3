import ArgumentParser
import FaultCampaign
import Foundation
import NeedleCore
import Synchronization

/// `fault-campaign --minutes N` or `--treatments N`: random treatments with injected faults on
/// every core until the time is up or the count is done, the safety invariants checked at every
/// simulated tick. Exit 1 on any violation, printing the seed that replays it (`--replay SEED`).
/// CI uses a count: the same treatments on every run, whatever the machine's speed.
@main
struct FaultCampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fault-campaign",
        abstract:
            "Random treatments with injected faults on the simulated pen; the safety invariants checked every tick.")

    @Option(help: "How long to run, in minutes (decimals allowed); 1 when neither this nor --treatments is given.")
    var minutes: Double?

    @Option(help: "Run exactly this many treatments (the same ones for the same seed), however long it takes.")
    var treatments: Int?

    @Option(help: "The campaign's seed: the same seed and time give the same first treatments.")
    var seed: UInt64 = 1

    @Option(help: "Run only the treatment with this seed (as printed beside a violation) and print its steps.")
    var replay: UInt64?

    @Option(help: "Also write the figures as JSON to this file.")
    var json: String?

    func validate() throws {
        if minutes != nil && treatments != nil {
            throw ValidationError("give --minutes or --treatments, not both.")
        }
        if let minutes, !(minutes > 0 && minutes <= 24 * 60) {
            throw ValidationError("--minutes must be more than 0 and at most 1440, not \(minutes).")
        }
        if let treatments, !(1...100_000_000).contains(treatments) {
            throw ValidationError("--treatments must be from 1 to 100000000, not \(treatments).")
        }
    }

    func run() throws {
        if let replay {
            let checker = Campaign.treatment(seed: replay)
            print("treatment \(replay): \(checker.ticks) ticks; \(checker.trace)")
            checker.violations.forEach { print("VIOLATION \($0)") }
            throw ExitCode(checker.violations.isEmpty ? 0 : 1)
        }
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let deadline = ContinuousClock.now + .milliseconds(Int64((minutes ?? 1) * 60_000))
        let count = treatments.map(UInt64.init)
        let started = ContinuousClock.now
        let total = Mutex(CampaignFigures())
        let seed = self.seed
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var figures = CampaignFigures()
            var index = UInt64(worker)
            while count.map({ index < $0 }) ?? (ContinuousClock.now < deadline) {
                let treatmentSeed = Campaign.treatmentSeed(campaign: seed, index: index)
                figures.add(Campaign.treatment(seed: treatmentSeed), seed: treatmentSeed)
                index += UInt64(workers)
            }
            total.withLock { $0.add(figures) }
        }
        let figures = total.withLock { $0 }
        let elapsed = ContinuousClock.now - started
        report(figures, elapsed: elapsed, workers: workers)
        if figures.violationCount > 0 { throw ExitCode(1) }
    }

    private func report(_ figures: CampaignFigures, elapsed: Duration, workers: Int) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let simulatedHours = Double(figures.ticks) / 1000 / 3600  // the campaign's pens tick at 1 kHz
        let latched = figures.faultsLatched.sorted { $0.key.rawValue < $1.key.rawValue }
        print(
            "FIGURE fault campaign: \(figures.treatments) treatments in \(String(format: "%.1f", seconds)) s on \(workers) cores, \(figures.ticks) ticks (\(String(format: "%.1f", simulatedHours)) h simulated, \(String(format: "%.0f", simulatedHours * 3600 / seconds))x real time), \(figures.faultsInjected) faults injected, \(figures.reachedRunning) treatments reached running, \(figures.rejectedCommands) commands refused; invariant violations: \(figures.violationCount)"
        )
        print("faults latched (treatments): " + latched.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        for violation in figures.violations { print("VIOLATION \(violation)") }
        guard let json else { return }
        let object: [String: Any] = [
            "treatments": figures.treatments, "ticks": figures.ticks, "faultsInjected": figures.faultsInjected,
            "reachedRunning": figures.reachedRunning, "rejectedCommands": figures.rejectedCommands,
            "violations": figures.violationCount, "seconds": seconds, "workers": workers, "seed": Int(seed),
            "faultsLatched": Dictionary(uniqueKeysWithValues: latched.map { ($0.key.rawValue, $0.value) }),
        ]
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) {
            _ = FileManager.default.createFile(atPath: json, contents: data)
        }
    }
}
