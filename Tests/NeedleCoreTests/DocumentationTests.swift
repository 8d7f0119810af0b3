import Foundation
import NeedleCore
import Testing

/// The technician's guide lists every fault with the very sentences needlectl and the status
/// show, so the page and the pen cannot disagree.
@Suite("Documents that follow the code")
struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("Docs/technician.md gives every fault code its meaning and action, word for word")
    func everyFaultInTheTechniciansGuide() throws {
        let guide = try String(contentsOf: Self.root.appendingPathComponent("Docs/technician.md"), encoding: .utf8)
        for code in FaultCode.allCases {
            #expect(guide.contains("`\(code.rawValue)`"), "\(code) is not in Docs/technician.md")
            #expect(guide.contains(code.meaning), "\(code)'s meaning differs from FaultCode.meaning")
            #expect(guide.contains(code.technicianAction), "\(code)'s action differs from FaultCode.technicianAction")
        }
    }
}
