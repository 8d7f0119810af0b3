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
            let verdict = try connection.call(.sessionVerify, SessionParams(id: .session(id)), timeoutSeconds: 600)
            print(connection.json ? verdict.serialized : try VerifyText.session(verdict))
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
            let verdict = try connection.call(.recordsVerify, timeoutSeconds: 3600)
            print(connection.json ? verdict.serialized : try VerifyText.records(verdict))
            if verdict["intact"] == false { throw ExitCode(3) }
        }
    }
}

enum VerifyText {
    static func session(_ result: JSONValue) throws(ResultShapeError) -> String {
        try session(ResultReader(.sessionVerify, result))
    }

    static func session(_ verdict: ResultReader) throws(ResultShapeError) -> String {
        let id = try verdict.string("session")
        let links = try verdict.integer("links")
        switch try verdict.string("state") {
        case "intact": return "\(id): intact (\(links) links, sealed)."
        case "open": return "\(id): intact so far (\(links) links; open, not sealed yet)."
        case "notChained": return "\(id): recorded before the records were chained; nothing to verify it against."
        default:
            return "\(id): DOES NOT VERIFY: \(try verdict.nullableString("firstDifference") ?? "a record differs")."
        }
    }

    static func records(_ result: JSONValue) throws(ResultShapeError) -> String {
        let verdict = ResultReader(.recordsVerify, result)
        let counts = try verdict.object("counts")
        let brokenCount = try counts.integer("broken")
        var lines = [
            "\(sessionCount(try verdict.integer("sessions"))): \(try counts.integer("intact")) intact, \(try counts.integer("open")) open, \(try counts.integer("notChained")) recorded before chaining, \(brokenCount) that do not verify."
        ]
        let broken = try verdict.array("broken")
        for session in broken { lines.append("  " + (try Self.session(session))) }
        if brokenCount > Int64(broken.count) {
            lines.append("  … and \(brokenCount - Int64(broken.count)) more (--json lists the first \(broken.count)).")
        }
        return lines.joined(separator: "\n")
    }
}

func sessionCount(_ count: Int64) -> String { count == 1 ? "1 session" : "\(count) sessions" }
