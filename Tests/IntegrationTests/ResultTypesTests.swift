import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// Every method's result, from the real daemon through a whole treatment, read as the type
/// `APIMethod.resultType` names for it and written back: the same JSON, member for member. The
/// daemon writes its results through these types, and needlectl reads them through the same; this
/// shows the types are what the wire carries, for every method.
@Suite("Result types: every method's answer reads as its type and writes back the same")
struct ResultTypesTests {
    /// The methods answered so far, each with the result as it came.
    final class Answers {
        var results: [(APIMethod, JSONValue)] = []
        let daemon: DaemonProcess

        init(_ daemon: DaemonProcess) {
            self.daemon = daemon
        }

        @discardableResult
        func call(_ method: APIMethod, _ params: JSONValue? = nil) throws -> JSONValue {
            let result = try daemon.call(method.name, params)
            results.append((method, result))
            return result
        }
    }

    @Test("Every method, through a treatment with a fault, a removed cartridge and the records")
    func everyMethodRoundTrips() throws {
        let daemon = try DaemonProcess()
        let answers = Answers(daemon)
        try answers.call(.daemonInfo)
        try answers.call(.daemonStats, .object([("reset", false)]))
        try answers.call(.daemonMetrics)
        try answers.call(.listMethods)
        try answers.call(.penStatus)
        try answers.call(.penHome)
        try daemon.waitFor { $0["state"] == "ready" }
        try answers.call(
            .cartridgeRegister,
            .object([("serial", "RT-0001"), ("needles", 12), ("lot", "L-7"), ("expires", "2030-01-31")]))
        try answers.call(.cartridgeGet, .object([("serial", "RT-0001")]))
        let serial = try #require(try daemon.status()["cartridge"]?["serial"])
        try answers.call(.sessionOpen, .object([("area", "cheeks"), ("cartridge", serial)]))
        try answers.call(.cartridgeList)
        try answers.call(.telemetrySubscribe, .object([("hz", 10)]))
        try answers.call(.telemetryUnsubscribe)
        try answers.call(.eventsSubscribe)
        try answers.call(.eventsUnsubscribe)
        try answers.call(.penSetDepth, .object([("micrometres", 500)]))
        try answers.call(.penSetSpeed, .object([("hertz", 100)]))
        try answers.call(.penArm)
        try answers.call(.penStart)
        #expect(try daemon.waitForTicks(500))
        try answers.call(.penStatus)  // running, a session and a cartridge in it
        try answers.call(.penStop)
        try daemon.waitFor { $0["state"] == "ready" }
        // The cartridge out and back in: the session takes it again only when told.
        try answers.call(.simInjectFault, .object([("fault", "cartridgeRemoved")]))
        try daemon.waitFor { $0["cartridge"] == .null }
        try answers.call(.simClearFault, .object([("fault", "cartridgeRemoved")]))
        try daemon.waitFor { $0["cartridge"] != .null }
        let reinserted = try #require(try daemon.status()["cartridge"]?["serial"])
        try answers.call(.sessionAcceptCartridge, .object([("cartridge", reinserted)]))
        try answers.call(.penEmergencyStop)
        _ = try #require(try daemon.waitForFaultRecord("F-0001"))
        try answers.call(.penStatus)  // the latched fault in it
        // A reset is refused until the rotor is still: the first one taken is the answer.
        #expect(try daemon.poll { try? answers.call(.penResetFault) } != nil)
        try answers.call(.sessionClose)
        try answers.call(.sessionList, .object([("limit", 10)]))
        try answers.call(.sessionGet, .object([("id", "S-0001")]))
        try answers.call(.sessionTelemetry, .object([("id", "S-0001"), ("limit", 50)]))
        try answers.call(.sessionVerify, .object([("id", "S-0001")]))
        try answers.call(.recordsVerify)
        try answers.call(.faultList)
        try answers.call(.faultGet, .object([("id", "F-0001"), ("limit", 20)]))
        try answers.call(.sessionExport, .object([("id", "S-0001"), ("format", "fhir")]))
        try answers.call(.recordsExport, .object([("since", "2000-01-01")]))
        try answers.call(.daemonStats, .object([("reset", true)]))

        for (method, result) in answers.results {
            do {
                let typed = try method.resultType.init(method, result)
                #expect(typed.json.serialized == result.serialized, "\(method.name): written back differently")
            } catch {
                Issue.record("\(method.name): \(error)")
            }
        }
        let answered = Set(answers.results.map(\.0))
        let missing = APIMethod.allCases.filter { !answered.contains($0) }.map(\.name)
        #expect(missing.isEmpty, "methods this test did not call: \(missing)")
        // What the treatment put in the answers, so the round trip covered the optional parts.
        let statuses = answers.results.filter { $0.0 == .penStatus }.map(\.1)
        #expect(statuses.contains { $0["session"] != .null && $0["cartridge"] != .null })
        #expect(statuses.contains { $0["fault"] != .null })
        #expect(daemon.stop() == 0)
    }
}
