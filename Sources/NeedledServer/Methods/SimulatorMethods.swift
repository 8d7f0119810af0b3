import NIOCore
import NeedledLoop
import NeedledRPC

/// `sim.injectFault` and `sim.clearFault`: the simulated pen's faults, by the names the assembly
/// gives (the server does not link the simulator); unknown to any other backend.
struct SimulatorMethods {
    let loop: LoopClient
    let simulated: Bool
    /// The backend's controls by number: a fault's name is its control.
    let controls: [String]

    func handle(
        _ method: APIMethod, _ request: JSONRPCRequest, connection: RPCConnection
    ) throws(RPCError) -> EventLoopFuture<JSONValue> {
        guard simulated, method == .simInjectFault || method == .simClearFault else {
            throw .methodNotFound(request.method)
        }
        precondition(method.paramsType == SimulatorFaultParams.self)
        let name = try SimulatorFaultParams(request, faults: controls).fault
        let faults = controls.joined(separator: ", ")
        guard let control = controls.firstIndex(of: name) else {
            throw .invalidParams("unknown fault \"\(name)\"; the simulator's faults are \(faults).")
        }
        let action: BackendRequest.Action = method == .simInjectFault ? .activate : .deactivate
        return loop.send(.backend(BackendRequest(action, control: UInt8(control))), for: connection)
            .flatMapThrowing { outcome in
                guard case .accepted = outcome else { throw RPCError.methodNotFound(request.method) }
                return SimulatedFaultAnswer(fault: name, active: action == .activate).json
            }
    }
}
