import NeedleCore
import NeedledRPC
import NeedledStore

/// The results the records answer, built from the store's rows. `recordIDPrefix`: the pen's and
/// store's (`PenIdentity.recordIDPrefix`), for the ids unique across pens and stores.
extension SessionRecordResult {
    init(_ row: SessionRow, recordIDPrefix: String?) {
        self.init(
            id: row.displayID, recordID: recordIDPrefix.map { $0 + row.displayID }, area: row.area,
            cartridge: row.cartridge, reference: row.reference, openedAt: row.openedAt, closedAt: row.closedAt,
            closeReason: row.closeReason, softwareVersion: row.softwareVersion, openedTick: row.openedTick,
            closedTick: row.closedTick, tickPeriodMicroseconds: row.tickPeriodNanoseconds.map { $0 / 1000 },
            durationSeconds: row.durationNanoseconds.map { Double($0 / 1_000_000) / 1000 }, strokes: row.strokes,
            limits: JSONValue.parse(Array(row.limitsJSON.utf8)) ?? .null, configurationSHA256: row.configurationSHA256,
            exportedAt: row.exportedAt, telemetryPrunedAt: row.telemetryPrunedAt)
    }
}

extension RecordedEventResult {
    init(_ row: EventRow) {
        self.init(
            tick: row.tick, wallTime: row.wallTime, kind: row.kind,
            detail: JSONValue.parse(Array(row.detailJSON.utf8)) ?? .string(row.detailJSON))
    }
}

extension TelemetrySampleResult {
    init(_ sample: TelemetrySample) {
        self.init(
            tick: sample.tick, state: sample.state, depthMicrometres: Int64(sample.depthMicrometres),
            depthTargetMicrometres: Int64(sample.depthTargetMicrometres),
            speed: Hertz(millihertz: sample.speedMillihertz),
            speedTarget: Hertz(millihertz: sample.speedTargetMillihertz),
            strokes: sample.strokes)
    }
}

extension SessionVerdictResult {
    init(_ verdict: ChainVerdict, recordIDPrefix: String?) {
        let id = SessionRow.displayID(for: verdict.sessionID)
        self.init(
            session: id, recordID: recordIDPrefix.map { $0 + id }, state: verdict.state.rawValue,
            intact: verdict.state == .intact || verdict.state == .open, links: Int64(verdict.links),
            firstDifference: verdict.firstDifference)
    }
}

extension RecordsVerdictResult {
    init(_ verdict: RecordsVerdict, recordIDPrefix: String?) {
        self.init(
            intact: verdict.brokenCount == 0, sessions: Int64(verdict.sessions),
            counts: VerdictCountsResult(
                intact: Int64(verdict.intact), open: Int64(verdict.open), notChained: Int64(verdict.notChained),
                broken: Int64(verdict.brokenCount)),
            broken: verdict.broken.map { SessionVerdictResult($0, recordIDPrefix: recordIDPrefix) })
    }
}

extension CartridgeRecordResult {
    init(_ record: CartridgeRecord) {
        self.init(
            serial: record.serial, needles: Int64(record.needles), lot: record.lot, expires: record.expires,
            registeredAt: record.registeredAt, session: record.sessionID.map(SessionRow.displayID(for:)),
            firstUsedAt: record.firstUsedAt, useEndedAt: record.useEndedAt, useEndReason: record.useEndReason)
    }
}

extension FaultRecordResult {
    init(_ row: FaultRecordRow, recordIDPrefix: String?) {
        self.init(
            id: row.displayID, recordID: recordIDPrefix.map { $0 + row.displayID },
            session: row.sessionID.map(SessionRow.displayID(for:)), code: row.code, message: row.message,
            action: FaultCode(rawValue: row.code)?.technicianAction ?? "", tick: row.tick, wallTime: row.wallTime,
            tickPeriodMicroseconds: row.tickPeriodNanoseconds / 1000, sampleCount: Int64(row.sampleCount))
    }
}

extension FlightSampleResult {
    init(_ row: FlightSampleRow) {
        self.init(
            tick: row.tick, state: row.state, depthMicrometres: row.depthMicrometres,
            depthTargetMicrometres: row.depthTargetMicrometres, speedMillihertz: row.speedMillihertz,
            speedTargetMillihertz: row.speedTargetMillihertz, rampedSpeedMillihertz: row.rampedSpeedMillihertz,
            motorEnabled: row.motorEnabled, brakeEngaged: row.brakeEngaged, motorDutyPpm: row.motorDutyPpm,
            heartbeat: row.heartbeat, stepperEnabled: row.stepperEnabled, depthSteps: row.depthSteps,
            encoderCount: row.encoderCount, homeSwitch: row.homeSwitch, cartridgePresent: row.cartridgePresent,
            driverFault: row.driverFault, emergencyStop: row.emergencyStop,
            temperatureMillicelsius: row.temperatureMillicelsius,
            measuredPeriodMicroseconds: row.measuredPeriodNanoseconds / 1000, hardware: row.hardware)
    }
}
