import ArgumentParser
import Foundation
import NeedleCore
import NeedledRPC
import PenSimulator

extension Fault {
    /// `needlectl fault replay ID`: the fault's flight window through the simulated pen.
    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Replay a fault's 10 s window through the simulated pen and show where the pen parted from the model.",
            discussion: """
                The recorded outputs (motor enable, brake, duty, depth steps) drive the simulator's \
                physics from the recorded speed and depth; the model's speed and depth are set against \
                the recorded ones. Where they part, the pen did something the model does not: a jam or \
                a load, a slipping stage, a lying encoder.
                """)
        @OptionGroup var connection: Connection
        @Argument(help: "The fault id, e.g. F-0001.") var id: String
        @Option(help: "Also write tick, recorded and simulated speed and depth as CSV to this file.")
        var csv: String?

        func run() throws {
            let detail = try connection.result(.faultGet, FaultGetParams(id: .fault(id)), as: FaultDetailResult.self)
            let ticks = detail.samples.map(Self.tick)
            guard !ticks.isEmpty else { throw ValidationError("fault \(id) has no recorded window to replay.") }
            let replay = FlightReplay(ticks)
            let period = Double(detail.fault.tickPeriodMicroseconds) / 1_000_000
            let faultTick = detail.fault.tick
            var lines = [
                "replayed   \(ticks.count) ticks of \(detail.fault.id) (\(detail.fault.code)) through the simulated pen",
                "speed      largest gap \(replay.speedDeviationMax) between the pen and the model",
                "depth      largest gap \(replay.depthDeviationMax)",
            ]
            if let parted = replay.partedAt {
                lines.append(
                    "parted     at tick \(parted), \(String(format: "%.3f", Double(faultTick - parted) * period)) s before the fault: the pen did not move as the model does"
                )
            } else {
                lines.append("parted     never: the pen moved as the model does until the fault")
            }
            if connection.json {
                print(
                    JSONValue.object([
                        ("ticks", .int(Int64(ticks.count))),
                        ("speedDeviationMaxMillihertz", .int(Int64(replay.speedDeviationMax.millihertz))),
                        ("depthDeviationMaxMicrometres", .int(Int64(replay.depthDeviationMax.rawValue))),
                        ("partedAtTick", replay.partedAt.map { .int($0) } ?? .null),
                    ]).serialized)
            } else {
                print(lines.joined(separator: "\n"))
            }
            if let csv {
                let rows = replay.samples.map { sample in
                    "\(sample.tick),\(sample.recordedSpeed.millihertz),\(sample.simulatedSpeed.millihertz),\(sample.recordedDepth.rawValue),\(sample.simulatedDepth.rawValue)"
                }
                try emit(
                    "tick,recordedSpeedMillihertz,simulatedSpeedMillihertz,recordedDepthMicrometres,simulatedDepthMicrometres\n"
                        + rows.joined(separator: "\n") + "\n", to: csv)
            }
        }

        static func tick(_ sample: FlightSampleResult) -> FlightReplay.Tick {
            let duty = Duty(partsPerMillion: Int32(clamping: sample.motorDutyPpm)) ?? .off
            let outputs = PenOutputs(
                motorEnabled: sample.motorEnabled, brakeEngaged: sample.brakeEngaged, motorDuty: duty,
                heartbeat: sample.heartbeat, stepperEnabled: sample.stepperEnabled,
                depthSteps: Int32(clamping: sample.depthSteps))
            return FlightReplay.Tick(
                tick: sample.tick, outputs: outputs, measuredPeriod: .microseconds(sample.measuredPeriodMicroseconds),
                recordedSpeed: Hertz(millihertz: Int32(clamping: sample.speedMillihertz)),
                recordedDepth: Micrometres(Int32(clamping: sample.depthMicrometres)))
        }
    }
}
