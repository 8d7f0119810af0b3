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
            let result = try connection.call(.sessionVerify, SessionParams(id: .session(id)), timeoutSeconds: 600)
            let verdict = try SessionVerdictResult(.sessionVerify, result)
            print(connection.json ? result.serialized : VerifyText.session(verdict))
            if verdict.state == "broken" { throw ExitCode(3) }
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
            let result = try connection.call(.recordsVerify, timeoutSeconds: 3600)
            let verdict = try RecordsVerdictResult(.recordsVerify, result)
            print(connection.json ? result.serialized : VerifyText.records(verdict))
            if !verdict.intact { throw ExitCode(3) }
        }
    }
}

enum VerifyText {
    static func session(_ verdict: SessionVerdictResult) -> String {
        let (id, links) = (verdict.session, verdict.links)
        switch verdict.state {
        case "intact": return "\(id): intact (\(links) links, sealed)."
        case "open": return "\(id): intact so far (\(links) links; open, not sealed yet)."
        case "notChained": return "\(id): recorded before the records were chained; nothing to verify it against."
        default: return "\(id): DOES NOT VERIFY: \(verdict.firstDifference ?? "a record differs")."
        }
    }

    static func records(_ verdict: RecordsVerdictResult) -> String {
        let counts = verdict.counts
        var lines = [
            "\(sessionCount(verdict.sessions)): \(counts.intact) intact, \(counts.open) open, \(counts.notChained) recorded before chaining, \(counts.broken) that do not verify."
        ]
        for session in verdict.broken { lines.append("  " + Self.session(session)) }
        if counts.broken > Int64(verdict.broken.count) {
            lines.append(
                "  … and \(counts.broken - Int64(verdict.broken.count)) more (--json lists the first \(verdict.broken.count))."
            )
        }
        return lines.joined(separator: "\n")
    }
}

func sessionCount(_ count: Int64) -> String { count == 1 ? "1 session" : "\(count) sessions" }
