import NIOCore
import NeedledRPC
import NeedledStore

/// `fault.list` and `fault.get`: the faults kept with their flight windows, from the store.
struct FaultRecordsMethods {
    let store: TreatmentStore
    let eventLoop: any EventLoop
    let recordIDPrefix: String?

    func handle(_ method: APIMethod, _ request: JSONRPCRequest) throws(RPCError) -> EventLoopFuture<JSONValue> {
        let prefix = recordIDPrefix
        switch method {
        case .faultList:
            let params = try RPCParams(request, allowed: ["session", "limit"])
            let session: Int64? = params["session"] == nil ? nil : try sessionID(params, key: "session").id
            let limit = try params.limit(default: 50, in: 1...1000, of: "faults")
            return eventLoop.makeFutureWithTask {
                .array(
                    try await store.faults(session: session, limit: limit).map {
                        StatusJSON.faultRecord($0, recordIDPrefix: prefix)
                    })
            }
        case .faultGet:
            let params = try RPCParams(request, allowed: ["id", "limit"])
            let text = try params.requiredString("id", meaning: "a fault id such as F-0001")
            guard let id = Int64(text.hasPrefix("F-") ? String(text.dropFirst(2)) : text) else {
                throw .invalidParams("\"id\" must be a fault id such as F-0001, not \"\(text)\".")
            }
            let limit = try params.limit(default: 100_000, in: 1...100_000, of: "samples")
            return storedRecord(
                on: eventLoop,
                named: "fault \(text)", text: text,
                fetch: { (try await store.fault(id: id), try await store.flightSamples(fault: id, limit: limit)) },
                json: { StatusJSON.faultRecord($0, recordIDPrefix: prefix) }, childrenKey: "samples",
                childJSON: StatusJSON.flightSample)
        default: throw .methodNotFound(request.method)  // routed here only for its own methods
        }
    }
}
