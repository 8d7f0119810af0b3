import BenchmarkFixtures
import Foundation
import NeedledFHIR
import NeedledStore

// The records at the sizes five years make (issue 17, items 3 and 6), written through the
// store's API: what a treatment hour and a fault take on disk, and session.list, session.get,
// the cartridge check and session.open at 10³, 10⁴ and 10⁵ sessions (flat when indexed), with
// verify, export and prune times. Prints one JSON object; Scripts/bench-records runs it.
//
//   records-bench [--sizes 1000,10000,100000] [--directory /dev/shm]

struct Options {
    var sizes = [1_000, 10_000, 100_000]
    var directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--sizes": sizes = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--directory": directory = iterator.next() ?? directory
            default:
                FileHandle.standardError.write(Data("records-bench: unknown argument \(argument)\n".utf8))
                exit(64)
            }
        }
    }
}

func microseconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
}

func percentiles(_ values: [Double]) -> [String: Double] {
    let sorted = values.sorted()
    func at(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
    return ["p50": (at(0.5) * 10).rounded() / 10, "p99": (at(0.99) * 10).rounded() / 10]
}

func freshStore(_ options: Options, _ name: String) throws -> (TreatmentStore, String) {
    let directory = options.directory + "/needled-records-bench-\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: directory)
    return (try TreatmentStore(directory: directory, maxSizeBytes: 64 << 30), directory)
}

func sample(_ session: Int64, _ tick: Int64) -> TelemetrySample {
    TelemetrySample(
        sessionID: session, tick: tick, state: "running", depthMicrometres: 800, depthTargetMicrometres: 800,
        speedMillihertz: 119_800, speedTargetMillihertz: 120_000, strokes: tick / 8)
}

/// One treatment as the daemon records it; `samples` of telemetry at 10 Hz (100 ms of ticks).
@discardableResult
func treatment(
    _ store: TreatmentStore, serial: String, at opened: Date, tick: Int64, samples: Int, events: Int,
    faultWindow: Int?
) async throws -> Int64 {
    try await store.registerCartridge(serial: serial, needles: 12, lot: "LOT-1", expires: "2031-12-31", at: opened)
    let row = try await store.openSession(
        area: "cheeks", cartridge: serial, reference: "CLINIC-\(serial)", softwareVersion: "1.0.0",
        limitsJSON: #"{"maxDepthMicrometres":1000,"minSpeedHertz":25,"maxSpeedHertz":150}"#,
        configurationSHA256: String(repeating: "ab", count: 32), at: opened, tick: tick,
        tickPeriodNanoseconds: 1_000_000)
    let id = row.id!
    try await store.append(
        (0..<events).map { index in
            EventRow(
                sessionID: id, tick: tick + Int64(index) * 1_000, wallTime: opened, kind: "command",
                detailJSON: #"{"command":"setDepth","micrometres":800,"outcome":"accepted"}"#)
        })
    for start in stride(from: 0, to: samples, by: 600) {  // the writer's batches: 60 s of samples
        try await store.append((start..<min(samples, start + 600)).map { sample(id, tick + Int64($0) * 100) })
    }
    if let faultWindow {
        _ = try await store.saveFault(
            FaultRecordRow(
                sessionID: id, code: "stall", message: "The motor stalled: the needles may have caught.",
                tick: tick + 5_000, wallTime: TreatmentStore.timestamp(opened), tickPeriodNanoseconds: 1_000_000,
                sampleCount: faultWindow),
            samples: (0..<faultWindow).map {
                FlightSampleRow.benchmarkSample(tick: tick + 5_000 - Int64(faultWindow) + Int64($0))
            })
    }
    try await store.closeSession(
        id: id, at: opened.addingTimeInterval(Double(samples) / 10), tick: tick + Int64(samples) * 100,
        strokes: Int64(samples) * 12)
    return id
}

func usedBytes(_ store: TreatmentStore) async throws -> Int64 { try await store.fillLevel().usedBytes }

let options = Options(Array(CommandLine.arguments.dropFirst()))
var result: [String: Any] = [:]

// What a treatment hour and a fault take on disk.
do {
    let (store, directory) = try freshStore(options, "size")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await treatment(store, serial: "WARM", at: Date(), tick: 0, samples: 10, events: 1, faultWindow: nil)
    let before = try await usedBytes(store)
    let id = try await treatment(
        store, serial: "HOUR", at: Date(), tick: 10_000_000, samples: 36_000, events: 200, faultWindow: nil)
    let hour = try await usedBytes(store) - before
    let beforeFault = try await usedBytes(store)
    _ = try await store.saveFault(
        FaultRecordRow(
            sessionID: nil, code: "overspeed", message: "x", tick: 1, wallTime: "2026-01-01T00:00:00Z",
            tickPeriodNanoseconds: 1_000_000, sampleCount: 10_000),
        samples: (0..<10_000).map { FlightSampleRow.benchmarkSample(tick: Int64($0)) })
    let fault = try await usedBytes(store) - beforeFault
    try await store.markExported([id], at: Date())
    var policy = RetentionPolicy()
    policy.keepTelemetryDays = 1
    let beforePrune = try await usedBytes(store)
    let pruneMicroseconds = try await microseconds {
        _ = try await store.prune(policy, now: Date().addingTimeInterval(3 * 86_400))
    }
    let kept = try await usedBytes(store) - (beforePrune - hour - fault)
    result["bytesPerTreatmentHour"] = hour
    result["bytesPerFault"] = fault
    result["bytesKeptPerTreatmentHourAfterPruning"] = kept
    result["pruneOneHourAndOneFaultMilliseconds"] = (pruneMicroseconds / 100).rounded() / 10
}

// The store at five years' sizes.
var scale: [[String: Any]] = []
for size in options.sizes {
    let (store, directory) = try freshStore(options, "\(size)")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // 20 sessions a day, the oldest first; one in 25 with a fault; 60 telemetry samples each
    // (the minute the retention leaves of an old session's detail is not kept: summaries,
    // events, faults, ledger and chain are what grows for good).
    let days = Double(size) / 20
    let start = Date().addingTimeInterval(-days * 86_400)
    let fillStart = ContinuousClock.now
    for index in 0..<size {
        try await treatment(
            store, serial: "CART-\(index)", at: start.addingTimeInterval(Double(index) * 86_400 / 20),
            tick: Int64(index) * 10_000_000, samples: 60, events: 12, faultWindow: index % 25 == 0 ? 100 : nil)
    }
    let fillSeconds = Double((ContinuousClock.now - fillStart).components.seconds)
    var random = SystemRandomNumberGenerator()
    var list: [Double] = []
    var get: [Double] = []
    var check: [Double] = []
    var open: [Double] = []
    for iteration in 0..<300 {
        list.append(try await microseconds { _ = try await store.sessions(since: nil, limit: 50) })
        let id = Int64.random(in: 1...Int64(size), using: &random)
        get.append(
            try await microseconds {
                _ = try await store.session(id: id)
                _ = try await store.events(session: id, limit: 1000)
            })
        let serial = "CART-\(Int.random(in: 0..<size, using: &random))"
        check.append(
            try await microseconds {
                let record = try await store.cartridge(serial: serial)
                precondition(TreatmentStore.rejection(of: record, today: Date()) == .reused)
            })
        let fresh = "NEW-\(size)-\(iteration)"
        open.append(
            try await microseconds {
                try await store.registerCartridge(serial: fresh, needles: 12, lot: nil, expires: nil, at: Date())
                let row = try await store.openSession(
                    area: "neck", cartridge: fresh, reference: nil, softwareVersion: "1.0.0", limitsJSON: "{}",
                    at: Date(), tick: Int64(size + iteration) * 10_000_000, tickPeriodNanoseconds: 1_000_000)
                try await store.closeSession(
                    id: row.id!, at: Date(), tick: Int64(size + iteration) * 10_000_000 + 10, strokes: 0)
            })
    }
    var intact = false
    let verifyMicroseconds = try await microseconds {
        let verdict = try await store.verifyRecords()
        intact = verdict.brokenCount == 0 && verdict.intact == verdict.sessions
    }
    precondition(intact, "the benchmark's records do not verify")
    let exportMicroseconds = try await microseconds {
        for id in Int64(1)...100 {
            guard let records = try await store.records(session: id) else { continue }
            _ = FHIRExport.resources(
                SessionRecordSet(
                    session: records.session, recordID: "PEN-BENCH-1-" + records.session.displayID, penID: "PEN-BENCH",
                    cartridges: records.cartridges, telemetry: records.telemetry, faults: records.faults,
                    faultRecordIDPrefix: "PEN-BENCH-1-"), style: .bulkData)
        }
    }
    try await store.markExported(Array(Int64(1)...Int64(size)), at: Date())
    var policy = RetentionPolicy()
    policy.keepTelemetryDays = 365
    var prunedSessions = 0
    let pruneMicroseconds = try await microseconds {
        prunedSessions = try await store.prune(policy, now: Date()).sessions.count
    }
    let storeMebibytes = Double(try await usedBytes(store) >> 10) / 1024
    var figures: [String: Any] = [:]
    figures["sessions"] = size
    figures["fillSeconds"] = fillSeconds
    figures["storeMebibytes"] = storeMebibytes
    figures["sessionListMicroseconds"] = percentiles(list)
    figures["sessionGetMicroseconds"] = percentiles(get)
    figures["cartridgeCheckMicroseconds"] = percentiles(check)
    figures["sessionOpenMicroseconds"] = percentiles(open)
    figures["verifyAllSeconds"] = (verifyMicroseconds / 1e4).rounded() / 100
    figures["export100SessionsMilliseconds"] = (exportMicroseconds / 100).rounded() / 10
    figures["pruneSessionsOlderThanAYear"] = prunedSessions
    figures["pruneSeconds"] = (pruneMicroseconds / 1e4).rounded() / 100
    scale.append(figures)
}
result["scale"] = scale
let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
print(String(decoding: data, as: UTF8.self))
