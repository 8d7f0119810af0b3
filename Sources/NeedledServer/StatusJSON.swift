import NeedleCore
import NeedledConfig
import NeedledLoop
import NeedledRPC
import NeedledStore

/// The API's JSON shapes for the pen's state (Docs/api.md). One place, so `pen.status`,
/// telemetry and events agree.
enum StatusJSON {
    static func status(
        _ snapshot: LoopSnapshot, session: SessionRecord?, limits: SafetyLimits, recordsWritable: Bool = true,
        recordsFill: RecordsRetentionService.Fill = .init()
    ) -> JSONValue {
        let status = snapshot.status
        return .object([
            ("state", .string(status.phase.rawValue)),
            ("homed", .bool(status.homed)),
            ("depthMicrometres", .int(Int64(status.depth.rawValue))),
            ("depthTargetMicrometres", .int(Int64(status.depthTarget.rawValue))),
            ("speedHertz", status.speed.json),
            ("speedTargetHertz", status.speedTarget.json),
            ("maxDepthMicrometres", .int(Int64(status.effectiveDepthMax.rawValue))),
            ("motorEnabled", .bool(snapshot.outputs.motorEnabled)),
            ("temperatureMillicelsius", .int(Int64(snapshot.temperature.rawValue))),
            ("fault", status.fault.map(fault) ?? .null),
            ("cartridge", cartridge(snapshot)),
            ("session", session.map { $0.json(status: status, limits: limits) } ?? .null),
            ("tick", .int(status.tick.rawValue)),
            ("recordsWritable", .bool(recordsWritable)),
            ("recordsFillPercent", .int(Int64(recordsFill.percent))),
            ("recordsWarning", recordsFill.warning.map { .string($0) } ?? .null),
        ])
    }

    static func fault(_ fault: Fault) -> JSONValue {
        .object([
            ("code", .string(fault.code.rawValue)),
            ("message", .string(fault.message)),
            ("tick", .int(fault.tick.rawValue)),
            ("action", .string(fault.code.technicianAction)),
        ])
    }

    static func cartridge(_ snapshot: LoopSnapshot) -> JSONValue {
        guard snapshot.status.cartridgePresent else { return .null }
        return .object([
            ("serial", snapshot.cartridgeSerial.map { .string($0.string) } ?? .null),
            ("accepted", .bool(snapshot.status.session?.cartridgeAccepted ?? false)),
        ])
    }

    static func event(_ event: PenEvent) -> JSONValue {
        switch event {
        case .stateChanged(let from, let to, let tick):
            .object([
                ("type", "stateChanged"), ("from", .string(from.rawValue)), ("to", .string(to.rawValue)),
                ("tick", .int(tick.rawValue)),
            ])
        case .faultLatched(let latched):
            .object([("type", "fault"), ("fault", fault(latched)), ("tick", .int(latched.tick.rawValue))])
        case .homed(let tick): .object([("type", "homed"), ("tick", .int(tick.rawValue))])
        case .armTimedOut(let tick): .object([("type", "armTimedOut"), ("tick", .int(tick.rawValue))])
        case .cartridgeRemoved(let tick): .object([("type", "cartridgeRemoved"), ("tick", .int(tick.rawValue))])
        case .sessionOpened(let area, let tick):
            .object([("type", "sessionOpened"), ("area", .string(area.rawValue)), ("tick", .int(tick.rawValue))])
        case .sessionClosed(let tick): .object([("type", "sessionClosed"), ("tick", .int(tick.rawValue))])
        case .cartridgeAccepted(let tick): .object([("type", "cartridgeAccepted"), ("tick", .int(tick.rawValue))])
        }
    }

    static func statistics(_ statistics: LoopStatistics, reset: Bool) -> JSONValue {
        func summary(_ value: LatencySummary) -> JSONValue {
            .object([
                ("p50", .int(value.p50)), ("p99", .int(value.p99)), ("p999", .int(value.p999)),
                ("max", .int(value.max)),
            ])
        }
        return .object([
            ("ticks", .int(statistics.ticks)),
            ("overruns", .int(statistics.overruns)),
            ("wakeupLatencyMicroseconds", summary(statistics.wakeupLatency)),
            ("tickDurationMicroseconds", summary(statistics.tickDuration)),
            ("emergencyStopCommandLatencyMicroseconds", summary(statistics.emergencyStopCommandLatency)),
            ("emergencyStopLastMotorOffMonotonicNanoseconds", .int(statistics.emergencyStopLastMotorOffAt)),
            ("emergencyStopInputLatencyMicroseconds", summary(statistics.emergencyStopInputLatency)),
            ("reset", .bool(reset)),
        ])
    }

