import Foundation
import NeedledRPC
import Testing

/// What needlectl tells a technician beyond the daemon's answer: the next step after a refusal,
/// the fault table, and completions generated from the same argument parser.
@Suite("needlectl: advice, faults, completions")
struct NeedlectlHelpTests {
    func needlectl(_ arguments: [String]) throws -> (Int32, String, String) {
        try DaemonProcess.run(DaemonProcess.binary("needlectl"), arguments)
    }

    @Test("A refused command says why and what the pen allows now")
    func refusalAdvice() throws {
        let daemon = try DaemonProcess()
        let (code, output, errors) = try daemon.needlectl(["start"])
        #expect(code == 1)
        #expect(output.isEmpty)
        #expect(
            errors
                == "needlectl: refused: Cannot start the pen while the pen is idle; allowed when armed.\n  The pen is idle: home it first (needlectl home).\n"
        )
        _ = try daemon.call("pen.emergencyStop")
        let (_, _, faulted) = try daemon.needlectl(["home"])
        #expect(
            faulted
                == "needlectl: refused: Cannot home the pen: fault emergencyStop is latched. Reset the fault first (pen.resetFault), then home the pen.\n  See what to do: needlectl status (or needlectl faults emergencyStop).\n"
        )
    }

    @Test("needlectl faults: every code with its meaning and action, without a daemon")
    func faultTable() throws {
        let (code, output, _) = try needlectl(["faults", "stall"])
        #expect(code == 0)
        #expect(
            output
                == "stall\n  means:      The needles stopped moving while driven (jammed in the skin, or a seized cartridge): the motor was switched off.\n  what to do: Lift the pen, check the cartridge moves freely and is seated, then reset and home.\n"
        )
        let (jsonCode, json, _) = try needlectl(["faults", "--json"])
        #expect(jsonCode == 0)
        guard case .array(let rows)? = JSONValue.parse(Array(json.utf8.dropLast())) else {
            Issue.record("needlectl faults --json is not a JSON array: \(json)")
            return
        }
        #expect(rows.count == 17)
        let (badCode, _, badErrors) = try needlectl(["faults", "meteor"])
        #expect(badCode == 2)
        #expect(badErrors.hasPrefix("Error: unknown fault code \"meteor\"; the codes are emergencyStop, overspeed,"))
    }

    @Test("Completions for bash, zsh and fish come from the argument parser and know every command")
    func completions() throws {
        for shell in ["bash", "zsh", "fish"] {
            let (code, script, _) = try needlectl(["--generate-completion-script", shell])
            #expect(code == 0)
            for command in ["watch", "faults", "session", "estop"] {
                #expect(script.contains(command), "\(shell) completion lacks \(command)")
            }
        }
        let (code, _, errors) = try needlectl(["watch", "--hz", "0"])
        #expect(code == 2)
        #expect(errors.hasPrefix("Error: --hz must be from 1 to 100, not 0."))
    }

    @Test("The records commands' wrong arguments are usage errors that say what to give, before any connection")
    func recordsArguments() throws {
        let (faultCode, _, fault) = try needlectl(["fault", "export", "F-0001", "--format", "fhir"])
        #expect(faultCode == 2)
        #expect(
            fault.hasPrefix(
                "Error: --format must be csv or json for a fault; its FHIR Observation is in its session's export (needlectl session export ID --format fhir)."
            ), "\(fault)")
        let (bothCode, _, both) = try needlectl([
            "records", "export", "--since", "2026-01-01", "--output", "a.ndjson", "--output-dir", "out",
        ])
        #expect(bothCode == 2)
        #expect(both.hasPrefix("Error: Give --output or --output-dir, not both."), "\(both)")
        let (sinceCode, _, since) = try needlectl(["records", "export"])
        #expect(sinceCode == 2)
        #expect(since.hasPrefix("Error: Missing expected argument '--since <since>'"), "\(since)")
        let (formatCode, _, format) = try needlectl(["session", "export", "S-0001", "--format", "pdf"])
        #expect(formatCode == 2)
        #expect(format.contains("The value 'pdf' is invalid for '--format <format>'"), "\(format)")
    }

    @Test("session open with an unknown area: the areas listed, before any connection")
    func unknownArea() throws {
        let (code, _, errors) = try needlectl([
            "--socket", "/nonexistent/needled.sock", "session", "open", "--area", "lips", "--cartridge", "C-1",
        ])
        #expect(code == 2)
        #expect(
            errors.hasPrefix(
                "Error: unknown area \"lips\"; the areas are forehead, periorbital, nose, cheeks, perioral, neck, decolletage, scalp, scars, stretchMarks."
            ), "\(errors)")
    }
}
