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
            let params = try method.params(FaultListParams.self, of: request)
            let (session, limit) = (params.session?.number, params.limit)
            return eventLoop.makeFutureWithTask {
                ListResult(
                    try await store.faults(session: session, limit: limit).map {
                        FaultRecordResult($0, recordIDPrefix: prefix)
                    }
                ).json
            }
        case .faultGet:
            let params = try method.params(FaultGetParams.self, of: request)
            let (text, id, limit) = (params.id.text, params.id.number, params.limit)
            return storedRecord(
                on: eventLoop,
                named: "fault \(text)", text: text,
                fetch: { (try await store.fault(id: id), try await store.flightSamples(fault: id, limit: limit)) },
                result: { row, samples in
                    FaultDetailResult(
                        fault: FaultRecordResult(row, recordIDPrefix: prefix),
                        samples: samples.map(FlightSampleResult.init))
                })
        default: throw .methodNotFound(request.method)  // routed here only for its own methods
        }
    }
}
