import ArgumentParser
import Foundation
import NeedledRPC

/// Everything recorded about one session, fetched page by page: the session with its events,
/// its 10 Hz telemetry, its faults and its cartridge, each read as the API's type for it.
struct SessionRecordDump {
    var detail: SessionDetailResult
    var telemetry: [TelemetrySampleResult]
    var faults: [FaultRecordResult]
    /// nil where the ledger has no such cartridge (the daemon refused `cartridge.get`).
    var cartridge: CartridgeRecordResult?

    var session: SessionRecordResult { detail.session }

    static func fetch(_ id: String, connection: Connection) throws -> SessionRecordDump {
        let detail = try connection.result(.sessionGet, SessionParams(id: .session(id)), as: SessionDetailResult.self)
        var telemetry: [TelemetrySampleResult] = []
        var after: Int64 = -1
        while true {
            let page = try connection.result(
                .sessionTelemetry, SessionTelemetryParams(id: .session(id), after: after, limit: 36_000),
                as: ListResult<TelemetrySampleResult>.self
            ).elements
            telemetry += page
            guard page.count == 36_000, let last = page.last?.tick else { break }
            after = last
        }
        let faults = try connection.result(
            .faultList, FaultListParams(session: .session(id), limit: 1000), as: ListResult<FaultRecordResult>.self)
        let cartridge: CartridgeRecordResult?
        do {
            cartridge = try connection.result(
                .cartridgeGet, CartridgeGetParams(serial: detail.session.cartridge), as: CartridgeRecordResult.self)
        } catch is RPCError {
            cartridge = nil
        }
        return SessionRecordDump(detail: detail, telemetry: telemetry, faults: faults.elements, cartridge: cartridge)
    }

    var json: JSONValue {
        .object([
            ("session", detail.json), ("cartridge", cartridge?.json ?? .null),
            ("telemetry", .array(telemetry.map(\.json))),
            ("faults", .array(faults.map(\.json))),
        ])
    }

    /// Seconds since the session opened, from ticks (never from the wall clock).
    func seconds(atTick tick: Int64) -> Double {
        let opened = session.openedTick ?? telemetry.first?.tick ?? 0
        let period = Double(session.tickPeriodMicroseconds ?? 1000) / 1_000_000
        return Double(tick - opened) * period
    }

    var csvText: String {
        let rows = telemetry.map { sample in
            sample.json.appending("seconds", .double((seconds(atTick: sample.tick) * 10).rounded() / 10))
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
                let bundle = try connection.result(
                    .sessionExport, SessionExportParams(id: .session(id)), as: FHIRBundleResult.self,
                    timeoutSeconds: 120)
                try emit(bundle.json.serialized + "\n", to: output)
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
            let report = SessionReport(dump)
            try emit(report.svg, to: output)
            print(report.summaryLines.joined(separator: "\n"))
            print("wrote \(output)")
        }
    }
}
