import ArgumentParser
import Foundation
import NeedledRPC

extension Records {
    /// `needlectl records export --since DATE`: every closed session opened since, as FHIR
    /// resources in NDJSON (FHIR Bulk Data: one resource a line), the pen and each cartridge once.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export every closed session since a date as FHIR R4 resources, NDJSON (one a line).",
            discussion:
                "With --output-dir, one file a resource type (Procedure.ndjson, Device.ndjson, Observation.ndjson), as FHIR Bulk Data lays them out; else one stream."
        )
        @OptionGroup var connection: Connection
        @Option(help: "The first day (or time) to export, ISO 8601: 2026-01-01 or 2026-01-01T08:00:00Z.")
        var since: String
        @Option(help: "Write to this file instead of standard output.") var output: String?
        @Option(help: "Write one NDJSON file a resource type into this directory.") var outputDir: String?

        func validate() throws {
            guard output == nil || outputDir == nil else {
                throw ValidationError("Give --output or --output-dir, not both.")
            }
        }

        func run() throws {
            var lines: [String: [String]] = [:]
            var seen = Set<String>()
            var order: [String] = []
            var after: String?
            var sessions = 0
            repeat {
                let params = RecordsExportParams(since: since, after: after.map(RecordReference.session), limit: 20)
                let page = try connection.result(
                    .recordsExport, params, as: RecordsExportPageResult.self, timeoutSeconds: 120)
                sessions += page.sessions.count
                for resource in page.resources {
                    // FHIR's own fields: every resource has its type and id (a FHIR validator's
                    // business past that).
                    let type = resource["resourceType"]?.stringValue ?? "Resource"
                    guard seen.insert(type + "/" + (resource["id"]?.stringValue ?? "")).inserted else { continue }
                    if lines[type] == nil { order.append(type) }
                    lines[type, default: []].append(resource.serialized)
                }
                after = page.next
            } while after != nil
            if let outputDir {
                try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
                for type in order {
                    try emit(lines[type, default: []].map { $0 + "\n" }.joined(), to: outputDir + "/\(type).ndjson")
                }
            } else {
                try emit(order.flatMap { lines[$0, default: []] }.map { $0 + "\n" }.joined(), to: output)
            }
            let count = lines.values.reduce(0) { $0 + $1.count }
            FileHandle.standardError.write(
                Data("needlectl: \(sessionCount(Int64(sessions))), \(count) resources exported\n".utf8))
        }
    }
}
