import NeedleCore
import NeedledLoop
import NeedledRPC

/// The results the loop's snapshots and figures answer, built from them.
extension PenStatusResult {
    init(
        _ snapshot: LoopSnapshot, session: SessionRecord?, limits: SafetyLimits, recordsWritable: Bool = true,
        recordsFill: RecordsRetentionService.Fill = .init(), fleet: FleetStatusResult? = nil
    ) {
        let status = snapshot.status
        self.init(
            state: status.phase, homed: status.homed, depth: status.depth, depthTarget: status.depthTarget,
            speed: status.speed, speedTarget: status.speedTarget, depthMax: status.effectiveDepthMax,
            motorEnabled: snapshot.outputs.motorEnabled, temperature: snapshot.temperature,
            fault: status.fault.map(LatchedFaultResult.init),
            cartridge: status.cartridgePresent
                ? CartridgeInSlotResult(
                    serial: snapshot.cartridgeSerial?.string, accepted: status.session?.cartridgeAccepted ?? false)
                : nil,
            session: session.map { OpenSessionResult($0, status: status, limits: limits) }, tick: status.tick,
            recordsWritable: recordsWritable, recordsFillPercent: Int64(recordsFill.percent),
            recordsWarning: recordsFill.warning, fleet: fleet)
    }
}

extension OpenSessionResult {
    /// The open session as the socket side keeps it, with the loop's counts for it now.
    init(_ record: SessionRecord, status: PenStatus, limits: SafetyLimits) {
        let period = record.tickPeriodNanoseconds
        let elapsed = status.session.map { (status.tick.rawValue - $0.openedAt.rawValue) * period / 1_000_000_000 }
        self.init(
            id: record.id, area: record.area, cartridge: record.cartridge, reference: record.reference,
            openedAt: record.openedAt, depthMax: limits.effectiveDepthMax(in: record.area),
            expired: status.session?.expired ?? false, strokes: status.sessionStrokes, elapsedSeconds: elapsed ?? 0,
            cartridgeUseSeconds: (status.session?.cartridgeRunTicks ?? 0) * period / 1_000_000_000,
            cartridgeUseMaxSeconds: limits.cartridgeUseMax.wholeMilliseconds / 1000)
    }
}

extension StatsResult {
    init(_ statistics: LoopStatistics, reset: Bool) {
        self.init(
            ticks: statistics.ticks, overruns: statistics.overruns,
            wakeupLatency: LatencySummaryResult(statistics.wakeupLatency),
            tickDuration: LatencySummaryResult(statistics.tickDuration),
            emergencyStopCommandLatency: LatencySummaryResult(statistics.emergencyStopCommandLatency),
            emergencyStopLastMotorOffMonotonicNanoseconds: statistics.emergencyStopLastMotorOffAt,
            emergencyStopInputLatency: LatencySummaryResult(statistics.emergencyStopInputLatency), reset: reset)
    }
}

extension LatencySummaryResult {
    init(_ summary: LatencySummary) {
        self.init(p50: summary.p50, p99: summary.p99, p999: summary.p999, max: summary.max)
    }
}
