import Foundation
package import Logging
package import NeedledStore
import Synchronization

/// Keeps the records within their room (`RetentionPolicy`): a pass at start, every minute and
/// after each session's close, on the store's writer queue — never the loop's thread, never the
/// event loop. Publishes the fill level for `pen.status`; a warning, when pruning cannot make
/// room, goes to the journal once and stays in the status until it clears.
package final class RecordsRetentionService: Sendable {
    /// What `pen.status` shows: `recordsFillPercent` and `recordsWarning`.
    struct Fill: Sendable, Equatable {
        var percent = 0
        var warning: String?
    }

    static let interval: Duration = .seconds(60)

    let store: TreatmentStore
    let policy: RetentionPolicy
    let logger: Logger
    let clock: any WallClock
    private let state = Mutex(Fill())
    private let schedule = PassSchedule()

    package init(store: TreatmentStore, policy: RetentionPolicy, logger: Logger, clock: any WallClock) {
        self.store = store
        self.policy = policy
        self.logger = logger
        self.clock = clock
    }

    var fill: Fill { state.withLock { $0 } }

    /// A session closed: prune now rather than within the minute.
    package func sessionClosed() { schedule.wake() }

    package func finish() { schedule.finish() }

    /// Passes until `finish()` (or cancellation).
    package func run() async {
        await schedule.run(every: Self.interval) { await pass() }
    }

    package func pass() async {
        do {
            let report = try await store.prune(policy, now: clock.now())
            if !report.isEmpty {
                logger.notice(
                    "records: pruned the telemetry of \(report.sessions.count) sessions and \(report.faults.count) flight windows (\(report.telemetryRows + report.flightRows) rows); summaries, events, faults and chains are kept",
                    metadata: [
                        "sessions": "\(report.sessions.map(SessionRow.displayID(for:)).joined(separator: ","))"
                    ])
            }
            let level = try await store.fillLevel()
            publish(Self.fill(level, report: report, policy: policy))
        } catch {
            logger.error("records: the retention pass failed: \(error)")
        }
    }

    private func publish(_ fill: Fill) {
        let before = state.withLock { state in
            defer { state = fill }
            return state
        }
        if let warning = fill.warning, before.warning == nil {
            logger.warning("records: \(warning)")
        } else if fill.warning == nil, before.warning != nil {
            logger.notice("records: \(fill.percent) % full again; pruning keeps them below the warning")
        }
    }

    /// The status a fill level and the last pass give (pure, for the tests).
    static func fill(_ level: FillLevel, report: PruneReport, policy: RetentionPolicy) -> Fill {
        let percent = level.percent
        guard percent >= policy.warnAbovePercent else { return Fill(percent: percent, warning: nil) }
        let size =
            "\(mebibytes(level.usedBytes)) of \(mebibytes(level.capacityBytes)) MiB"
        let why =
            report.waitingForExport > 0
            ? "\(report.waitingForExport) closed sessions' telemetry waits for an export before it may be pruned (needlectl records export --since DATE, or [records] prune-unexported = true)"
            : "what is kept for good (summaries, events, faults, the ledger) fills it: raise [records] max-size-mebibytes or give the records more storage"
        return Fill(
            percent: percent,
            warning:
                "The records are \(percent) % full (\(size)) and pruning cannot make room: \(why). At 100 % the pen stops treating (recordsUnavailable)."
        )
    }

    static func mebibytes(_ bytes: Int64) -> Int64 { (bytes + (1 << 19)) >> 20 }
}
