import Crypto
import Foundation
import NeedledRPC

/// How the resources of an export name each other. In a Bundle, by the entries' `fullUrl`
/// (`urn:uuid:…`); in NDJSON (FHIR Bulk Data), by `Type/id`. Ids are derived from the record
/// ids, so exporting a session twice gives the same resources, not copies.
public enum FHIRReferenceStyle: Sendable {
    case bundle, bulkData
}

enum FHIRIdentity {
    /// A UUID-shaped id from the SHA-256 of `name` (the variant and version bits set as for a
    /// name-based UUID): stable across exports, unique across pens (names carry the record ids).
    static func uuid(_ name: String) -> String {
        var bytes = Array(SHA256.hash(data: Data(name.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4),
            hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }

    /// Local code systems: the pen's own vocabulary (areas, measurements, fault codes). A clinic's
    /// record system maps them to SNOMED CT or LOINC where it keeps those; Docs/api.md lists them.
    static let procedureSystem = "urn:needled:fhir:procedure"
    static let areaSystem = "urn:needled:fhir:treatment-area"
    static let observationSystem = "urn:needled:fhir:observation"
    static let faultSystem = "urn:needled:fhir:fault-code"
    static let recordIDSystem = "urn:needled:record-id"
    static let penSystem = "urn:needled:pen-id"
    static let cartridgeSystem = "urn:needled:cartridge-serial"
    static let clinicReferenceSystem = "urn:needled:clinic-reference"
    static let ucum = "http://unitsofmeasure.org"
}

extension JSONValue {
    var fhirText: String? { if case .string(let value) = self { value } else { nil } }
    var fhirInteger: Int64? { if case .int(let value) = self { value } else { nil } }
}
