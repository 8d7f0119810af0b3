import Foundation
import NIOCore
import NeedleCore
import NeedledConfig
import NeedledFleet
import NeedledLoop
import NeedledRPC
import NeedledStore

/// The open treatment session: `session.open` (the cartridge checked and bound, the loop's session
/// opened, the record written, in that order, undone together), `session.close` (sealed after its
/// last events) and `session.acceptCartridge`.
struct SessionMethods {
    let eventLoop: any EventLoop
    let view: PenView
    let pen: PenMethods
    let store: TreatmentStore
    let recorder: EventRecorder
    let clock: any WallClock
    let configuration: DaemonConfiguration
    let retention: RecordsRetentionService?
    let fleet: FleetLink?
    let softwareVersion: String

    func handle(_ method: APIMethod, _ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        switch method {
        case .sessionOpen: return try open(request)
        case .sessionClose:
            _ = try method.params(NoParams.self, of: request)
            return close()
        case .sessionAcceptCartridge: return try acceptCartridge(request)
        default: throw .methodNotFound(method.name)
        }
    }

    private func open(_ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        let params = try APIMethod.sessionOpen.params(SessionOpenParams.self, of: request)
        let (area, cartridge, reference) = (params.area, params.cartridge, params.reference)
        try checkCartridgeInSlot(cartridge)
        guard let fleet else { return open(area: area, cartridge: cartridge, reference: reference, fleet: nil) }
        guard !view.sessionOpening else {
            throw RPCError(
                code: RPCError.invalidStateCode,
                message: "Cannot open a session: another session.open is being answered; try again when it is.",
                data: .object([
                    ("state", .string(view.latest.status.phase.rawValue)), ("allowedStates", .array([])),
                ]))
        }
        view.sessionOpening = true
        let view = self.view
        return open(area: area, cartridge: cartridge, reference: reference, fleet: fleet).always { _ in
            view.sessionOpening = false
        }
    }

    /// With a fleet, its ledger is asked after the pen's own (which refuses first: the fleet can
    /// only refuse more) and before the loop opens anything, for the session the store will number
    /// next; the confirmation is noted once the record holds the cartridge.
    private func open(
        area: TreatmentArea, cartridge: String, reference: String?, fleet: FleetLink?
    ) -> EventLoopFuture<JSONValue> {
        let store = self.store
        let clock = self.clock
        let view = self.view
        let pen = self.pen
        let needles = configuration.needleCount
        let tickPeriod = configuration.pen.tickPeriod.rawValue
        let limitsJSON = LimitsResult(view.limitsInForce).json.serialized
        let configurationSHA256 = view.configurationSource?.sha256
        let softwareVersion = self.softwareVersion
        // 1. The records say whether this cartridge may serve (registered from the ID chip, or as
        //    the technician gives it, on first sight). 2. The loop opens the session. 3. The record
        //    binds the cartridge to it for good; if that fails the loop's session is closed again.
        let eventLoop = self.eventLoop
        return eventLoop.makeFutureWithTask { () async throws -> FleetAdmission? in
            // Returns the cartridge as registered when it is known already.
            let record = try await store.registerCartridge(
                serial: cartridge, needles: needles, lot: nil, expires: nil, at: clock.now())
            if let rejection = TreatmentStore.rejection(of: record, today: clock.now()) {
                throw Self.rejectionError(rejection, serial: cartridge)
            }
            guard let fleet else { return nil }
            let admission = await fleet.admit(serial: cartridge, session: try await store.nextSessionID())
            if case .refused(let error) = admission { throw error }
            return admission
        }.flatMap { admission in pen.command(.openSession(area)).map { (admission, $0) } }.flatMap {
            admission, answer in
            let openedTick = view.latest.status.tick.rawValue
            return eventLoop.makeFutureWithTask {
                try await store.openSession(
                    area: area.rawValue, cartridge: cartridge, reference: reference, softwareVersion: softwareVersion,
                    limitsJSON: limitsJSON, configurationSHA256: configurationSHA256, at: clock.now(),
                    tick: openedTick, tickPeriodNanoseconds: tickPeriod)
            }.flatMapError { error in
                pen.command(.closeSession).flatMapThrowing { _ in
                    if case StoreError.cartridgeRejected(let rejection) = error {
                        throw Self.rejectionError(rejection, serial: cartridge)
                    }
                    throw RPCError.internalError("the session could not be recorded, so it was not opened (\(error)).")
                }
            }.flatMap { row -> EventLoopFuture<SessionRow> in
                guard let fleet, let admission else { return eventLoop.makeSucceededFuture(row) }
                return eventLoop.makeFutureWithTask {
                    await fleet.recorded(serial: cartridge, admission: admission)
                    return row
                }
            }.map { row -> JSONValue in
                let record = SessionRecord(row: row)
                view.session = record
                return SessionOpenAnswer(
                    session: OpenSessionResult(record, status: view.latest.status, limits: view.limitsInForce),
                    state: answer.state
                ).json
            }
        }
    }

