import Foundation
import NeedledConfig
import Testing

/// The fleet's password comes only from systemd's credential: each way it can be missing or
/// wrong gets the sentence an installer reads.
@Suite("The fleet's password credential")
struct FleetPasswordTests {
    let advice =
        "give it with LoadCredential=fleet-password:/etc/needled/fleet-password in needled.service (Docs/operations.md)"

    func directory(holding text: String?) throws -> String {
        let path = NSTemporaryDirectory() + "needled-credentials-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let text { try text.write(toFile: path + "/fleet-password", atomically: true, encoding: .utf8) }
        return path
    }

    @Test("Read whole, the trailing newline not part of it")
    func read() throws {
        let path = try directory(holding: "pen_a-password\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FleetPassword.read(environment: ["CREDENTIALS_DIRECTORY": path]) == "pen_a-password")
    }

    @Test("No credential directory, no file, an empty file, two lines: refused, saying how to give it")
    func refused() throws {
        #expect(
            throws: FleetPassword.Missing(
                description:
                    "[fleet] is configured but the fleet's password is not: no credential directory ($CREDENTIALS_DIRECTORY is not set); \(advice)."
            )
        ) {
            try FleetPassword.read(environment: [:])
        }
        let none = try directory(holding: nil)
        defer { try? FileManager.default.removeItem(atPath: none) }
        #expect(
            throws: FleetPassword.Missing(
                description: "the fleet's password credential \(none)/fleet-password cannot be read; \(advice).")
        ) {
            try FleetPassword.read(environment: ["CREDENTIALS_DIRECTORY": none])
        }
        for text in ["", "\n", "one\ntwo\n"] {
            let path = try directory(holding: text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(
                throws: FleetPassword.Missing(
                    description:
                        "the fleet's password credential \(path)/fleet-password must hold the password alone, on one line."
                )
            ) {
                try FleetPassword.read(environment: ["CREDENTIALS_DIRECTORY": path])
            }
        }
    }
}
