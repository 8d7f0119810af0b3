import ArgumentParser
import Foundation
import NeedledRPC

/// Everything recorded about one session, fetched page by page: the session with its events,
/// its 10 Hz telemetry, its faults and its cartridge.
struct SessionRecordDump {
    var session: JSONValue
    var telemetry: [JSONValue]
    var faults: [JSONValue]
    var cartridge: JSONValue

    static func fetch(_ id: String, connection: Connection) throws -> SessionRecordDump {
        let session = try connection.call(.sessionGet, SessionParams(id: .session(id)))
        var telemetry: [JSONValue] = []
        var after: Int64 = -1
        while true {
            let page = try connection.call(
                .sessionTelemetry, SessionTelemetryParams(id: .session(id), after: after, limit: 36_000)
            ).arrayValue
            telemetry += page
            guard page.count == 36_000, let last = page.last?["tick"]?.intValue else { break }
            after = last
        }
        let faults = try connection.call(.faultList, FaultListParams(session: .session(id), limit: 1000))
        let serial = session["cartridge"]?.stringValue ?? ""
        let cartridge = (try? connection.call(.cartridgeGet, CartridgeGetParams(serial: serial))) ?? .null
        return SessionRecordDump(
            session: session, telemetry: telemetry, faults: faults.arrayValue, cartridge: cartridge)
    }

    var json: JSONValue {
        .object([
            ("session", session), ("cartridge", cartridge), ("telemetry", .array(telemetry)),
            ("faults", .array(faults)),
        ])
    }

    /// Seconds since the session opened, from ticks (never from the wall clock).
    func seconds(atTick tick: Int64) -> Double {
        let opened = session["openedTick"]?.intValue ?? telemetry.first?["tick"]?.intValue ?? 0
        let period = Double(session["tickPeriodMicroseconds"]?.intValue ?? 1000) / 1_000_000
        return Double(tick - opened) * period
    }

    var csvText: String {
        let rows = telemetry.map { sample -> JSONValue in
            guard case .object(var members) = sample else { return sample }
            let seconds = self.seconds(atTick: sample["tick"]?.intValue ?? 0)
            members.append(("seconds", .double((seconds * 10).rounded() / 10)))
            return .object(members)
        }
        return csv(
            rows,
            columns: [
                "seconds", "tick", "state", "depthMicrometres", "depthTargetMicrometres", "speedHertz",
                "speedTargetHertz", "strokes",
            ])
    }
}

extension Session {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Export a session's record: its telemetry as CSV, everything as JSON, or a FHIR R4 Bundle.")
        @OptionGroup var connection: Connection
        @Argument(help: "The session id, e.g. S-0001.") var id: String
        @Option(
            help:
                "csv (the 10 Hz telemetry), json (session, events, telemetry, faults) or fhir (a FHIR R4 Bundle: Procedure, Devices, Observations)."
        )
        var format: ExportFormat = .csv
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run() throws {
            if format == .fhir {
                let bundle = try connection.call(
                    .sessionExport, SessionExportParams(id: .session(id)), timeoutSeconds: 120)
                try emit(bundle.serialized + "\n", to: output)
                if let output { FileHandle.standardError.write(Data("needlectl: wrote \(output)\n".utf8)) }
                return
            }
            let dump = try SessionRecordDump.fetch(id, connection: connection)
            try emit(format == .json ? dump.json.serialized + "\n" : dump.csvText, to: output)
            if let output { FileHandle.standardError.write(Data("needlectl: wrote \(output)\n".utf8)) }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a session's depth and speed over time, with faults and a summary, as SVG.")
        @OptionGroup var connection: Connection
        @Argument(help: "The session id, e.g. S-0001.") var id: String
        @Option(help: "The SVG file to write, e.g. S-0001.svg.") var output: String

        func validate() throws {
            guard output.lowercased().hasSuffix(".svg") else {
                throw ValidationError("--output must name an .svg file, not \"\(output)\".")
            }
        }

        func run() throws {
            let dump = try SessionRecordDump.fetch(id, connection: connection)
            let report = try SessionReport(dump)
            try emit(report.svg, to: output)
            print(report.summaryLines.joined(separator: "\n"))
            print("wrote \(output)")
        }
    }
}