    /// `recordIDPrefix`: the pen's and store's (`PenIdentity.recordIDPrefix`), for `recordID`.
    static func session(_ row: SessionRow, recordIDPrefix: String?) -> JSONValue {
        .object([
            ("id", .string(row.displayID)),
            ("recordID", recordIDPrefix.map { .string($0 + row.displayID) } ?? .null),
            ("area", .string(row.area)),
            ("cartridge", .string(row.cartridge)),
            ("reference", row.reference.map { .string($0) } ?? .null),
            ("openedAt", .string(row.openedAt)),
            ("closedAt", row.closedAt.map { .string($0) } ?? .null),
            ("closeReason", row.closeReason.map { .string($0) } ?? .null),
            ("softwareVersion", .string(row.softwareVersion)),
            ("openedTick", row.openedTick.map { .int($0) } ?? .null),
            ("closedTick", row.closedTick.map { .int($0) } ?? .null),
            ("tickPeriodMicroseconds", row.tickPeriodNanoseconds.map { .int($0 / 1000) } ?? .null),
            ("durationSeconds", row.durationNanoseconds.map { .double(Double($0 / 1_000_000) / 1000) } ?? .null),
            ("strokes", .int(row.strokes)),
            ("limits", JSONValue.parse(Array(row.limitsJSON.utf8)) ?? .null),
            ("configurationSHA256", row.configurationSHA256.map { .string($0) } ?? .null),
            ("exportedAt", row.exportedAt.map { .string($0) } ?? .null),
            ("telemetryPrunedAt", row.telemetryPrunedAt.map { .string($0) } ?? .null),
        ])
    }

    /// `session.verify`: the session's record chain recomputed from its rows.
    static func verdict(_ verdict: ChainVerdict, recordIDPrefix: String?) -> JSONValue {
        let id = SessionRow.displayID(for: verdict.sessionID)
        return .object([
            ("session", .string(id)),
            ("recordID", recordIDPrefix.map { .string($0 + id) } ?? .null),
            ("state", .string(verdict.state.rawValue)),
            ("intact", .bool(verdict.state == .intact || verdict.state == .open)),
            ("links", .int(Int64(verdict.links))),
            ("firstDifference", verdict.firstDifference.map { .string($0) } ?? .null),
        ])
    }

    /// `records.verify`: every session's chain, counted; the broken ones named.
    static func verdict(_ verdict: RecordsVerdict, recordIDPrefix: String?) -> JSONValue {
        .object([
            ("intact", .bool(verdict.brokenCount == 0)),
            ("sessions", .int(Int64(verdict.sessions))),
            (
                "counts",
                .object([
                    ("intact", .int(Int64(verdict.intact))), ("open", .int(Int64(verdict.open))),
                    ("notChained", .int(Int64(verdict.notChained))), ("broken", .int(Int64(verdict.brokenCount))),
                ])
            ),
            ("broken", .array(verdict.broken.map { Self.verdict($0, recordIDPrefix: recordIDPrefix) })),
        ])
    }

    static func faultRecord(_ row: FaultRecordRow, recordIDPrefix: String?) -> JSONValue {
        .object([
            ("id", .string(row.displayID)),
            ("recordID", recordIDPrefix.map { .string($0 + row.displayID) } ?? .null),
            ("session", row.sessionID.map { .string(SessionRow.displayID(for: $0)) } ?? .null),
            ("code", .string(row.code)),
            ("message", .string(row.message)),
            ("action", .string(FaultCode(rawValue: row.code)?.technicianAction ?? "")),
            ("tick", .int(row.tick)),
            ("wallTime", .string(row.wallTime)),
            ("tickPeriodMicroseconds", .int(row.tickPeriodNanoseconds / 1000)),
            ("sampleCount", .int(Int64(row.sampleCount))),
        ])
    }

    static func flightSample(_ row: FlightSampleRow) -> JSONValue {
        .object([
            ("tick", .int(row.tick)),
            ("state", .string(row.state)),
            ("depthMicrometres", .int(row.depthMicrometres)),
            ("depthTargetMicrometres", .int(row.depthTargetMicrometres)),
            ("speedMillihertz", .int(row.speedMillihertz)),
            ("speedTargetMillihertz", .int(row.speedTargetMillihertz)),
            ("rampedSpeedMillihertz", .int(row.rampedSpeedMillihertz)),
            ("motorEnabled", .bool(row.motorEnabled)),
            ("brakeEngaged", .bool(row.brakeEngaged)),
            ("motorDutyPpm", .int(row.motorDutyPpm)),
            ("heartbeat", .bool(row.heartbeat)),
            ("stepperEnabled", .bool(row.stepperEnabled)),
            ("depthSteps", .int(row.depthSteps)),
            ("encoderCount", .int(row.encoderCount)),
            ("homeSwitch", .bool(row.homeSwitch)),
            ("cartridgePresent", .bool(row.cartridgePresent)),
            ("driverFault", .bool(row.driverFault)),
            ("emergencyStop", .bool(row.emergencyStop)),
            ("temperatureMillicelsius", .int(row.temperatureMillicelsius)),
            ("measuredPeriodMicroseconds", .int(row.measuredPeriodNanoseconds / 1000)),
            ("hardware", .string(row.hardware)),
        ])
    }

