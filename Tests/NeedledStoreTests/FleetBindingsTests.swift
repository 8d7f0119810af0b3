import Foundation
import Testing

@testable import NeedledStore

/// What the pen's records keep of the fleet: bindings not yet confirmed (sent again after a
/// restart), and each conflict once, with its event in the records and its report to the fleet.
@Suite("The fleet's bindings and conflicts in the pen's records")
struct FleetBindingsTests {
    @Test(
        "Unconfirmed bindings are listed oldest first and counted until confirmed; a conflict is recorded once, with one event outside any session, until reported"
    )
    func bindingsAndConflicts() async throws {
        let state = NSTemporaryDirectory() + "needled-fleet-store-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = try TreatmentStore(directory: state)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.nextSessionID() == 1)
        for (index, serial) in ["CART-A", "CART-B"].enumerated() {
            let at = start.addingTimeInterval(Double(index) * 60)
            try await store.registerCartridge(serial: serial, needles: 12, lot: nil, expires: nil, at: at)
            let predicted = try await store.nextSessionID()
            let session = try await store.openSession(
                area: "cheeks", cartridge: serial, reference: nil, softwareVersion: "test", limitsJSON: "{}", at: at,
                tick: 0, tickPeriodNanoseconds: 1_000_000)
            #expect(session.id == predicted)
            try await store.closeSession(id: predicted, at: at, tick: 10, strokes: 1)
        }
        // Registered but never used: not a binding.
        try await store.registerCartridge(serial: "CART-UNUSED", needles: 12, lot: nil, expires: nil, at: start)
        #expect(
            try await store.fleetUnsentBindings()
                == [
                    FleetUnsentBinding(serial: "CART-A", sessionID: 1, firstUsedAt: "2027-01-15T08:00:00Z"),
                    FleetUnsentBinding(serial: "CART-B", sessionID: 2, firstUsedAt: "2027-01-15T08:01:00Z"),
                ])
        #expect(try await store.fleetUnsentBindingCount() == (2, "2027-01-15T08:00:00Z"))

        try await store.markFleetBound(serial: "CART-A", at: start)
        #expect(try await store.fleetUnsentBindings().map(\.serial) == ["CART-B"])

        let found = start.addingTimeInterval(3600)
        for _ in 0..<2 {
            _ = try await store.recordFleetConflict(
                serial: "CART-B", otherPen: "pen_b", otherSession: "PEN-B-1-S-0009", reported: false,
                detailJSON: #"{"cartridge":"CART-B"}"#, at: found, tick: 42)
        }
        let conflict = FleetConflictRow(
            serial: "CART-B", sessionID: 2, otherPen: "pen_b", otherSession: "PEN-B-1-S-0009",
            foundAt: "2027-01-15T09:00:00Z")
        #expect(try await store.fleetConflicts() == [conflict])
        // A cartridge in conflict is not sent again: the fleet's binding is the other pen's.
        #expect(try await store.fleetUnsentBindingCount().count == 0)
        let events = try await store.read { db in
            try EventRow.filter(sql: "kind = 'cartridgeConflict'").fetchAll(db)
        }
        #expect(events.map(\.sessionID) == [nil])
        #expect(events.map(\.tick) == [42])
        #expect(try await store.fleetConflictsUnreported() == [conflict])
        try await store.markFleetConflictReported(conflict, at: found)
        #expect(try await store.fleetConflictsUnreported() == [])
        // The sealed session's chain is as it was.
        #expect(try await store.verifySession(id: 2)?.state == .intact)
    }
}
