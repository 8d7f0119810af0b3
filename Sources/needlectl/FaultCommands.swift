import ArgumentParser
import Foundation
import NeedledRPC

/// `needlectl fault list|show|export`: the recorded faults, each with the flight recorder's
/// window of the 10 s that led to it.
struct Fault: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, show and export recorded faults with the 10 s that led to each.",
        subcommands: [List.self, Show.self, Export.self, Replay.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the recorded faults, newest first.")
        @OptionGroup var connection: Connection
        @Option(help: "Only the faults of this session, e.g. S-0001.") var session: String?
        @Option(help: "At most this many (1 to 1000).") var limit: Int = 20
        func validate() throws {
            guard (1...1000).contains(limit) else {
                throw ValidationError("--limit must be from 1 to 1000, not \(limit).")
            }
        }
        func run() throws {
            let params = FaultListParams(session: session.map(RecordReference.session), limit: limit)
            try connection.perform(.faultList, params) { result in
                let faults = try ResultReader(.faultList, result).elements()
                guard !faults.isEmpty else { return "No faults recorded." }
                var lines: [String] = []
                for fault in faults {
                    lines.append(
                        "\(try fault.string("id"))  \(try fault.string("wallTime"))  \(try fault.string("code"))  session \(try fault.nullableString("session") ?? "none")  \(try fault.integer("sampleCount")) ticks recorded"
                    )
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one fault: what latched, what to do, and the last moments before it.")
        @OptionGroup var connection: Connection
        @Argument(help: "The fault id, e.g. F-0001.") var id: String
        func run() throws {
            try connection.perform(.faultGet, FaultGetParams(id: .fault(id))) { result in
                let fault = ResultReader(.faultGet, result)
                let samples = try fault.array("samples")
                let period = Double(try fault.integer("tickPeriodMicroseconds")) / 1_000_000
                var lines = [
                    "fault      \(try fault.string("id"))  \(try fault.string("code")) at tick \(try fault.integer("tick")), \(try fault.string("wallTime"))",
                    "session    \(try fault.nullableString("session") ?? "none")",
                    "message    \(try fault.string("message"))",
                    "action     \(try fault.string("action"))",
                    "recorded   \(samples.count) ticks (\(String(format: "%.1f", Double(samples.count) * period)) s before the fault)",
                ]
                var deepest: Int64?
                var fastest: Int64?
                for sample in samples {
                    deepest = max(deepest ?? .min, try sample.integer("depthMicrometres"))
                    fastest = max(fastest ?? .min, try sample.integer("speedMillihertz"))
                }
                if let deepest, let fastest {
                    lines.append(
                        "window     deepest \(millimetres(deepest)), fastest \(String(format: "%.1f", Double(fastest) / 1000)) Hz"
                    )
                }
                lines.append("last ticks  tick  state  depth  speed  motor")
                for sample in samples.suffix(5) {
                    lines.append(
                        "  \(try sample.integer("tick"))  \(try sample.string("state"))  \(millimetres(try sample.integer("depthMicrometres")))  \(String(format: "%.1f", Double(try sample.integer("speedMillihertz")) / 1000)) Hz  \(try sample.bool("motorEnabled") ? "on" : "off")"
                    )
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a fault's flight window, one row per tick, for plotting or replay.")
        @OptionGroup var connection: Connection
        @Argument(help: "The fault id, e.g. F-0001.") var id: String
        @Option(help: "csv or json.") var format: ExportFormat = .csv
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func validate() throws {
            guard format != .fhir else {
                throw ValidationError(
                    "--format must be csv or json for a fault; its FHIR Observation is in its session's export (needlectl session export ID --format fhir)."
                )
            }
        }

        static let columns = [
            "tick", "secondsFromFault", "state", "depthMicrometres", "depthTargetMicrometres", "speedMillihertz",
            "speedTargetMillihertz", "rampedSpeedMillihertz", "motorEnabled", "brakeEngaged", "motorDutyPpm",
            "heartbeat", "stepperEnabled", "depthSteps", "encoderCount", "homeSwitch", "cartridgePresent",
            "driverFault", "emergencyStop", "temperatureMillicelsius", "measuredPeriodMicroseconds", "hardware",
        ]

        func run() throws {
            let fault = try connection.call(.faultGet, FaultGetParams(id: .fault(id)))
            switch format {
            case .json, .fhir: try emit(fault.serialized + "\n", to: output)
            case .csv:
                let faultTick = fault["tick"]?.intValue ?? 0
                let period = Double(fault["tickPeriodMicroseconds"]?.intValue ?? 1000) / 1_000_000
                let rows = (fault["samples"]?.arrayValue ?? []).map { sample -> JSONValue in
                    guard case .object(var members) = sample else { return sample }
                    let ticks = Double((sample["tick"]?.intValue ?? 0) - faultTick)
                    members.append(("secondsFromFault", .double((ticks * period * 1000).rounded() / 1000)))
                    return .object(members)
                }
                try emit(csv(rows, columns: Self.columns), to: output)
            }
            if let output { FileHandle.standardError.write(Data("needlectl: wrote \(output)\n".utf8)) }
        }
    }
}
