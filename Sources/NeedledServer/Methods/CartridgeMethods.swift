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
            let params = try RPCParams(request, allowed: ["serial", "needles", "lot", "expires"])
            let serial = try params.requiredString("serial", meaning: "the serial printed on the cartridge")
            guard !serial.isEmpty, serial.utf8.count <= CartridgeSerial.bytesMax else {
                throw .invalidParams("\"serial\" must be 1 to \(CartridgeSerial.bytesMax) characters.")
            }
            let needles = try params.requiredInteger("needles", meaning: "the cartridge's needle count, 1 to 100")
            guard (1...100).contains(needles) else {
                throw .invalidParams("\"needles\" must be from 1 to 100, not \(needles).")
            }
            let lot = try params.optionalString("lot", meaning: "the manufacturer's lot")
            let expires = try params.optionalString("expires", meaning: "the expiry date, YYYY-MM-DD")
            if let expires, expires.count != 10 || expires.split(separator: "-").count != 3 {
                throw .invalidParams("\"expires\" must be a date as YYYY-MM-DD, not \"\(expires)\".")
            }
            return eventLoop.makeFutureWithTask {
                StatusJSON.cartridge(
                    try await store.registerCartridge(
                        serial: serial, needles: Int(needles), lot: lot, expires: expires, at: clock.now()))
            }
        case .cartridgeList:
            _ = try RPCParams(request, allowed: [])
            return eventLoop.makeFutureWithTask { .array(try await store.cartridges().map(StatusJSON.cartridge)) }
        case .cartridgeGet:
            let params = try RPCParams(request, allowed: ["serial"])
            let serial = try params.requiredString("serial", meaning: "the cartridge's serial")
            return eventLoop.makeFutureWithTask { try await store.cartridge(serial: serial) }.flatMapThrowing {
                record in
                guard let record else {
                    throw RPCError.cartridgeRejected(
                        reason: "unknown", message: "No cartridge \(serial) is registered.")
                }
                return StatusJSON.cartridge(record)
            }
        default: throw .methodNotFound(request.method)  // routed here only for its own methods
        }
    }
}
