import Foundation
import NeedledRPC
import NeedledStore

/// Depth, speed, strokes and faults as Observations, each `partOf` the session's Procedure.
extension SessionMapping {
    /// The telemetry's period in the record (10 Hz).
    static let samplePeriodMilliseconds: Int64 = 100

    func observations() -> [JSONValue] {
        var observations: [JSONValue] = []
        let running = records.telemetry.filter { $0.state == "running" }
        if let deepest = running.map(\.depthMicrometres).max() {
            observations.append(
                observation(
                    "depth-max", "Deepest needle depth while running", value: millimetres(Int64(deepest))))
        }
        if let limits = JSONValue.parse(Array(session.limitsJSON.utf8)),
            let limit = limits["maxDepthMicrometres"]?.fhirInteger
        {
            observations.append(
                observation("depth-limit", "Needle depth limit the session was opened under", value: millimetres(limit))
            )
        }
        if !running.isEmpty {
            let mean = running.reduce(Int64(0)) { $0 + Int64($1.speedMillihertz) } / Int64(running.count)
            observations.append(
                observation(
                    "speed-mean", "Mean stroke rate while running",
                    value: quantity(Double(mean / 100) / 10, unit: "Hz", code: "Hz")))
        }
        observations.append(
            observation(
                "strokes", "Needle strokes in the session",
                value: quantity(Double(session.strokes), unit: "strokes", code: "{strokes}")))
        if let series = sampled(\.depthMicrometres, scale: 1000, unit: "mm", code: "mm") {
            observations.append(
                observation("depth-series", "Needle depth at 10 Hz", key: "valueSampledData", value: series))
        }
        if let series = sampled(\.speedMillihertz, scale: 1000, unit: "Hz", code: "Hz") {
            observations.append(
                observation("speed-series", "Stroke rate at 10 Hz", key: "valueSampledData", value: series))
        }
        for fault in records.faults { observations.append(faultObservation(fault)) }
        return observations
    }

    func observation(
        _ code: String, _ display: String, key: String = "valueQuantity", value: JSONValue,
        effective: (String, JSONValue)? = nil, identifier: String? = nil
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("resourceType", "Observation"),
            ("id", .string(FHIRIdentity.uuid(identifier ?? (records.recordID + "/Observation/" + code)))),
        ]
        if let identifier {
            members.append(("identifier", .array([self.identifier(FHIRIdentity.recordIDSystem, identifier)])))
        }
        members += [
            ("status", .string(session.closedAt == nil ? "preliminary" : "final")),
            ("code", Self.concept(FHIRIdentity.observationSystem, code, display)),
            ("subject", subject),
            ("partOf", .array([reference("Procedure", procedureID)])),
            effective ?? ("effectivePeriod", period),
        ]
        if let penDeviceID { members.append(("device", reference("Device", penDeviceID))) }
        members.append((key, value))
        return .object(members)
    }

    func quantity(_ value: Double, unit: String, code: String) -> JSONValue {
        .object([
            ("value", .double(value)), ("unit", .string(unit)), ("system", .string(FHIRIdentity.ucum)),
            ("code", .string(code)),
        ])
    }

    func millimetres(_ micrometres: Int64) -> JSONValue { quantity(Double(micrometres) / 1000, unit: "mm", code: "mm") }

    /// A series at the record's 10 Hz, gaps (samples the record lost) as "E", FHIR's no-value.
    func sampled(
        _ value: KeyPath<TelemetrySample, Int32>, scale: Int64, unit: String, code: String
    ) -> JSONValue? {
        guard let first = records.telemetry.first, let period = session.tickPeriodNanoseconds, period > 0 else {
            return nil
        }
        let ticksPerSample = max(1, Self.samplePeriodMilliseconds * 1_000_000 / period)
        var slots: [String] = []
        slots.reserveCapacity(records.telemetry.count)
        for sample in records.telemetry {
            let slot = Int((sample.tick - first.tick) / ticksPerSample)
            guard slot >= slots.count else { continue }
            while slots.count < slot { slots.append("E") }
            slots.append(Self.decimal(Int64(sample[keyPath: value]), scale: scale))
        }
        return .object([
            (
                "origin",
                .object([
                    ("value", .int(0)), ("unit", .string(unit)), ("system", .string(FHIRIdentity.ucum)),
                    ("code", .string(code)),
                ])
            ),
            ("period", .int(Self.samplePeriodMilliseconds)),
            ("dimensions", .int(1)),
            ("data", .string(slots.joined(separator: " "))),
        ])
    }

    /// 1234 at scale 1000 → "1.234", without Foundation's formatting.
    static func decimal(_ value: Int64, scale: Int64) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let whole = magnitude / UInt64(scale)
        let fraction = String(magnitude % UInt64(scale))
        let digits = String(scale).count - 1
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    func faultObservation(_ fault: FaultRecordRow) -> JSONValue {
        observation(
            "fault", "Safety fault latched by the pen", key: "valueCodeableConcept",
            value: .object([
                (
                    "coding",
                    .array([.object([("system", .string(FHIRIdentity.faultSystem)), ("code", .string(fault.code))])])
                ),
                ("text", .string(fault.message)),
            ]),
            effective: ("effectiveDateTime", .string(fault.wallTime)),
            identifier: records.faultRecordIDPrefix + fault.displayID)
    }
}
