import NeedledRPC
import NeedledServer
import Testing

/// The connection rule: read-only clients cannot take the operators' slots, one uid cannot take
/// the house, root and the daemon's own user are exempt from the per-uid share.
@Suite("Connection slots")
struct ConnectionSlotsTests {
    @Test("Read-only clients share 24 of 32 slots; the last 8 stay for operators")
    func readOnlyShare() {
        var slots = ConnectionSlots(connectionsMax: 32, exemptUserIDs: [0])
        // Twelve read-only users with two connections each.
        for index in 0..<24 { #expect(slots.admit(userID: 1000 + UInt32(index / 2), role: .readOnly) == nil) }
        #expect(slots.admit(userID: 2000, role: .readOnly) == .readOnlyShare)
        for index in 0..<8 { #expect(slots.admit(userID: 3000 + UInt32(index), role: .operator) == nil) }
        #expect(slots.admit(userID: 3100, role: .operator) == .full)
        // A read-only client leaving frees a read-only slot, not more.
        slots.release(userID: 1000, role: .readOnly)
        #expect(slots.admit(userID: 3100, role: .operator) == nil)
        #expect(slots.admit(userID: 2000, role: .readOnly) == .full)
        #expect(slots.busyError(.readOnlyShare).message.contains("8 are kept for operators"))
    }

    @Test("One uid holds at most half the slots; root does not count against it")
    func perUserShare() {
        var slots = ConnectionSlots(connectionsMax: 32, exemptUserIDs: [0, 999])
        for _ in 0..<16 { #expect(slots.admit(userID: 1000, role: .operator) == nil) }
        #expect(slots.admit(userID: 1000, role: .operator) == .userShare)
        #expect(slots.admit(userID: 1001, role: .operator) == nil)
        for _ in 0..<15 { #expect(slots.admit(userID: 0, role: .operator) == nil) }
        #expect(slots.admit(userID: 0, role: .operator) == .full)
        #expect(slots.open == 32)
        #expect(
            slots.busyError(.userShare).message
                == "Busy: one user may hold at most 16 of the 32 connections; close one of yours and try again.")
    }
}
