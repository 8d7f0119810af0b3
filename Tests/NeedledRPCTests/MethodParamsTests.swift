import NeedleCore
import NeedledRPC
import Testing

/// Each method's params as the one type needlectl writes and the daemon reads (issue 19, item 2):
/// what one side writes, the other reads back equal; the catalogue names a type for every method;
/// a key the type does not take is refused, naming it.
@Suite("The API's params types")
struct MethodParamsTests {
    static func request(_ method: APIMethod, _ params: JSONValue?) throws -> JSONRPCRequest {
        var members: [(String, JSONValue)] = [("jsonrpc", "2.0"), ("id", 1), ("method", .string(method.name))]
        if let params { members.append(("params", params)) }
        return try JSONRPCRequest.validate(.object(members)).get()
    }

    /// Written as needlectl writes it, read as the daemon reads it.
    static func roundTrip<P: MethodParams>(_ method: APIMethod, _ params: P) throws -> P {
        try method.params(P.self, of: request(method, params.json))
    }

    @Test("What needlectl writes, the daemon reads back equal, for every type with its optional fields set and not")
    func roundTrips() throws {
        #expect(try Self.roundTrip(.penSetDepth, SetDepthParams(micrometres: 500)) == SetDepthParams(micrometres: 500))
        #expect(try Self.roundTrip(.penSetSpeed, SetSpeedParams(hertz: 120)) == SetSpeedParams(hertz: 120))
        #expect(try Self.roundTrip(.penSetSpeed, SetSpeedParams(hertz: 87.5)) == SetSpeedParams(hertz: 87.5))
        for reference in [nil, "clinic-42"] {
            let open = SessionOpenParams(area: .neck, cartridge: "CART-1", reference: reference)
            #expect(try Self.roundTrip(.sessionOpen, open) == open)
        }
        #expect(
            try Self.roundTrip(.sessionAcceptCartridge, AcceptCartridgeParams(cartridge: "C"))
                == AcceptCartridgeParams(cartridge: "C"))
        for list in [SessionListParams(), SessionListParams(since: "2026-01-01T00:00:00Z", limit: 7)] {
            #expect(try Self.roundTrip(.sessionList, list) == list)
        }
        for id in ["S-0003", "3"] {
            let session = SessionParams(id: .session(id))
            #expect(try Self.roundTrip(.sessionGet, session) == session)
            #expect(session.id.number == 3)
        }
        for telemetry in [
            SessionTelemetryParams(id: .session("S-0001")),
            SessionTelemetryParams(id: .session("S-0001"), after: 99, limit: 36_000),
        ] {
            #expect(try Self.roundTrip(.sessionTelemetry, telemetry) == telemetry)
        }
        #expect(
            try Self.roundTrip(.sessionExport, SessionExportParams(id: .session("S-0002")))
                == SessionExportParams(id: .session("S-0002")))
        for export in [
            RecordsExportParams(since: "2026-01-01"),
            RecordsExportParams(since: "2026-01-01", after: .session("S-0020")),
        ] {
            #expect(try Self.roundTrip(.recordsExport, export) == export)
        }
        for faults in [FaultListParams(), FaultListParams(session: .session("S-0001"), limit: 1000)] {
            #expect(try Self.roundTrip(.faultList, faults) == faults)
        }
        for fault in [FaultGetParams(id: .fault("F-0001")), FaultGetParams(id: .fault("2"), limit: 10)] {
            #expect(try Self.roundTrip(.faultGet, fault) == fault)
        }
        for cartridge in [
            CartridgeRegisterParams(serial: "C-1", needles: 12),
            CartridgeRegisterParams(serial: "C-2", needles: 36, lot: "L7", expires: "2027-06-30"),
        ] {
            #expect(try Self.roundTrip(.cartridgeRegister, cartridge) == cartridge)
        }
        #expect(
            try Self.roundTrip(.cartridgeGet, CartridgeGetParams(serial: "C-1")) == CartridgeGetParams(serial: "C-1"))
        for stats in [StatsParams(), StatsParams(reset: true)] {
            #expect(try Self.roundTrip(.daemonStats, stats) == stats)
        }
        #expect(try Self.roundTrip(.telemetrySubscribe, TelemetrySubscribeParams(hz: 20)).hz == 20)
        #expect(try Self.roundTrip(.simInjectFault, SimulatorFaultParams(fault: "stall")).fault == "stall")
        #expect(try Self.roundTrip(.penHome, NoParams()) == NoParams())
    }

    @Test("Every method's type refuses a key it does not take, naming it and what it takes; an emergency stop none")
    func unknownKeys() throws {
        for method in APIMethod.allCases {
            let request = try Self.request(method, .object([("bogus", 1)]))
            do {
                _ = try method.paramsType.init(request)
                #expect(method == .penEmergencyStop, "\(method.name) took a key it does not take")
            } catch {
                #expect(error.code == -32602)
                #expect(error.message.hasPrefix("Invalid params: \(method.name) does not take \"bogus\"; it takes "))
            }
        }
    }

    @Test("A reference that names no record: the error names the key and what it must be")
    func badReferences() throws {
        #expect(throws: RPCError.invalidParams("\"id\" must be a session id such as S-0001, not \"S-x\".")) {
            try APIMethod.sessionGet.params(SessionParams.self, of: Self.request(.sessionGet, .object([("id", "S-x")])))
        }
        #expect(throws: RPCError.invalidParams("\"session\" must be a session id such as S-0001, not \"F-1\".")) {
            try APIMethod.faultList.params(
                FaultListParams.self, of: Self.request(.faultList, .object([("session", "F-1")])))
        }
    }
}
