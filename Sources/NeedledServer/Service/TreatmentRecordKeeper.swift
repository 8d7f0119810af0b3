import Foundation
import NeedleCore
import NeedledLoop
import NeedledRPC
import NeedledStore

/// What goes into the records as the pen works: every command the loop answered and every event,
/// with the open session; the session's telemetry at 10 Hz; a fault with its flight window; the
/// cartridge's use ended when it is removed or reaches its use time. Hands rows to the
/// `EventRecorder` (written off this thread, in order); never waits for the store. Confined to the
/// service's event loop.
final class TreatmentRecordKeeper: @unchecked Sendable {
    private let store: TreatmentStore
    private let recorder: EventRecorder
    private let clock: any WallClock
    private let tickPeriod: Nanoseconds
    private var lastTelemetrySlot: Int64 = -1

    init(store: TreatmentStore, recorder: EventRecorder, clock: any WallClock, tickPeriod: Nanoseconds) {
        self.store = store
        self.recorder = recorder
        self.clock = clock
        self.tickPeriod = tickPeriod
    }

    /// The open session's telemetry, downsampled to 10 Hz for the record: the first tick of each
    /// 100 ms of ticks, taken from every snapshot the loop pushed (not the newest one a poll
    /// finds), so that a late poll does not bunch the samples: they stay 100 ms of ticks apart.
    func telemetry(_ status: PenStatus, session: SessionRecord?) {
        guard let session else { return }
        let slot = status.tick.rawValue * tickPeriod.rawValue / 100_000_000
        guard slot != lastTelemetrySlot else { return }
        lastTelemetrySlot = slot
        recorder.record(
            TelemetrySample(
                sessionID: session.rowID, tick: status.tick.rawValue, state: status.phase.rawValue,
                depthMicrometres: status.depth.rawValue, depthTargetMicrometres: status.depthTarget.rawValue,
                speedMillihertz: status.speed.millihertz, speedTargetMillihertz: status.speedTarget.millihertz,
                strokes: status.sessionStrokes))
    }

    /// A loop event (as the API shows it), and what it ends: the cartridge's use when it was
    /// removed or reached its maximum use time.
    func event(_ event: PenEvent, _ json: JSONValue, session: SessionRecord?) {
        if let serial = session?.cartridge {
            let reason: CartridgeUseEnd? =
                switch event {
                case .cartridgeRemoved: .removed
                case .faultLatched(let fault) where fault.code == .cartridgeUseTimeExceeded: .usageTimeExceeded
                default: nil
                }
            if let reason {
                let store = self.store
                let now = clock.now()
                Task { try? await store.endCartridgeUse(serial: serial, at: now, reason: reason) }
            }
        }
        if case .string(let kind)? = json["type"], case .int(let tick)? = json["tick"] {
            recorder.record(
                EventRow(
                    sessionID: session?.rowID, tick: tick, wallTime: clock.now(), kind: kind,
                    detailJSON: json.serialized))
        }
    }

    /// Every command the loop answered goes into the open session's record, with its outcome.
    func command(_ penCommand: PenCommand, _ outcome: LoopOutcome, tick: TickIndex, session: SessionRecord?) {
        var detail: [(String, JSONValue)] = [("command", .string(penCommand.kind.rawValue))]
        switch penCommand {
        case .setDepth(let depth): detail.append(("micrometres", .int(Int64(depth.rawValue))))
        case .setSpeed(let speed): detail.append(("hertz", speed.json))
        case .openSession(let area): detail.append(("area", .string(area.rawValue)))
        default: break
        }
        switch outcome {
        case .accepted: detail.append(("outcome", "accepted"))
        case .rejected(let rejection, let state):
            detail.append(("outcome", "rejected"))
            detail.append(("error", rejection.rpcError(state: state).json))
        case .notSimulated, .stats, .limits: return
        }
        recorder.record(
            EventRow(
                sessionID: session?.rowID, tick: tick.rawValue, wallTime: clock.now(), kind: "command",
                detailJSON: JSONValue.object(detail).serialized))
    }

    /// A fault and the flight recorder's window that led to it.
    func fault(_ window: FlightWindow, session: SessionRecord?) {
        let rows = window.samples.map(FlightRecord.row)
        recorder.record(
            FaultRecordRow(
                sessionID: session?.rowID, code: window.fault.code.rawValue, message: window.fault.message,
                tick: window.fault.tick.rawValue, wallTime: TreatmentStore.timestamp(clock.now()),
                tickPeriodNanoseconds: tickPeriod.rawValue, sampleCount: rows.count),
            window: rows)
    }
}
