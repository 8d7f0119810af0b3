import Foundation

/// The pen's password on the fleet's server: systemd's credential `fleet-password`
/// (`LoadCredential=fleet-password:/etc/needled/fleet-password` in needled.service), which
/// systemd hands only to this service, in `$CREDENTIALS_DIRECTORY`, never in needled.toml or
/// the environment. Read whole at start, or the daemon does not start.
public enum FleetPassword {
    public static let credentialName = "fleet-password"

    public struct Missing: Error, CustomStringConvertible, Equatable {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// The password from `environment["CREDENTIALS_DIRECTORY"]/fleet-password` (one line; a
    /// trailing newline is not part of it).
    public static func read() throws(Missing) -> String {
        try read(environment: ProcessInfo.processInfo.environment)
    }

    public static func read(environment: [String: String]) throws(Missing) -> String {
        let advice =
            "give it with LoadCredential=\(credentialName):/etc/needled/\(credentialName) in needled.service (Docs/operations.md)"
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else {
            throw Missing(
                description:
                    "[fleet] is configured but the fleet's password is not: no credential directory ($CREDENTIALS_DIRECTORY is not set); \(advice)."
            )
        }
        let path = (directory as NSString).appendingPathComponent(credentialName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Missing(description: "the fleet's password credential \(path) cannot be read; \(advice).")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty, !text.contains("\n"), !text.contains("\0") else {
            throw Missing(
                description: "the fleet's password credential \(path) must hold the password alone, on one line.")
        }
        return text
    }
}
