import Foundation
import Testing

/// Docs/safety.md's traceability table cannot go stale: every hazard row names at least one
/// test, and every name in its last column is a suite (`Name`), a test in that suite
/// (`Name.function`, `Name.prefix*`) or a script (`Scripts/…`) that exists.
@Suite("Safety case (Docs/safety.md)")
struct SafetyCaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// (hazard id, the names its last column gives).
    static func rows() throws -> [(String, [String])] {
        let text = try String(contentsOf: root.appendingPathComponent("Docs/safety.md"), encoding: .utf8)
        return text.split(separator: "\n").filter { $0.hasPrefix("| H") }.map { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let names = (cells.last ?? "").split(separator: "`", omittingEmptySubsequences: false).enumerated().filter {
                $0.offset % 2 == 1
            }.map {
                String($0.element)
            }
            return (cells.first ?? "?", names)
        }
    }

    /// Every Swift file under Tests/, by path.
    static func testSources() throws -> [String: String] {
        let tests = root.appendingPathComponent("Tests")
        var sources: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: tests.path)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            sources[relative] = try String(contentsOf: tests.appendingPathComponent(relative), encoding: .utf8)
        }
        return sources
    }

    @Test("Every hazard names tests, and every named test or script exists")
    func everyNamedTestExists() throws {
        let rows = try Self.rows()
        #expect(rows.count >= 19, "the traceability table was not found")
        let sources = try Self.testSources()
        for (hazard, names) in rows {
            #expect(!names.isEmpty, "\(hazard) names no test")
            for name in names {
                let found = Self.exists(name, in: sources)
                #expect(found, "\(hazard): \(name) does not exist")
            }
        }
    }

    @Test("The checker itself finds what is missing")
    func checkerRejectsMissingNames() throws {
        let sources = try Self.testSources()
        #expect(Self.exists("SafetyCaseTests.everyNamedTestExists", in: sources))
        #expect(Self.exists("SafetyCaseTests.everyNamed*", in: sources))
        #expect(!Self.exists("SafetyCaseTests.noSuchTest", in: sources))
        #expect(!Self.exists("NoSuchSuiteTests", in: sources))
        #expect(!Self.exists("Scripts/no-such-script", in: sources))
    }

    static func exists(_ name: String, in sources: [String: String]) -> Bool {
        if name.hasPrefix("Scripts/") {
            return FileManager.default.isExecutableFile(atPath: root.appendingPathComponent(name).path)
        }
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        let suite = parts[0]
        let declarations = ["struct \(suite) ", "struct \(suite):", "class \(suite) ", "class \(suite):"]
        guard let file = sources.values.first(where: { text in declarations.contains { text.contains($0) } }) else {
            return false
        }
        guard parts.count == 2 else { return true }
        let function = parts[1]
        if function.hasSuffix("*") { return file.contains("func \(function.dropLast())") }
        return file.contains("func \(function)(")
    }
}
