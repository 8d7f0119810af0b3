import Foundation
import Testing

/// `fault-campaign`: CI runs it by count, so a run checks the same treatments on any machine;
/// its arguments' mistakes read as such.
@Suite("fault-campaign's command line")
struct FaultCampaignCommandTests {
    func campaign(_ arguments: [String]) throws -> (Int32, String, String) {
        try DaemonProcess.run(DaemonProcess.binary("fault-campaign"), arguments)
    }

    @Test("--treatments N runs exactly N treatments, the same ones twice")
    func countedRun() throws {
        let (code, output, _) = try campaign(["--treatments", "24", "--seed", "7"])
        #expect(code == 0)
        #expect(output.contains("FIGURE fault campaign: 24 treatments in "), "\(output)")
        #expect(output.contains("invariant violations: 0"))
        let (_, again, _) = try campaign(["--treatments", "24", "--seed", "7"])
        func latched(_ text: String) -> Substring? {
            text.split(separator: "\n").first { $0.hasPrefix("faults latched") }
        }
        #expect(latched(output) != nil && latched(output) == latched(again), "the same seed and count, the same faults")
    }

    @Test(
        "Wrong arguments: a usage error naming the rule",
        arguments: [
            (["--treatments", "0"], "--treatments must be from 1 to 100000000, not 0."),
            (["--minutes", "0"], "--minutes must be more than 0 and at most 1440, not 0.0."),
            (["--minutes", "1", "--treatments", "5"], "give --minutes or --treatments, not both."),
        ])
    func usage(arguments: [String], message: String) throws {
        let (code, _, errors) = try campaign(arguments)
        #expect(code == 64)
        #expect(errors.contains("Error: \(message)"), "\(errors)")
    }
}
