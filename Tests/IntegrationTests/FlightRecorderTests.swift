import Foundation
import NeedledRPC
import Testing

/// The flight recorder, session export and report, and the cartridge's use time, against the real
/// daemon on a real socket.
@Suite("Flight recorder, export and report", .serialized)
struct FlightRecorderTests {
    @Test("An emergency stop saves the ticks that led to it; needlectl shows and exports them")
    func faultWindowSavedAndExported() throws {
        let daemon = try DaemonProcess()
        try daemon.startTreatment()
        _ = try daemon.call("pen.setDepth", .object([("micrometres", 600)]))
        #expect(try daemon.waitForTicks(1_500))
        _ = try daemon.call("pen.emergencyStop")
        let listed = try #require(try daemon.waitForFaultRecord("F-0001"))
        #expect(listed["id"] == "F-0001")
        #expect(listed["code"] == "emergencyStop")
        #expect(listed["session"] == "S-0001")
        let count = try #require(listed["sampleCount"]?.integer)
        #expect(count > 1500 && count <= 10_000, "window of \(count) ticks")

        let fault = try daemon.call("fault.get", .object([("id", "F-0001")]))
        guard case .array(let samples) = fault["samples"] else {
            Issue.record("no samples")
            return
        }
        #expect(Int64(samples.count) == count)
        let last = try #require(samples.last)
        // A fault found by the tick latches in it; an emergency stop command latches just before
        // the next tick. Either way the window ends with the first tick that wrote the safe outputs.
        let lastTick = try #require(last["tick"]?.integer)
        let faultTick = try #require(fault["tick"]?.integer)
        #expect((0...1).contains(lastTick - faultTick), "window ends at tick \(lastTick), fault at \(faultTick)")
        #expect(last["motorEnabled"] == .bool(false), "the breach's own tick already wrote the motor off")
        #expect(last["state"] == "fault")
        let before = samples[samples.count - 2]
        #expect(before["state"] == "running")
        #expect(before["motorEnabled"] == .bool(true))
        let ticks = samples.compactMap { $0["tick"]?.integer }
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 == $0 + 1 }, "consecutive ticks, oldest first")

        let (code, shown, _) = try daemon.needlectl(["fault", "show", "F-0001"])
        #expect(code == 0)
        #expect(shown.contains("F-0001  emergencyStop"))
        #expect(shown.contains("action     Release the emergency stop"))
        let csvPath = daemon.directory.appendingPathComponent("F-0001.csv").path
        let (exported, _, _) = try daemon.needlectl([
            "fault", "export", "F-0001", "--format", "csv", "--output", csvPath,
        ])
        #expect(exported == 0)
        let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.hasPrefix("tick,secondsFromFault,state,depthMicrometres") == true)
        #expect(Int64(lines.count - 1) == count)
        #expect(["0.0", "0.001"].contains(lines.last?.split(separator: ",")[1]))
        #expect(lines[1].split(separator: ",")[1].hasPrefix("-"), "earlier ticks are before the fault")
        let (_, json, _) = try daemon.needlectl(["fault", "export", "F-0001", "--format", "json"])
        #expect(JSONValue.parse(Array(json.utf8))?["code"] == "emergencyStop")

        let (missing, _, missingError) = try daemon.needlectl(["fault", "show", "F-0099"])
        #expect(missing == 1)
        #expect(missingError == "needlectl: refused: Invalid params: no fault F-0099.\n")
        let (badFormat, _, badFormatError) = try daemon.needlectl(["fault", "export", "F-0001", "--format", "xml"])
        #expect(badFormat == 2)
        #expect(badFormatError.contains("The value 'xml' is invalid for '--format <format>'"))
    }

    @Test(
        "Replay through the simulator: a clean stop never parts from the model; a jammed motor parts before its stall")
    func replayThroughSimulator() throws {
        let daemon = try DaemonProcess()
        try daemon.startTreatment(speedHertz: 120)
        #expect(try daemon.waitForTicks(1_500))
        _ = try daemon.call("pen.emergencyStop")
        try #require(try daemon.waitForFaultRecord("F-0001") != nil)
        let (code, clean, _) = try daemon.needlectl(["fault", "replay", "F-0001"])
        #expect(code == 0)
        #expect(clean.contains("parted     never: the pen moved as the model does until the fault"), "\(clean)")

        #expect(daemon.resetWhenStill())
        try daemon.waitFor { $0["state"] == "idle" }
        _ = try daemon.call("pen.home")
        try daemon.waitFor { $0["state"] == "ready" }
        _ = try daemon.call("pen.arm")
        _ = try daemon.call("pen.start")
        #expect(try daemon.waitForTicks(1_500))
        _ = try daemon.call("sim.injectFault", .object([("fault", "stall")]))
        let stalled = try daemon.waitFor { $0["state"] == "fault" }
        #expect(stalled["fault"]?["code"] == "stall")
        try #require(try daemon.waitForFaultRecord("F-0002") != nil)
        let csvPath = daemon.directory.appendingPathComponent("replay.csv").path
        let (jsonCode, json, _) = try daemon.needlectl(["--json", "fault", "replay", "F-0002", "--csv", csvPath])
        #expect(jsonCode == 0)
        let result = try #require(JSONValue.parse(Array(json.utf8)))
        let parted = try #require(result["partedAtTick"]?.integer, "a jam must part from the model: \(json)")
        let faultTick = try #require(
            try daemon.call("fault.get", .object([("id", "F-0002"), ("limit", 1)]))["tick"]?.integer)
        #expect((20...400).contains(faultTick - parted), "parted \(faultTick - parted) ticks before the stall latched")
        #expect((result["speedDeviationMaxMillihertz"]?.integer ?? 0) > 50_000)
        let rows = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
        #expect(
            rows.first
                == "tick,recordedSpeedMillihertz,simulatedSpeedMillihertz,recordedDepthMicrometres,simulatedDepthMicrometres"
        )
    }

    @Test("A session exports as CSV and JSON, and its report draws depth, speed, the fault and the summary")
    func sessionExportAndReport() throws {
        let daemon = try DaemonProcess()
        try daemon.startTreatment(speedHertz: 120)
        _ = try daemon.call("pen.setDepth", .object([("micrometres", 800)]))
        try daemon.waitFor { $0["depthMicrometres"]?.integer == 800 }
        try daemon.waitFor { ($0["session"]?["strokes"]?.integer ?? 0) >= 240 }
        _ = try daemon.call("pen.stop")
        try daemon.waitFor { $0["state"] == "ready" }
        _ = try daemon.call("pen.emergencyStop")
        try #require(try daemon.waitForFaultRecord("F-0001") != nil)
        #expect(daemon.resetWhenStill())
        _ = try daemon.call("session.close")
        let session = try daemon.call("session.get", .object([("id", "S-0001")]))
        let duration = try #require(session["durationSeconds"]?.number)
        #expect(duration > 2 && duration < 10)
        let strokes = try #require(session["strokes"]?.integer)
        #expect(strokes > 150 && strokes < 300, "about 2 s at 120 strokes/s: \(strokes)")

        let (csvCode, csvText, _) = try daemon.needlectl(["session", "export", "S-0001", "--format", "csv"])
        #expect(csvCode == 0)
        let rows = csvText.split(separator: "\n")
        #expect(
            rows.first
                == "seconds,tick,state,depthMicrometres,depthTargetMicrometres,speedHertz,speedTargetHertz,strokes")
        #expect(rows.count > 20, "10 Hz for over 2 s")
        #expect(rows.contains { $0.contains(",running,800,800,") }, "no 10 Hz row at 800 µm running:\n\(csvText)")
        let (_, jsonText, _) = try daemon.needlectl(["session", "export", "S-0001", "--format", "json"])
        let json = try #require(JSONValue.parse(Array(jsonText.utf8)))
        #expect(json["session"]?["id"] == "S-0001")
        guard case .array(let faults)? = json["faults"] else {
            Issue.record("no faults in the export")
            return
        }
        #expect(faults.first?["code"] == "emergencyStop")

        let svgPath = daemon.directory.appendingPathComponent("S-0001.svg").path
        let (reportCode, summary, _) = try daemon.needlectl(["session", "report", "S-0001", "--output", svgPath])
        #expect(reportCode == 0)
        #expect(summary.contains("Strokes \(strokes), micro-channels \(strokes * 12) (strokes × 12 needles)"))
        #expect(summary.contains("Deepest depth on cheeks: 0.80 mm"))
        #expect(summary.contains("Faults 1: emergencyStop at"))
        let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.components(separatedBy: "class=\"measured\"").count == 3, "depth and speed lines")
        #expect(svg.components(separatedBy: "class=\"fault\"").count == 2, "one fault marker")
        if let keep = ProcessInfo.processInfo.environment["NEEDLED_REPORT_OUT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: svgPath, toPath: keep)
        }

        let (badOutput, _, badOutputError) = try daemon.needlectl(["session", "report", "S-0001", "--output", "r.png"])
        #expect(badOutput == 2)
        #expect(badOutputError.contains("--output must name an .svg file, not \"r.png\"."))
    }

    @Test("A cartridge past its use time latches the fault, is refused for arming, and stays refused after a restart")
    func cartridgeUseTime() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-cartridge-use-seconds = 10\n")
        try daemon.startTreatment()
        let serial = try daemon.status()["cartridge"]?["serial"]?.text ?? ""
        let faulted = try daemon.waitFor(seconds: 15) { $0["state"] == "fault" }
        #expect(faulted["fault"]?["code"] == "cartridgeUseTimeExceeded")
        #expect(faulted["session"]?["cartridgeUseSeconds"]?.integer == 10)
        #expect(daemon.resetWhenStill())
        _ = try daemon.call("pen.home")
        try daemon.waitFor { $0["state"] == "ready" }
        let refused = try #require(try daemon.error("pen.arm"))
        #expect(refused.code == -32005)
        #expect(refused.data == .object([("reason", "usageTimeExceeded")]))
        let record = try daemon.call("cartridge.get", .object([("serial", .string(serial))]))
        #expect(record["useEndReason"] == "usageTimeExceeded")
        daemon.stop()

        let restarted = try DaemonProcess(
            config: "[limits]\nmax-cartridge-use-seconds = 10\n", stateDirectory: daemon.stateDirectory)
        _ = try restarted.call("pen.home")
        try restarted.waitFor { $0["state"] == "ready" }
        let again = try #require(
            try restarted.error("session.open", .object([("area", "neck"), ("cartridge", .string(serial))])))
        #expect(again.data == .object([("reason", "usageTimeExceeded")]))
        #expect(again.message == "Cartridge \(serial) reached its maximum use time. Insert a new sterile cartridge.")
    }

    @Test("Records that stop fitting (a size limit, as a full disk) keep the pen from resuming, with a clear reason")
    func recordsFull() throws {
        let daemon = try DaemonProcess(config: "[records]\nmax-size-mebibytes = 1\n")
        try daemon.startTreatment()
        var status = try daemon.status()
        // Each fault saves up to 10 s of ticks; a few fill one mebibyte.
        for round in 1...12 where status["recordsWritable"] == .bool(true) {
            #expect(try daemon.waitForTicks(3_000))
            _ = try daemon.call("pen.emergencyStop")
            // This round's fault is written with its window, or the records stopped fitting it.
            _ = try daemon.poll(seconds: 10) { () -> Bool? in
                guard case .array(let faults) = try daemon.call("fault.list") else { return nil }
                if faults.count >= round { return true }
                return try daemon.status()["recordsWritable"] == .bool(false) ? true : nil
            }
            status = try daemon.status()
            guard status["recordsWritable"] == .bool(true) else { break }
            // Once the records are full, the next write (10 Hz telemetry) fails and any step here
            // is refused: recordsUnavailable latches on its own.
            _ = try? daemon.call("pen.resetFault")
            _ = try? daemon.call("pen.home")
            try daemon.waitFor { $0["state"] == "ready" || $0["state"] == "fault" }
            _ = try? daemon.call("pen.arm")
            _ = try? daemon.call("pen.start")
            status = try daemon.status()
        }
        status = try daemon.waitFor { $0["recordsWritable"] == .bool(false) }
        #expect(status["recordsWritable"] == .bool(false))
        #expect(status["state"] == "fault")
        let code = status["fault"]?["code"]?.text ?? ""
        #expect(["recordsUnavailable", "emergencyStop"].contains(code), "latched \(code)")
        #expect(status["motorEnabled"] == .bool(false))
        let refused = try #require(try daemon.error("pen.resetFault"))
        #expect(
            refused.message.hasSuffix(
                "the treatment records still cannot be written. Free space or service the storage."))
        #expect(try daemon.status()["state"] == "fault", "nothing resumed")
    }
}
