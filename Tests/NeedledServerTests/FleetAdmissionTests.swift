import NeedledConfig
import NeedledFleet
import NeedledRPC
import Testing

@testable import NeedledServer

/// The policy's one place: what each answer of the fleet means for a cartridge, under each
/// `offline-cartridges`, with the sentence the technician reads.
@Suite("The fleet's answer, under each offline policy")
struct FleetAdmissionTests {
    @Test("Bound (now or before) admits under both policies; reused refuses naming pen and session under both")
    func answered() {
        for policy in FleetSettings.OfflineCartridges.allCases {
            #expect(FleetAdmission.decide(.success(.bound), serial: "C-1", policy: policy) == .bound)
            #expect(FleetAdmission.decide(.success(.boundAlready), serial: "C-1", policy: policy) == .bound)
            let used = CartridgeBinding(serial: "C-1", pen: "pen_b", session: "PEN-B-1-S-0004")
            #expect(
                FleetAdmission.decide(.success(.reused(used)), serial: "C-1", policy: policy)
                    == .refused(
                        RPCError(
                            code: RPCError.cartridgeRejectedCode,
                            message:
                                "Cartridge C-1 was already used on pen pen_b (session PEN-B-1-S-0004). Insert a new sterile cartridge.",
                            data: .object([
                                ("reason", "reused"), ("pen", "pen_b"), ("session", "PEN-B-1-S-0004"),
                            ]))))
        }
    }

    @Test("Unanswered: \"refuse\" refuses saying why and what to do; \"local\" lets the pen's own ledger decide")
    func unanswered() {
        for error in [
            FleetError.unreachable("no answer within 2.0 seconds"), .refused("permission denied (SQLSTATE 42501)"),
        ] {
            #expect(
                FleetAdmission.decide(.failure(error), serial: "C-1", policy: .refuse)
                    == .refused(
                        RPCError(
                            code: RPCError.cartridgeRejectedCode,
                            message:
                                "Cartridge C-1 cannot be checked: \(error.description). This pen treats only with cartridges the clinic's fleet has bound (offline-cartridges = \"refuse\"); check the pen's network or ask the clinic's IT.",
                            data: .object([("reason", "fleetUnreachable")]))))
            #expect(
                FleetAdmission.decide(.failure(error), serial: "C-1", policy: .local)
                    == .offline(reason: error.description))
        }
    }
}
