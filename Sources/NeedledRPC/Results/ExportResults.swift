/// `session.export`: the session as one FHIR R4 Bundle, as FHIR defines it (Docs/records.md);
/// read as a Bundle, its content FHIR's business (a FHIR validator's, not this API's).
public struct FHIRBundleResult: MethodResult, Equatable {
    public var bundle: JSONValue

    public init(_ bundle: JSONValue) {
        self.bundle = bundle
    }

    public var json: JSONValue { bundle }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        let type = try result.string("resourceType")
        guard type == "Bundle" else {
            throw ResultShapeError(
                method: result.method, field: "resourceType", expected: "Bundle", found: .string(type))
        }
        bundle = result.value
    }
}

/// `records.export`: one page of closed sessions as FHIR Bulk Data resources, and the session to
/// continue after (nil: the last page).
public struct RecordsExportPageResult: MethodResult, Equatable {
    public var sessions: [String]
    /// FHIR R4 resources (Procedure, Device, Observation), as FHIR defines them.
    public var resources: [JSONValue]
    public var next: String?

    public init(sessions: [String], resources: [JSONValue], next: String?) {
        self.sessions = sessions
        self.resources = resources
        self.next = next
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("sessions", .array(sessions.map { .string($0) })),
            ("resources", .array(resources)),
            ("next", .nullable(next)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        sessions = try result.strings("sessions")
        resources = try result.array("resources").map(\.value)
        next = try result.nullableString("next")
    }
}
