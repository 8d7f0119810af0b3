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
            try connection.perform(.faultList, params) { (list: ListResult<FaultRecordResult>) in
                guard !list.elements.isEmpty else { return "No faults recorded." }
                return list.elements.map { fault in
                    "\(fault.id)  \(fault.wallTime)  \(fault.code)  session \(fault.session ?? "none")  \(fault.sampleCount) ticks recorded"
                }.joined(separator: "\n")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one fault: what latched, what to do, and the last moments before it.")
        @OptionGroup var connection: Connection
        @Argument(help: "The fault id, e.g. F-0001.") var id: String
        func run() throws {
            try connection.perform(.faultGet, FaultGetParams(id: .fault(id))) { (detail: FaultDetailResult) in
                let (fault, samples) = (detail.fault, detail.samples)
                let period = Double(fault.tickPeriodMicroseconds) / 1_000_000
                var lines = [
                    "fault      \(fault.id)  \(fault.code) at tick \(fault.tick), \(fault.wallTime)",
                    "session    \(fault.session ?? "none")",
                    "message    \(fault.message)",
                    "action     \(fault.action)",
                    "recorded   \(samples.count) ticks (\(String(format: "%.1f", Double(samples.count) * period)) s before the fault)",
                ]
                if let deepest = samples.map(\.depthMicrometres).max(),
                    let fastest = samples.map(\.speedMillihertz).max()
                {
                    lines.append(
                        "window     deepest \(millimetres(deepest)), fastest \(String(format: "%.1f", Double(fastest) / 1000)) Hz"
                    )
                }
                lines.append("last ticks  tick  state  depth  speed  motor")
                for sample in samples.suffix(5) {
                    lines.append(
                        "  \(sample.tick)  \(sample.state)  \(millimetres(sample.depthMicrometres))  \(String(format: "%.1f", Double(sample.speedMillihertz) / 1000)) Hz  \(sample.motorEnabled ? "on" : "off")"
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
            let detail = try connection.result(.faultGet, FaultGetParams(id: .fault(id)), as: FaultDetailResult.self)
            switch format {
            case .json, .fhir: try emit(detail.json.serialized + "\n", to: output)
            case .csv:
                let period = Double(detail.fault.tickPeriodMicroseconds) / 1_000_000
                let rows = detail.samples.map { sample -> JSONValue in
                    let ticks = Double(sample.tick - detail.fault.tick)
                    return sample.json.appending("secondsFromFault", .double((ticks * period * 1000).rounded() / 1000))
                }
                try emit(csv(rows, columns: Self.columns), to: output)
            }
            if let output { FileHandle.standardError.write(Data("needlectl: wrote \(output)\n".utf8)) }
        }
    }
}
