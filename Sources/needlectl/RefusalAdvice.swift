import NeedledRPC

/// The next step after a refusal, from the error's data: a refused command says why (the
/// daemon's message) and what would be allowed now.
enum RefusalAdvice {
    static func advice(for error: RPCError) -> String? {
        switch error.code {
        case RPCError.invalidStateCode:
            guard case .string(let state)? = error.data?["state"] else { return nil }
            return nextStep(in: state)
        case RPCError.faultLatchedCode:
            return
                "See what to do: needlectl status (or needlectl faults \(error.data?["code"]?.stringValue ?? "CODE"))."
        case RPCError.limitExceededCode:
            guard case .object? = error.data?["allowed"] else { return nil }
            return "Ask for a value within the allowed range; needlectl info lists the limits and areas."
        case RPCError.cartridgeRejectedCode:
            return "Insert a new sterile cartridge; needlectl cartridge list shows the ones registered."
        case RPCError.busyCode:
            return "Try again in a moment."
        default:
            return nil
        }
    }

    /// What the pen allows next, by state.
    static func nextStep(in state: String) -> String? {
        switch state {
        case "idle": "The pen is idle: home it first (needlectl home)."
        case "homing": "The pen is homing: wait until needlectl status says ready."
        case "ready":
            "The pen is ready: open a session (needlectl session open AREA --cartridge SERIAL), then needlectl arm."
        case "armed": "The pen is armed: needlectl start runs it, needlectl stop disarms it."
        case "running": "The pen is running: needlectl stop first."
        case "stopping": "The pen is stopping: wait for it to be ready."
        case "fault": "A fault is latched: needlectl status says what to do, then needlectl reset."
        default: nil
        }
    }
}
