import NeedledConfig
import NeedledFleet
package import NeedledRPC

/// What the fleet's answer means for a cartridge about to serve a session: pure, the policy's
/// one place (`offline-cartridges`). The fleet can refuse a cartridge; nothing here can make the
/// pen treat with one its own ledger refused, which is asked first.
package enum FleetAdmission: Equatable {
    /// The fleet bound it to this session (now, or before: a retry).
    case bound
    /// The fleet could not be asked and the pen's own ledger decides (`local`): the binding is
    /// sent when the fleet is back.
    case offline(reason: String)
    /// Not this cartridge: the technician reads why.
    case refused(RPCError)

    static func decide(
        _ answer: Result<FleetVerdict, FleetError>, serial: String, policy: FleetSettings.OfflineCartridges
    ) -> FleetAdmission {
        switch answer {
        case .success(.bound), .success(.boundAlready):
            return .bound
        case .success(.reused(let binding)):
            return .refused(reusedError(serial: serial, binding: binding))
        case .failure(let error):
            switch policy {
            case .local:
                return .offline(reason: error.description)
            case .refuse:
                return .refused(
                    RPCError(
                        code: RPCError.cartridgeRejectedCode,
                        message:
                            "Cartridge \(serial) cannot be checked: \(error.description). This pen treats only with cartridges the clinic's fleet has bound (offline-cartridges = \"refuse\"); check the pen's network or ask the clinic's IT.",
                        data: .object([("reason", .string("fleetUnreachable"))])))
            }
        }
    }

    /// The fleet's ledger names where the cartridge served: the pen and its session.
    static func reusedError(serial: String, binding: CartridgeBinding) -> RPCError {
        RPCError(
            code: RPCError.cartridgeRejectedCode,
            message:
                "Cartridge \(serial) was already used on pen \(binding.pen) (session \(binding.session)). Insert a new sterile cartridge.",
            data: .object([
                ("reason", .string("reused")), ("pen", .string(binding.pen)), ("session", .string(binding.session)),
            ]))
    }
}
