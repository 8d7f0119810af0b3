import Testing

@testable import NeedledServer
@testable import NeedledStore

/// What `pen.status` → `recordsWarning` says (issue 17, item 3): nothing below the warning level;
/// at it, why pruning cannot make room and what to do, before the pen stops at 100 %.
@Suite("The records' fill level and its warning")
struct RecordsFillTests {
    let policy = RetentionPolicy()

    @Test("Below warn-above-percent: the level alone, no warning")
    func belowTheWarning() {
        let fill = RecordsRetentionService.fill(
            FillLevel(usedBytes: 89 << 20, capacityBytes: 100 << 20), report: PruneReport(), policy: policy)
        #expect(fill == RecordsRetentionService.Fill(percent: 89, warning: nil))
    }

    @Test("At it, with sessions waiting for an export: how many, and the command that frees them")
    func waitingForExport() {
        var report = PruneReport()
        report.waitingForExport = 412
        let fill = RecordsRetentionService.fill(
            FillLevel(usedBytes: 3_700 << 20, capacityBytes: 4_096 << 20), report: report, policy: policy)
        #expect(fill.percent == 90)
        #expect(
            fill.warning
                == "The records are 90 % full (3700 of 4096 MiB) and pruning cannot make room: 412 closed sessions' telemetry waits for an export before it may be pruned (needlectl records export --since DATE, or [records] prune-unexported = true). At 100 % the pen stops treating (recordsUnavailable)."
        )
    }

    @Test("At it with nothing left to prune: what is kept for good fills the store")
    func keptForGood() {
        let fill = RecordsRetentionService.fill(
            FillLevel(usedBytes: 97 << 20, capacityBytes: 100 << 20), report: PruneReport(), policy: policy)
        #expect(
            fill.warning?.contains("what is kept for good (summaries, events, faults, the ledger) fills it") == true)
    }
}
