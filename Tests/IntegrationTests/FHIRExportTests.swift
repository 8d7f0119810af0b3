import Foundation
import NeedledRPC
import Testing

/// Records leave the pen in the clinic's standard (issue 17, item 5): a treatment with a fault,
/// exported as a FHIR R4 Bundle and as NDJSON, every resource validated by the PyPI package
/// fhir.resources (R4B models, Scripts/validate-fhir), and the mapping checked field by field.
@Suite("FHIR exports")
struct FHIRExportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Validates with the venv Scripts/make-fhir-venv makes (Scripts/test makes it first).
    func validate(_ mode: String, _ paths: [String]) throws -> (Int32, String) {
        let python = Self.root.appendingPathComponent(".build/fhir-venv/bin/python").path
        #expect(
            FileManager.default.isExecutableFile(atPath: python),
            "no FHIR validator: run Scripts/make-fhir-venv (Scripts/test does)")
        let (code, output, errors) = try DaemonProcess.run(
            python, [Self.root.appendingPathComponent("Scripts/validate-fhir").path, mode] + paths)
        return (code, output + errors)
    }

    @Test("A treatment with a fault as a Bundle and as NDJSON: valid FHIR R4, and mapped as documented")
    func treatmentExports() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        try daemon.startTreatment(area: "forehead")
        let serial = try #require(try daemon.status()["cartridge"]?["serial"]?.text)
        let samples = try daemon.poll(seconds: 10) { () -> Int? in
            guard case .array(let rows) = try daemon.call("session.telemetry", .object([("id", "S-0001")])),
                rows.count >= 15
            else { return nil }
            return rows.count
        }
        #expect(samples != nil)
        _ = try daemon.call("sim.injectFault", .object([("fault", "stall")]))
        try daemon.waitFor { $0["state"] == "fault" }
        #expect(try daemon.poll(seconds: 10) { try daemon.call("fault.list").items.isEmpty ? nil : true } == true)
        _ = try daemon.call("session.close")
        let session = try daemon.call("session.get", .object([("id", "S-0001")]))
        #expect(session["exportedAt"] == .null)

        let bundlePath = daemon.directory.appendingPathComponent("S-0001.fhir.json").path
        let (code, _, errors) = try daemon.needlectl([
            "session", "export", "S-0001", "--format", "fhir", "--output", bundlePath,
        ])
        #expect(code == 0, "\(errors)")
        let (valid, report) = try validate("bundle", [bundlePath])
        #expect(valid == 0, "\(report)")
        #expect(report.contains("valid FHIR R4: 1 Bundle, 2 Device, "), "\(report)")

        let bundle = try #require(JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: bundlePath)))))
        #expect(bundle["type"] == "collection")
        let resources = (bundle["entry"]?.items ?? []).compactMap { $0["resource"] }
        let procedure = try #require(resources.first { $0["resourceType"] == "Procedure" })
        let recordID = try #require(session["recordID"]?.text)
        #expect(procedure["identifier"]?.items.first?["value"] == .string(recordID))
        #expect(procedure["status"] == "completed")
        #expect(procedure["bodySite"]?.items.first?["coding"]?.items.first?["code"] == "forehead")
        #expect(procedure["performedPeriod"]?["start"] == session["openedAt"])
        #expect(procedure["performedPeriod"]?["end"] == session["closedAt"])
        let cartridge = try #require(resources.first { $0["type"]?["text"] == "Single-use needle cartridge" })
        #expect(cartridge["serialNumber"] == .string(serial))
        let pen = try #require(resources.first { $0["type"]?["text"] == "Motorized microneedling pen" })
        #expect(pen["serialNumber"] == (try daemon.call("daemon.info")["records"]?["penID"] ?? .null))
        let observations = resources.filter { $0["resourceType"] == "Observation" }
        let codes = observations.compactMap { $0["code"]?["coding"]?.items.first?["code"]?.text }
        #expect(
            Set(codes).isSuperset(of: [
                "depth-max", "depth-limit", "speed-mean", "strokes", "depth-series", "speed-series", "fault",
            ]), "\(codes)")
        let fault = try #require(
            observations.first {
                $0["code"]?["coding"]?.items.first?["code"] == "stall"
                    || $0["valueCodeableConcept"]?["coding"]?.items.first?["code"] == "stall"
            })
        #expect(fault["effectiveDateTime"] != nil)
        let series = try #require(observations.first { $0["valueSampledData"] != nil })
        let points = (series["valueSampledData"]?["data"]?.text ?? "").split(separator: " ").count
        #expect(points >= samples ?? 15, "\(points) points for at least \(samples ?? 0) samples")
        for observation in observations {
            #expect(
                observation["partOf"]?.items.first?["reference"] == .string("urn:uuid:" + (procedure["id"]?.text ?? ""))
            )
        }
        #expect(try daemon.call("session.get", .object([("id", "S-0001")]))["exportedAt"]?.text != nil)

        let directory = daemon.directory.appendingPathComponent("bulk").path
        let (bulkCode, _, bulkErrors) = try daemon.needlectl([
            "records", "export", "--since", "2020-01-01", "--output-dir", directory,
        ])
        #expect(bulkCode == 0, "\(bulkErrors)")
        #expect(bulkErrors.contains("needlectl: 1 session, \(resources.count) resources exported"), "\(bulkErrors)")
        let files = ["Device", "Observation", "Procedure"].map { directory + "/\($0).ndjson" }
        let (bulkValid, bulkReport) = try validate("ndjson", files)
        #expect(bulkValid == 0, "\(bulkReport)")
        #expect(bulkReport.contains("Procedure.ndjson: valid FHIR R4: 1 Procedure"), "\(bulkReport)")
        let lines = try String(contentsOfFile: directory + "/Observation.ndjson", encoding: .utf8).split(
            separator: "\n")
        let line = try #require(lines.first.flatMap { JSONValue.parse(Array($0.utf8)) })
        #expect(line["partOf"]?.items.first?["reference"] == .string("Procedure/" + (procedure["id"]?.text ?? "")))

        // None since a later day; a date that is not one is refused with what to give.
        let (_, _, none) = try daemon.needlectl(["records", "export", "--since", "2999-01-01"])
        #expect(none.contains("needlectl: 0 sessions, 0 resources exported"), "\(none)")
        let (badCode, _, bad) = try daemon.needlectl(["records", "export", "--since", "last week"])
        #expect(badCode == 1)
        #expect(
            bad.contains("\"since\" must be an ISO 8601 date or time such as 2026-01-01, not \"last week\"."), "\(bad)")
    }
}

extension JSONValue {
    /// The elements of an array; empty for anything else.
    fileprivate var items: [JSONValue] { if case .array(let values) = self { values } else { [] } }
}
