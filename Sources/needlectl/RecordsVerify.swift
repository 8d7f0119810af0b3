import ArgumentParser
import Foundation
import NeedledRPC

/// `needlectl session verify ID` and `needlectl records verify`: the records' hash chains
/// recomputed by needled. Exit 3 when a record differs from what was chained, so a script or a
/// nightly timer can alarm on it.
extension Session {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a session's records are as they were written (its hash chain and seal).",
            discussion: "Exit 3 when a record differs from what was chained.")
        @OptionGroup var connection: Connection
        @Argument(help: "The session id, e.g. S-0001.") var id: String
        func run() throws {
            let verdict = try connection.call("session.verify", .object([("id", .string(id))]), timeoutSeconds: 600)
            print(connection.json ? verdict.serialized : VerifyText.session(verdict))
            if verdict["state"] == "broken" { throw ExitCode(3) }
        }
    }
}

struct Records: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check or export the treatment records as a whole.", subcommands: [Verify.self, Export.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every session's records against their hash chains; name the first row that differs.",
            discussion: "Exit 3 when any record differs from what was chained.")
        @OptionGroup var connection: Connection
        func run() throws {
            let verdict = try connection.call("records.verify", nil, timeoutSeconds: 3600)
            print(connection.json ? verdict.serialized : VerifyText.records(verdict))
            if verdict["intact"] == false { throw ExitCode(3) }
        }
    }
}

enum VerifyText {
    static func session(_ verdict: JSONValue) -> String {
        let id = verdict["session"]?.stringValue ?? "?"
        let links = verdict["links"]?.intValue ?? 0
        switch verdict["state"]?.stringValue {
        case "intact": return "\(id): intact (\(links) links, sealed)."
        case "open": return "\(id): intact so far (\(links) links; open, not sealed yet)."
        case "notChained": return "\(id): recorded before the records were chained; nothing to verify it against."
        default:
            return "\(id): DOES NOT VERIFY: \(verdict["firstDifference"]?.stringValue ?? "a record differs")."
        }
    }

    static func records(_ verdict: JSONValue) -> String {
        let counts = verdict["counts"]
        func count(_ key: String) -> Int64 { counts?[key]?.intValue ?? 0 }
        var lines = [
            "\(sessionCount(verdict["sessions"]?.intValue ?? 0)): \(count("intact")) intact, \(count("open")) open, \(count("notChained")) recorded before chaining, \(count("broken")) that do not verify."
        ]
        if case .array(let broken)? = verdict["broken"] {
            lines += broken.map { "  " + session($0) }
            if count("broken") > Int64(broken.count) {
                lines.append(
                    "  … and \(count("broken") - Int64(broken.count)) more (--json lists the first \(broken.count)).")
            }
        }
        return lines.joined(separator: "\n")
    }
}

func sessionCount(_ count: Int64) -> String { count == 1 ? "1 session" : "\(count) sessions" }