    /// A recorded event: its tick (monotonic), wall-clock time, kind, and what it carried.
    static func event(_ row: EventRow) -> JSONValue {
        .object([
            ("tick", .int(row.tick)),
            ("wallTime", .string(row.wallTime)),
            ("kind", .string(row.kind)),
            ("detail", JSONValue.parse(Array(row.detailJSON.utf8)) ?? .string(row.detailJSON)),
        ])
    }

    static func sample(_ sample: TelemetrySample) -> JSONValue {
        .object([
            ("tick", .int(sample.tick)),
            ("state", .string(sample.state)),
            ("depthMicrometres", .int(Int64(sample.depthMicrometres))),
            ("depthTargetMicrometres", .int(Int64(sample.depthTargetMicrometres))),
            ("speedHertz", Hertz(millihertz: sample.speedMillihertz).json),
            ("speedTargetHertz", Hertz(millihertz: sample.speedTargetMillihertz).json),
            ("strokes", .int(sample.strokes)),
        ])
    }

    static func cartridge(_ record: CartridgeRecord) -> JSONValue {
        .object([
            ("serial", .string(record.serial)),
            ("needles", .int(Int64(record.needles))),
            ("lot", record.lot.map { .string($0) } ?? .null),
            ("expires", record.expires.map { .string($0) } ?? .null),
            ("registeredAt", .string(record.registeredAt)),
            ("session", record.sessionID.map { .string(SessionRow.displayID(for: $0)) } ?? .null),
            ("firstUsedAt", record.firstUsedAt.map { .string($0) } ?? .null),
            ("useEndedAt", record.useEndedAt.map { .string($0) } ?? .null),
            ("useEndReason", record.useEndReason.map { .string($0) } ?? .null),
        ])
    }

    static func limits(_ limits: SafetyLimits) -> JSONValue {
        .object([
            ("maxDepthMicrometres", .int(Int64(limits.depthMax.rawValue))),
            ("minSpeedHertz", limits.speedMin.json),
            ("maxSpeedHertz", limits.speedMax.json),
            ("speedRampHertzPerSecond", .int(Int64(limits.speedRamp.millihertzPerSecond / 1000))),
            ("overspeedMarginHertz", limits.overspeedMargin.json),
            ("stallTimeoutMilliseconds", .int(limits.stallTimeout.wholeMilliseconds)),
            ("depthFollowingErrorToleranceMicrometres", .int(Int64(limits.depthFollowingErrorTolerance.rawValue))),
            ("maxTemperatureMillicelsius", .int(Int64(limits.temperatureMax.rawValue))),
            ("maxContinuousRunSeconds", .int(limits.continuousRunMax.wholeMilliseconds / 1000)),
            ("maxSessionLengthMinutes", .int(limits.sessionLengthMax.wholeMilliseconds / 60_000)),
            ("maxCartridgeUseSeconds", .int(limits.cartridgeUseMax.wholeMilliseconds / 1000)),
            ("armTimeoutSeconds", .int(limits.armTimeout.wholeMilliseconds / 1000)),
            ("homingTimeoutMilliseconds", .int(limits.homingTimeout.wholeMilliseconds)),
            ("tickOverrunsInARow", .int(Int64(limits.tickOverrunsInARowMax))),
        ])
    }
}

/// The open treatment session as the socket side keeps it; its record is in the store.
struct SessionRecord: Sendable {
    let rowID: Int64
    let id: String
    let area: TreatmentArea
    var cartridge: String
    let reference: String?
    let openedAt: String
    let tickPeriodNanoseconds: Int64

    init(row: SessionRow) {
        tickPeriodNanoseconds = row.tickPeriodNanoseconds ?? 1_000_000
        rowID = row.id ?? 0
        id = row.displayID
        area = TreatmentArea(rawValue: row.area) ?? .cheeks
        cartridge = row.cartridge
        reference = row.reference
        openedAt = row.openedAt
    }

    func json(status: PenStatus, limits: SafetyLimits) -> JSONValue {
        .object([
            ("id", .string(id)),
            ("area", .string(area.rawValue)),
            ("cartridge", .string(cartridge)),
            ("reference", reference.map { .string($0) } ?? .null),
            ("openedAt", .string(openedAt)),
            ("maxDepthMicrometres", .int(Int64(limits.effectiveDepthMax(in: area).rawValue))),
            ("expired", .bool(status.session?.expired ?? false)),
            ("strokes", .int(status.sessionStrokes)),
            (
                "elapsedSeconds",
                .int(
                    status.session.map {
                        (status.tick.rawValue - $0.openedAt.rawValue) * tickPeriodNanoseconds / 1_000_000_000
                    } ?? 0)
            ),
            (
                "cartridgeUseSeconds",
                .int((status.session?.cartridgeRunTicks ?? 0) * tickPeriodNanoseconds / 1_000_000_000)
            ),
            ("maxCartridgeUseSeconds", .int(limits.cartridgeUseMax.wholeMilliseconds / 1000)),
        ])
    }
}
