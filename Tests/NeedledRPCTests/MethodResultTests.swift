import NeedleCore
import NeedledRPC
import Testing

/// The results' types (issue 19, item 2): a value written and read back is the same value; a
/// result that drifted is an error naming the field inside it, with its path; units and names are
/// read as their types, not as bare numbers and strings.
@Suite("Method results: one type each, written and read the same")
struct MethodResultTests {
    static let status = PenStatusResult(
        state: .running, homed: true, depth: Micrometres(500), depthTarget: Micrometres(600),
        speed: Hertz(millihertz: 119_500), speedTarget: Hertz(120), depthMax: Micrometres(1000), motorEnabled: true,
        temperature: MilliCelsius(31_000), fault: nil, cartridge: CartridgeInSlotResult(serial: "C-1", accepted: true),
        session: OpenSessionResult(
            id: "S-0001", area: .cheeks, cartridge: "C-1", reference: nil, openedAt: "2026-12-05T08:00:00Z",
            depthMax: Micrometres(1000), expired: false, strokes: 1200, elapsedSeconds: 10, cartridgeUseSeconds: 9,
            cartridgeUseMaxSeconds: 1800),
        tick: TickIndex(10_000), recordsWritable: true, recordsFillPercent: 3, recordsWarning: nil)

    @Test("pen.status written and read back is the same status, the speed to the millihertz")
    func statusRoundTrip() throws {
        let read = try PenStatusResult(.penStatus, Self.status.json)
        #expect(read == Self.status)
        #expect(Self.status.json["speedHertz"] == .double(119.5))
        #expect(Self.status.json["speedTargetHertz"] == .int(120))
    }

    @Test("A field drifted inside a nested object is named with its path")
    func nestedFieldNamed() throws {
        guard case .object(var members) = Self.status.json else {
            Issue.record("not an object")
            return
        }
        let index = try #require(members.firstIndex { $0.0 == "session" })
        members[index].1 = OpenSessionResult.drifted(Self.status.session!)
        #expect(
            throws: ResultShapeError(
                method: .penStatus, field: "session.area",
                expected: "one of " + TreatmentArea.allCases.map(\.rawValue).joined(separator: ", "),
                found: .string("chin"))
        ) {
            try PenStatusResult(.penStatus, .object(members))
        }
    }

    @Test("A phase the client does not know is an error listing the ones it does")
    func unknownPhase() throws {
        let drifted = CommandAnswer(state: .ready).json.appending("x", .null)
        guard case .object(var members) = drifted else {
            Issue.record("not an object")
            return
        }
        members[1].1 = .string("sleeping")
        #expect(
            throws: ResultShapeError(
                method: .penStart, field: "state",
                expected: "one of " + PenPhase.allCases.map(\.rawValue).joined(separator: ", "),
                found: .string("sleeping"))
        ) {
            try CommandAnswer(.penStart, .object(members))
        }
    }

    @Test("A depth beyond 32 bits is refused, not wrapped")
    func depthOutOfRange() throws {
        guard case .object(var members) = Self.status.json else {
            Issue.record("not an object")
            return
        }
        members[2].1 = .int(Int64(Int32.max) + 1)
        #expect(
            throws: ResultShapeError(
                method: .penStatus, field: "depthMicrometres", expected: "an integer of 32 bits",
                found: .int(Int64(Int32.max) + 1))
        ) {
            try PenStatusResult(.penStatus, .object(members))
        }
    }

    @Test("A list's element that drifted is named by its index")
    func listElementNamed() throws {
        let cartridge = CartridgeRecordResult(
            serial: "C-1", needles: 12, lot: nil, expires: nil, registeredAt: "2026-12-05T08:00:00Z", session: nil,
            firstUsedAt: nil, useEndedAt: nil, useEndReason: nil)
        let list = JSONValue.array([cartridge.json, .object([("serial", "C-2")])])
        #expect(
            throws: ResultShapeError(method: .cartridgeList, field: "[1].needles", expected: "an integer", found: nil)
        ) {
            try ListResult<CartridgeRecordResult>(.cartridgeList, list)
        }
        #expect(try ListResult<CartridgeRecordResult>(.cartridgeList, .array([cartridge.json])).elements == [cartridge])
    }

    @Test("telemetry.subscribe's rate is written only where it is given")
    func subscriptionRate() throws {
        #expect(SubscriptionAnswer(subscribed: true, hz: 10).json.serialized == #"{"subscribed":true,"hz":10}"#)
        #expect(SubscriptionAnswer(subscribed: false).json.serialized == #"{"subscribed":false}"#)
        #expect(try SubscriptionAnswer(.eventsSubscribe, SubscriptionAnswer(subscribed: true).json).hz == nil)
    }
}

extension OpenSessionResult {
    /// The session with an area this release does not have.
    static func drifted(_ session: OpenSessionResult) -> JSONValue {
        guard case .object(var members) = session.json else { return session.json }
        members[1].1 = .string("chin")
        return .object(members)
    }
}
