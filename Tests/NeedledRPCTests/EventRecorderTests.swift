import Foundation
import NeedledStore
import Testing

/// The records' writability at the size limit: a refused write makes them unwritable (the
/// daemon latches recordsUnavailable), and a later small write that still fits must not make
/// them writable again while a fault's flight window would not fit.
@Suite("Event recorder at the size limit")
struct EventRecorderTests {
    /// Fills a 256 KiB store with 16 KiB events until one is refused, then records small events;
    /// returns whether the records read writable again afterwards.
    func writableAfterSmallWrites(recoveryHeadroomBytes: Int64) async throws -> (refused: Bool, recovered: Bool) {
        let directory = NSTemporaryDirectory() + "needled-recorder-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TreatmentStore(directory: directory, maxSizeBytes: 256 * 1024)
        let recorder = EventRecorder(store: store, recoveryHeadroomBytes: recoveryHeadroomBytes)
        let writer = Task { await recorder.run() }
        defer {
            recorder.finish()
            writer.cancel()
        }
        let large = "\"" + String(repeating: "x", count: 16 * 1024) + "\""
        for tick in 0..<64 where recorder.writable.load(ordering: .acquiring) {
            recorder.record(
                EventRow(sessionID: nil, tick: Int64(tick), wallTime: Date(), kind: "fill", detailJSON: large))
            await recorder.written()  // this row written (or refused), not a guess at how long that takes
        }
        let refused = !recorder.writable.load(ordering: .acquiring)
        for tick in 100..<120 {
            recorder.record(
                EventRow(sessionID: nil, tick: Int64(tick), wallTime: Date(), kind: "small", detailJSON: "1"))
            await recorder.written()  // this row written (or refused), not a guess at how long that takes
        }
        return (refused, recorder.writable.load(ordering: .acquiring))
    }

    @Test("With no headroom asked, a small write that fits makes the records writable again")
    func flapsWithoutHeadroom() async throws {
        let result = try await writableAfterSmallWrites(recoveryHeadroomBytes: 0)
        #expect(result.refused)
        #expect(result.recovered, "the small events should fit where the 16 KiB one did not")
    }

    @Test("Asking for a flight window's headroom keeps them unwritable until there is room")
    func staysUnwritableWithoutRoom() async throws {
        let result = try await writableAfterSmallWrites(recoveryHeadroomBytes: 128 * 1024)
        #expect(result.refused)
        #expect(!result.recovered)
    }
}
