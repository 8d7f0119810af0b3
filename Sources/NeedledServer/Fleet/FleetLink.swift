import Foundation
package import Logging
package import NeedledConfig
package import NeedledFleet
package import NeedledRPC
package import NeedledStore
import Synchronization

/// The pen's side of the clinic's fleet, off the loop and off the event loop: asks the fleet's
/// ledger about each cartridge a session takes (`admit`), sends the bindings it could not
/// (`offline-cartridges = "local"`) when the fleet is back, and finds cartridges that served
/// two pens meanwhile — reported on both pens (the status, the journal, an event in the
/// records) and in the fleet. Publishes where the pen stands for `pen.status` (`status`).
package final class FleetLink: Sendable {
    let ledger: any FleetLedger
    let store: TreatmentStore
    let settings: FleetSettings
    /// The records' ids in the fleet: the pen's and store's prefix, unique across pens.
    let copies: FleetCopies
    let clock: any WallClock
    let logger: Logger
    /// How often the link catches up with the fleet (bindings, conflicts, reachability).
    let period: Duration
    /// The loop's newest tick, for the conflict's event in the records.
    let latestTick = Atomic<Int64>(0)
    private let state: Mutex<FleetStatusResult>
    private let schedule = PassSchedule()

    package init(
        ledger: any FleetLedger, store: TreatmentStore, settings: FleetSettings, identity: PenIdentity,
        clock: any WallClock, logger: Logger, period: Duration = .seconds(2)
    ) {
        self.ledger = ledger
        self.store = store
        self.settings = settings
        copies = FleetCopies(recordIDPrefix: identity.recordIDPrefix, storeID: identity.storeID)
        self.clock = clock
        self.logger = logger
        self.period = period
        state = Mutex(
            FleetStatusResult(
                reachable: false, offlineCartridges: settings.offlineCartridges.rawValue, lastContact: nil,
                lastError: "not asked yet", behindRecords: 0, behindSeconds: 0, conflictCount: 0, conflicts: []))
    }

    /// What `pen.status` shows of the fleet now.
    package var status: FleetStatusResult { state.withLock { $0 } }

    /// A session's id in the fleet: the pen's, the store's and the session's (`PEN-…-1-S-0003`).
    func recordID(session: Int64) -> String { copies.sessionID(session) }

    /// Asks the fleet to bind `serial` to the session that will be (or is) `session`, within the
    /// answer timeout; what that means under the pen's policy.
    package func admit(serial: String, session: Int64) async -> FleetAdmission {
        let answer: Result<FleetVerdict, FleetError>
        do {
            answer = .success(try await ledger.bind(serial: serial, session: recordID(session: session)))
        } catch {
            answer = .failure(error)
        }
        noteAnswer(answer.map { _ in () })
        let admission = FleetAdmission.decide(answer, serial: serial, policy: settings.offlineCartridges)
        switch admission {
        case .offline(let reason):
            logger.warning(
                "fleet: cartridge \(serial) taken on this pen's own ledger (offline-cartridges = \"local\"): \(reason); the binding is sent when the fleet is back"
            )
        case .refused(let error):
            logger.notice("fleet: cartridge \(serial) refused: \(error.message)")
        case .bound: break
        }
        return admission
    }

    /// The session's record holds the cartridge: the fleet's confirmation goes with it, or, taken
    /// offline, it waits for the next pass.
    func recorded(serial: String, admission: FleetAdmission) async {
        if admission == .bound {
            do {
                try await store.markFleetBound(serial: serial, at: clock.now())
            } catch {
                logger.error("fleet: cannot note cartridge \(serial) as confirmed: \(error); it is sent again")
            }
        }
        schedule.wake()
    }

    package func finish() { schedule.finish() }

    /// Passes until `finish()` (or cancellation): one at start, then every period or when woken.
    package func run() async {
        await schedule.run(every: period) { await pass() }
    }

    /// Catches up: the bindings not yet confirmed, conflicts found here not yet told, conflicts
    /// other pens found on this pen's bindings; then how far behind the pen is.
    package func pass() async {
        do {
            try await sendBindings()
            try await reportConflicts()
            try await learnConflicts()
            try await copyRecords()
            noteAnswer(.success(()))
        } catch let error as FleetError {
            noteAnswer(.failure(error))
        } catch {
            logger.error("fleet: the records could not be read for the fleet: \(error)")
        }
        await refreshBehind()
    }

    private func sendBindings() async throws {
        for unsent in try await store.fleetUnsentBindings() {
            let session = recordID(session: unsent.sessionID)
            switch try await ledger.bind(serial: unsent.serial, session: session) {
            case .bound, .boundAlready:
                try await store.markFleetBound(serial: unsent.serial, at: clock.now())
                logger.info("fleet: cartridge \(unsent.serial) of \(session) confirmed")
            case .reused(let binding):
                try await conflict(
                    serial: unsent.serial, session: unsent.sessionID, otherPen: binding.pen,
                    otherSession: binding.session, reported: false)
            }
        }
    }

    private func reportConflicts() async throws {
        for conflict in try await store.fleetConflictsUnreported() {
            guard let session = conflict.sessionID else { continue }
            try await ledger.reportConflict(
                CartridgeBinding(serial: conflict.serial, pen: conflict.otherPen, session: conflict.otherSession),
                session: recordID(session: session))
            try await store.markFleetConflictReported(conflict, at: clock.now())
        }
    }

    private func learnConflicts() async throws {
        for found in try await ledger.conflictsOnOwnBindings() {
            let session = try await store.cartridge(serial: found.binding.serial)?.sessionID
            try await conflict(
                serial: found.binding.serial, session: session, otherPen: found.otherPen,
                otherSession: found.otherSession, reported: true)
        }
    }

    /// The records the fleet does not hold yet: closed sessions whole, oldest first (each
    /// verified against the pen's chain as it is stored), then what lies outside sessions.
    private func copyRecords() async throws {
        for id in try await store.sessionsNotInFleet(limit: Self.sessionsAPass) {
            guard let rows = try await store.fleetReplica(session: id) else { continue }
            let copy = copies.session(rows)
            let outcome = try await ledger.store(copy)
            try await store.markSessionInFleet(id, at: clock.now())
            logger.info(
                "fleet: \(copy.recordID) \(outcome == .stored ? "stored" : "held already") and verified (\(copy.fingerprint))"
            )
        }
        let eventsAfter = try await store.fleetProgress("events")
        let faultsAfter = try await store.fleetProgress("faults")
        let events = try await store.sessionlessEvents(after: eventsAfter, limit: Self.rowsAPass)
        let faults = try await store.sessionlessFaults(after: faultsAfter, limit: Self.faultsAPass)
        guard !events.isEmpty || !faults.isEmpty else { return }
        try await ledger.store(
            events: events.map(copies.event), faults: faults.map { copies.fault($0.0, window: $0.1) })
        if let last = events.last?.id { try await store.setFleetProgress("events", to: last) }
        if let last = faults.last?.0.id { try await store.setFleetProgress("faults", to: last) }
    }

    static let sessionsAPass = 20
    static let rowsAPass = 500
    static let faultsAPass = 5

    /// One cartridge, two pens' sessions: into the records (once) and the journal.
    private func conflict(
        serial: String, session: Int64?, otherPen: String, otherSession: String, reported: Bool
    ) async throws {
        let here = session.map(SessionRow.displayID(for:))
        let detail = JSONValue.object([
            ("cartridge", .string(serial)), ("session", .nullable(here)),
            ("recordID", .nullable(session.map { recordID(session: $0) })), ("otherPen", .string(otherPen)),
            ("otherSession", .string(otherSession)),
        ])
        let new = try await store.recordFleetConflict(
            serial: serial, otherPen: otherPen, otherSession: otherSession, reported: reported,
            detailJSON: detail.serialized, at: clock.now(), tick: latestTick.load(ordering: .relaxed))
        guard new else { return }
        logger.error(
            "fleet: cartridge conflict: cartridge \(serial) served \(here ?? "a session") on this pen and \(otherSession) on pen \(otherPen) while the two were apart; report it to the clinic (single use was not kept)"
        )
    }

    private func noteAnswer(_ answer: Result<Void, FleetError>) {
        let now = TreatmentStore.timestamp(clock.now())
        state.withLock { status in
            switch answer {
            case .success:
                status.reachable = true
                status.lastContact = now
                status.lastError = nil
            case .failure(let error):
                status.reachable = false
                status.lastError = error.description
            }
        }
    }

    private func refreshBehind() async {
        do {
            let (bindings, oldestUse) = try await store.fleetUnsentBindingCount()
            let (records, oldestClosed) = try await store.fleetReplicationBacklog()
            let count = bindings + records
            let conflicts = try await store.fleetConflicts()
            let now = clock.now()
            let waited = [oldestUse, oldestClosed].compactMap { $0.flatMap { ISO8601DateFormatter().date(from: $0) } }
                .min().map { now.timeIntervalSince($0) }
            state.withLock { status in
                status.behindRecords = Int64(count)
                status.behindSeconds = Int64(max(0, waited ?? 0))
                status.conflictCount = Int64(conflicts.count)
                status.conflicts = conflicts.suffix(FleetStatusResult.conflictsShown).map {
                    FleetConflictResult(
                        cartridge: $0.serial, session: $0.sessionID.map(SessionRow.displayID(for:)),
                        otherPen: $0.otherPen, otherSession: $0.otherSession, foundAt: $0.foundAt)
                }
            }
        } catch {
            logger.error("fleet: the records could not be read for the fleet's status: \(error)")
        }
    }
}
