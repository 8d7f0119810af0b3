import Foundation
import FuzzTargets
import Testing

/// Every committed fuzz input — the seeds and every crash a fuzz run found, kept as a
/// regression — through the same entry points the libFuzzer targets call (Fuzz/, Scripts/fuzz).
@Suite("Fuzz corpus replayed (regressions)")
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    static func inputs(_ target: String) throws -> [[UInt8]] {
        let directory = corpus.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map {
            Array(try Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }

    @Test("The RPC corpus runs through framing, decoding, access and the core without a trap")
    func rpcCorpus() throws {
        let inputs = try Self.inputs("rpc")
        #expect(inputs.count >= 10)
        for input in inputs { RPCFuzzTarget.run(input) }
    }

    @Test("The configuration corpus parses or is refused with located errors, without a trap")
    func configCorpus() throws {
        let inputs = try Self.inputs("config")
        #expect(inputs.count >= 6)
        for input in inputs { ConfigFuzzTarget.run(input) }
    }
}
