import ArgumentParser
import NeedleCore
import NeedledRPC

/// `needlectl faults`: every fault code, what it means for the patient and what to do. Needs no
/// daemon: the table is the core's own (`FaultCode`), the one Docs/technician.md lists.
struct Faults: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every fault code with what it means and what to do (no daemon needed).")
    @Flag(help: "Print the table as JSON: [{code, meaning, action}].") var json = false
    @Argument(help: "Show only this fault code (e.g. stall).") var code: String?

    func validate() throws {
        if let code, FaultCode(rawValue: code) == nil {
            throw ValidationError(
                "unknown fault code \"\(code)\"; the codes are \(FaultCode.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
    }

    func run() {
        let codes = code.flatMap(FaultCode.init(rawValue:)).map { [$0] } ?? FaultCode.allCases
        if json {
            print(
                JSONValue.array(
                    codes.map {
                        .object([
                            ("code", .string($0.rawValue)), ("meaning", .string($0.meaning)),
                            ("action", .string($0.technicianAction)),
                        ])
                    }
                ).serialized)
            return
        }
        print(
            codes.map { "\($0.rawValue)\n  means:      \($0.meaning)\n  what to do: \($0.technicianAction)" }
                .joined(separator: "\n\n"))
    }
}
