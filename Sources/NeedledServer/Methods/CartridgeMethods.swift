import NIOCore
import NeedledLoop
import NeedledRPC
import NeedledStore

/// `cartridge.register`, `cartridge.list` and `cartridge.get`: the single-use ledger.
struct CartridgeMethods {
    let store: TreatmentStore
    let eventLoop: any EventLoop
    let clock: any WallClock

    func handle(_ method: APIMethod, _ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        switch method {
        case .cartridgeRegister:
            let params = try method.params(CartridgeRegisterParams.self, of: request)
            return eventLoop.makeFutureWithTask {
                CartridgeRecordResult(
                    try await store.registerCartridge(
                        serial: params.serial, needles: Int(params.needles), lot: params.lot, expires: params.expires,
                        at: clock.now())
                ).json
            }
        case .cartridgeList:
            _ = try method.params(NoParams.self, of: request)
            return eventLoop.makeFutureWithTask {
                ListResult(try await store.cartridges().map(CartridgeRecordResult.init)).json
            }
        case .cartridgeGet:
            let serial = try method.params(CartridgeGetParams.self, of: request).serial
            return eventLoop.makeFutureWithTask { try await store.cartridge(serial: serial) }.flatMapThrowing {
                record in
                guard let record else {
                    throw RPCError.cartridgeRejected(
                        reason: "unknown", message: "No cartridge \(serial) is registered.")
                }
                return CartridgeRecordResult(record).json
            }
        default: throw .methodNotFound(request.method)  // routed here only for its own methods
        }
    }
}
