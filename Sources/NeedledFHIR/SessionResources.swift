import Foundation
public import NeedledRPC
import NeedledStore

/// A session as FHIR R4 resources (the mapping is in Docs/api.md, "Records in FHIR"):
/// the treatment as a Procedure (area as bodySite, the performed period), the pen and each
/// cartridge as a Device, and depth, speed, strokes and faults as Observations that are part of it.
public enum FHIRExport {
    /// The session's resources, Procedure first.
    public static func resources(_ set: SessionRecordSet, style: FHIRReferenceStyle) -> [JSONValue] {
        let mapping = SessionMapping(records: set, style: style)
        return [mapping.procedure()] + mapping.devices() + mapping.observations()
    }

    /// One session as a Bundle of type `collection`, each entry with its `urn:uuid:` fullUrl.
    public static func bundle(_ set: SessionRecordSet, timestamp: String) -> JSONValue {
        let entries = resources(set, style: .bundle).map { resource -> JSONValue in
            .object([("fullUrl", .string("urn:uuid:" + (resource["id"]?.fhirText ?? ""))), ("resource", resource)])
        }
        return .object([
            ("resourceType", "Bundle"),
            ("id", .string(FHIRIdentity.uuid(set.recordID + "/Bundle"))),
            (
                "identifier",
                .object([("system", .string(FHIRIdentity.recordIDSystem)), ("value", .string(set.recordID))])
            ),
            ("type", "collection"),
            ("timestamp", .string(timestamp)),
            ("entry", .array(entries)),
        ])
    }
}

struct SessionMapping {
    let records: SessionRecordSet
    let style: FHIRReferenceStyle

    var session: SessionRow { records.session }
    var procedureID: String { FHIRIdentity.uuid(records.recordID + "/Procedure") }
    var penDeviceID: String? { records.penID.map { FHIRIdentity.uuid("pen/" + $0) } }
    func cartridgeDeviceID(_ serial: String) -> String { FHIRIdentity.uuid("cartridge/" + serial) }

    func reference(_ type: String, _ id: String) -> JSONValue {
        .object([("reference", .string(style == .bundle ? "urn:uuid:\(id)" : "\(type)/\(id)"))])
    }

    /// The pen keeps no patient: the clinic's reference for the treatment, when one was given,
    /// identifies the patient in the clinic's own system.
    var subject: JSONValue {
        guard let reference = session.reference, !reference.isEmpty else {
            return .object([("display", "Patient (no clinic reference was recorded on the pen)")])
        }
        return .object([
            (
                "identifier",
                .object([("system", .string(FHIRIdentity.clinicReferenceSystem)), ("value", .string(reference))])
            ),
            ("display", .string("Patient of clinic reference \(reference)")),
        ])
    }

    var period: JSONValue {
        var members: [(String, JSONValue)] = [("start", .string(session.openedAt))]
        if let closedAt = session.closedAt { members.append(("end", .string(closedAt))) }
        return .object(members)
    }

    var status: String {
        guard session.closedAt != nil else { return "in-progress" }
        return session.closeReason == "interrupted" ? "stopped" : "completed"
    }

    static let areaNames: [String: String] = [
        "forehead": "Forehead", "periorbital": "Periorbital region", "nose": "Nose", "cheeks": "Cheeks",
        "perioral": "Perioral region", "neck": "Neck", "decolletage": "Décolletage", "scalp": "Scalp",
        "scars": "Scars", "stretchMarks": "Stretch marks",
    ]

    static func concept(_ system: String, _ code: String, _ display: String) -> JSONValue {
        .object([
            (
                "coding",
                .array([.object([("system", .string(system)), ("code", .string(code)), ("display", .string(display))])])
            ),
            ("text", .string(display)),
        ])
    }

    func procedure() -> JSONValue {
        let area = Self.areaNames[session.area] ?? session.area
        var used: [JSONValue] = []
        if let penDeviceID { used.append(reference("Device", penDeviceID)) }
        used += records.cartridges.map { reference("Device", cartridgeDeviceID($0.serial)) }
        var note = "\(session.strokes) needle strokes."
        if let reason = session.closeReason { note = "Closed as \(reason). " + note }
        if let sha = session.configurationSHA256 { note += " Configuration SHA-256 \(sha)." }
        return .object([
            ("resourceType", "Procedure"),
            ("id", .string(procedureID)),
            ("identifier", .array([identifier(FHIRIdentity.recordIDSystem, records.recordID)])),
            ("status", .string(status)),
            ("code", Self.concept(FHIRIdentity.procedureSystem, "microneedling", "Microneedling (collagen induction)")),
            ("subject", subject),
            ("performedPeriod", period),
            ("bodySite", .array([Self.concept(FHIRIdentity.areaSystem, session.area, area)])),
            ("usedReference", .array(used)),
            ("note", .array([.object([("text", .string(note))])])),
        ])
    }

    func identifier(_ system: String, _ value: String) -> JSONValue {
        .object([("system", .string(system)), ("value", .string(value))])
    }

    func devices() -> [JSONValue] {
        var devices: [JSONValue] = []
        if let penID = records.penID, let penDeviceID {
            devices.append(
                .object([
                    ("resourceType", "Device"),
                    ("id", .string(penDeviceID)),
                    ("identifier", .array([identifier(FHIRIdentity.penSystem, penID)])),
                    ("serialNumber", .string(penID)),
                    (
                        "deviceName",
                        .array([.object([("name", "needled microneedling pen"), ("type", "user-friendly-name")])])
                    ),
                    ("type", .object([("text", "Motorized microneedling pen")])),
                    ("version", .array([.object([("value", .string(session.softwareVersion))])])),
                ]))
        }
        for cartridge in records.cartridges {
            var members: [(String, JSONValue)] = [
                ("resourceType", "Device"),
                ("id", .string(cartridgeDeviceID(cartridge.serial))),
                ("identifier", .array([identifier(FHIRIdentity.cartridgeSystem, cartridge.serial)])),
                ("status", "inactive"),  // single use: used by this session, never again
                ("serialNumber", .string(cartridge.serial)),
                ("type", .object([("text", "Single-use needle cartridge")])),
            ]
            if let lot = cartridge.lot { members.append(("lotNumber", .string(lot))) }
            if let expires = cartridge.expires { members.append(("expirationDate", .string(expires))) }
            members.append(
                (
                    "property",
                    .array([
                        .object([
                            ("type", .object([("text", "needles")])),
                            (
                                "valueQuantity",
                                .array([.object([("value", .int(Int64(cartridge.needles))), ("unit", "needles")])])
                            ),
                        ])
                    ])
                ))
            devices.append(.object(members))
        }
        return devices
    }
}