    private func close() -> EventLoopFuture<JSONValue> {
        let closing = view.session
        let strokes = view.latest.status.sessionStrokes
        let view = self.view
        let store = self.store
        let clock = self.clock
        let recorder = self.recorder
        let retention = self.retention
        let eventLoop = self.eventLoop
        return pen.command(.closeSession).flatMap { answer in
            view.session = nil
            let done = eventLoop.makeSucceededFuture(SessionCloseAnswer(closed: closing?.id, state: answer.state).json)
            guard let closing else { return done }
            let now = clock.now()
            let tick = view.latest.status.tick.rawValue
            return eventLoop.makeFutureWithTask {
                // The session's last events and telemetry first: they are chained before the seal.
                await recorder.written()
                try await store.closeSession(id: closing.rowID, at: now, tick: tick, strokes: strokes)
                retention?.sessionClosed()
            }.flatMap { done }
        }
    }

    private func acceptCartridge(_ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        let cartridge = try APIMethod.sessionAcceptCartridge.params(AcceptCartridgeParams.self, of: request)
            .cartridge
        try checkCartridgeInSlot(cartridge)
        guard let open = view.session else {
            throw RPCError(
                code: RPCError.invalidStateCode, message: "Cannot accept the cartridge: no treatment session is open.",
                data: .object([("state", .string(view.latest.status.phase.rawValue)), ("allowedStates", .array([]))]))
        }
        let store = self.store
        let clock = self.clock
        let view = self.view
        let pen = self.pen
        let needles = configuration.needleCount
        let fleet = self.fleet
        return eventLoop.makeFutureWithTask {
            let record = try await store.registerCartridge(
                serial: cartridge, needles: needles, lot: nil, expires: nil, at: clock.now())
            // The pen's own ledger first (the fleet can only refuse more), then the fleet's.
            var admission: FleetAdmission?
            if let fleet {
                if let rejection = TreatmentStore.rejection(of: record, today: clock.now()) {
                    throw Self.rejectionError(rejection, serial: cartridge)
                }
                admission = await fleet.admit(serial: cartridge, session: open.rowID)
                if case .refused(let error) = admission { throw error }
            }
            do {
                try await store.bindCartridge(cartridge, toSession: open.rowID, at: clock.now())
            } catch StoreError.cartridgeRejected(let rejection) {
                throw Self.rejectionError(rejection, serial: cartridge)
            }
            if let fleet, let admission { await fleet.recorded(serial: cartridge, admission: admission) }
        }.flatMap { pen.command(.acceptCartridge) }.map { answer in
            view.session?.cartridge = cartridge
            return CartridgeAcceptAnswer(cartridge: cartridge, state: answer.state).json
        }
    }

    /// The error a technician reads for a cartridge the records refuse.
    static func rejectionError(_ rejection: CartridgeRejection, serial: String) -> RPCError {
        let message: String
        switch rejection {
        case .reused: message = "Cartridge \(serial) was already used for a session. Insert a new sterile cartridge."
        case .expired: message = "Cartridge \(serial) is past its expiry date. Insert a new sterile cartridge."
        case .unknown: message = "Cartridge \(serial) is not registered."
        case .usageTimeExceeded:
            message = "Cartridge \(serial) reached its maximum use time. Insert a new sterile cartridge."
        }
        return .cartridgeRejected(reason: rejection.rawValue, message: message)
    }

    /// A cartridge must be in the slot, and be the one the ID chip names where there is one.
    private func checkCartridgeInSlot(_ serial: String) throws(RPCError) {
        guard view.latest.status.cartridgePresent else {
            throw .cartridgeRejected(
                reason: "absent", message: "No cartridge is inserted. Insert a new sterile cartridge.")
        }
        guard !serial.isEmpty, serial.utf8.count <= CartridgeSerial.bytesMax else {
            throw .invalidParams("\"cartridge\" must be a serial of 1 to \(CartridgeSerial.bytesMax) characters.")
        }
        // Without an ID chip (no serial read from the cartridge) the technician's serial is taken as given.
        if let inserted = view.latest.cartridgeSerial?.string, serial != inserted {
            throw .cartridgeRejected(
                reason: "unknown", message: "Cartridge \(serial) is not the one in the pen (\(inserted)).")
        }
    }
}
