import BenchmarkFixtures
import Foundation
import Logging
import NeedledConfig
import NeedledFleet
import NeedledServer
import NeedledStore
import Synchronization

// Fifty pens replicating into one PostgreSQL (issue 20, item 7), as in-process clients: one
// process holds every pen, each with its own SQLite store (sessions closed while the fleet was
// away), its own FleetLink and its own PostgresFleetLedger (its login role, its client
// certificate, its connection pool), the parts needled runs. Two phases in one run:
//   1. the cartridge check (`FleetLink.admit`, what session.open awaits) with the fleet idle,
//   2. the same checks while every pen catches up at once, and the replication's throughput:
//      with passes back to back (the server's capacity) or on needled's 2 s schedule.
// Prints one JSON object; Scripts/bench-fleet-scale starts the server and runs it.
//
//   fleet-load --cluster DIR [--pens 50] [--sessions 40] [--idle-seconds 20]
//              [--passes back-to-back|scheduled] [--tag A] [--directory /dev/shm]

struct Options {
    var cluster = ""
    var pens = 50
    var sessions = 40
    var idleSeconds = 20
    /// `back-to-back`: every pen passes again at once (the server's capacity); `scheduled`: as
    /// needled runs it, a pass every 2 s (`FleetLink.run`).
    var passes = "back-to-back"
    /// Keeps the runs against one server apart: the pens' ids and the cartridges' serials.
    var tag = "A"
    var directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            let value = iterator.next() ?? ""
            switch argument {
            case "--cluster": cluster = value
            case "--pens": pens = Int(value) ?? pens
            case "--sessions": sessions = Int(value) ?? sessions
            case "--idle-seconds": idleSeconds = Int(value) ?? idleSeconds
            case "--directory": directory = value
            case "--passes" where ["back-to-back", "scheduled"].contains(value): passes = value
            case "--tag": tag = value
            default:
                FileHandle.standardError.write(Data("fleet-load: unknown argument \(argument)\n".utf8))
                exit(64)
            }
        }
        if cluster.isEmpty {
            FileHandle.standardError.write(Data("fleet-load: --cluster DIR (Scripts/fleet-server start DIR …)\n".utf8))
            exit(64)
        }
    }
}

/// A 10 s flight window at 1 kHz: what a fault keeps (FlightRecorder).
let flightWindowSamples = 10_000

/// A treatment as the daemon records it: 200 events (a 45-minute session's commands and
/// changes of area and depth); one in 25 ends in a fault with its whole flight window.
func treatment(_ store: TreatmentStore, pen: Int, index: Int, at opened: Date, tag: String) async throws {
    let serial = "CART-\(tag)-\(pen)-\(index)"
    let tick = Int64(index) * 3_000_000
    try await store.registerCartridge(serial: serial, needles: 12, lot: "LOT-1", expires: "2031-12-31", at: opened)
    let id = try await store.openSession(
        area: "cheeks", cartridge: serial, reference: "CLINIC-\(serial)", softwareVersion: "1.0.0",
        limitsJSON: #"{"maxDepthMicrometres":1000,"minSpeedHertz":25,"maxSpeedHertz":150}"#,
        configurationSHA256: String(repeating: "ab", count: 32), at: opened, tick: tick,
        tickPeriodNanoseconds: 1_000_000
    ).id!
    try await store.append(
        (0..<200).map { event in
            EventRow(
                sessionID: id, tick: tick + Int64(event) * 10_000, wallTime: opened, kind: "command",
                detailJSON: #"{"command":"setDepth","micrometres":800,"outcome":"accepted"}"#)
        })
    if index % 25 == 0 {
        _ = try await store.saveFault(
            FaultRecordRow(
                sessionID: id, code: "stall", message: "The motor stalled: the needles may have caught.",
                tick: tick + 2_000_000, wallTime: TreatmentStore.timestamp(opened), tickPeriodNanoseconds: 1_000_000,
                sampleCount: flightWindowSamples),
            samples: (0..<flightWindowSamples).map {
                FlightSampleRow.benchmarkSample(tick: tick + 2_000_000 - Int64(flightWindowSamples) + Int64($0))
            })
    }
    try await store.closeSession(
        id: id, at: opened.addingTimeInterval(2_700), tick: tick + 2_700_000, strokes: 2_700 * 120)
}

struct Pen {
    let role: String
    let link: FleetLink
    let ledger: PostgresFleetLedger
    let store: TreatmentStore
}

func microseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
}

func percentiles(_ values: [Double]) -> [String: Double] {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return [:] }
    func at(_ q: Double) -> Double {
        (sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] / 100).rounded() / 10
    }
    return [
        "p50Milliseconds": at(0.5), "p99Milliseconds": at(0.99), "maxMilliseconds": at(1),
        "count": Double(sorted.count),
    ]
}

/// Each pen asks the fleet about one fresh cartridge a second (at its own offset) until `until`
/// says stop: what session.open waits for. Returns the answers' times, µs; any answer but
/// "bound" ends the run (a check that failed is not a fast check).
func checks(_ pens: [Pen], phase: String, until done: @escaping @Sendable () -> Bool) async -> [Double] {
    await withTaskGroup(of: [Double].self) { group in
        for (number, pen) in pens.enumerated() {
            group.addTask {
                var times: [Double] = []
                try? await Task.sleep(for: .milliseconds(number * 1_000 / pens.count))
                var count = 0
                while !done() {
                    let start = ContinuousClock.now
                    let admission = await pen.link.admit(
                        serial: "\(phase)-\(pen.role)-\(count)", session: 100_000 + Int64(count))
                    times.append(microseconds(since: start))
                    guard admission == .bound else {
                        FileHandle.standardError.write(Data("fleet-load: \(pen.role): \(admission)\n".utf8))
                        exit(1)
                    }
                    count += 1
                    try? await Task.sleep(until: start + .seconds(1))
                }
                return times
            }
        }
        return await group.reduce(into: []) { $0 += $1 }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let tls = options.cluster + "/tls"
let port = Int(
    try String(contentsOfFile: options.cluster + "/port", encoding: .utf8).trimmingCharacters(
        in: .whitespacesAndNewlines))!
var logger = Logger(label: "fleet-load")
logger.logLevel = .warning
var result: [String: Any] = [
    "pens": options.pens, "sessionsPerPen": options.sessions, "clients": "in-process", "passes": options.passes,
]

// The pens' stores, each with its backlog: sessions closed while the fleet was away.
let fillStart = ContinuousClock.now
var pens: [Pen] = []
for number in 1...options.pens {
    let role = String(format: "pen_%03d", number)
    let directory = options.directory + "/needled-fleet-load-\(getpid())/\(role)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try TreatmentStore(directory: directory, maxSizeBytes: 8 << 30)
    let opened = Date().addingTimeInterval(-Double(options.sessions) * 3_600)
    for index in 0..<options.sessions {
        try await treatment(
            store, pen: number, index: index, at: opened.addingTimeInterval(Double(index) * 3_600), tag: options.tag)
    }
    let settings = FleetSettings(
        host: "127.0.0.1", port: port, database: "needled_fleet", role: role, caPath: tls + "/ca.pem",
        certificatePath: "\(tls)/\(role).pem", keyPath: "\(tls)/\(role).key", answerTimeout: .seconds(10))
    let ledger = try PostgresFleetLedger(
        settings: FleetConnectionSettings(settings, password: "\(role)-password"), deadline: settings.answerTimeout,
        logger: logger)
    let identity = PenIdentity(
        penID: "PEN-LOAD\(options.tag)\(number)", storeID: UUID().uuidString, storeNumber: 1,
        storeCreatedAt: "2026-01-01T00:00:00Z")
    let link = FleetLink(
        ledger: ledger, store: store, settings: settings, identity: identity, clock: SystemWallClock(), logger: logger)
    pens.append(Pen(role: role, link: link, ledger: ledger, store: store))
}
result["fillSeconds"] = (microseconds(since: fillStart) / 1e5).rounded() / 10

/// Set once the phase's work is over: the checks stop with it.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

await withThrowingTaskGroup(of: Void.self) { pools in
    for pen in pens { pools.addTask { try await pen.ledger.run() } }

    // Phase 1: the fleet idle, every pen connected; then the checks alone.
    let idleEnd = ContinuousClock.now + .seconds(options.idleSeconds)
    let idle = await checks(pens, phase: "IDLE-\(options.tag)") { ContinuousClock.now >= idleEnd }
    result["checkFleetIdle"] = percentiles(idle)

    // Phase 2: every pen catches up at once while the checks go on.
    let caughtUp = Flag()
    let replicationStart = ContinuousClock.now
    async let busy = checks(pens, phase: "BUSY-\(options.tag)") { caughtUp.isSet }
    var perPen: [Double] = []
    await withTaskGroup(of: Double.self) { group in
        for pen in pens {
            group.addTask {
                let start = ContinuousClock.now
                if options.passes == "scheduled" {
                    // needled's own schedule, until the link's status says nothing is behind (read
                    // in memory: polling the store would add 50 pens' reads to what is measured),
                    // confirmed by the store once (the status is 0 before the first pass too).
                    async let passes: Void = pen.link.run()
                    var caughtUp = false
                    while !caughtUp {
                        try? await Task.sleep(for: .milliseconds(50))
                        if pen.link.status.behindRecords == 0 {
                            caughtUp = (try? await pen.store.sessionsNotInFleet(limit: 1).isEmpty) == true
                        }
                    }
                    pen.link.finish()
                    await passes
                } else {
                    while (try? await pen.store.sessionsNotInFleet(limit: 1).isEmpty) == false {
                        await pen.link.pass()
                    }
                }
                return microseconds(since: start)
            }
        }
        for await seconds in group { perPen.append(seconds) }
    }
    let replicationSeconds = microseconds(since: replicationStart) / 1e6
    caughtUp.set()
    result["checkWhileReplicating"] = percentiles(await busy)

    let sessions = options.pens * options.sessions
    let faults = pens.count * ((options.sessions + 24) / 25)
    result["replication"] = [
        "seconds": (replicationSeconds * 10).rounded() / 10,
        "sessions": sessions,
        "sessionsPerSecond": (Double(sessions) / replicationSeconds).rounded(),
        "eventsPerSecond": (Double(sessions * 200) / replicationSeconds).rounded(),
        "faultsWithFlightWindows": faults,
        "slowestPenSeconds": ((perPen.max() ?? 0) / 1e5).rounded() / 10,
    ]
    let errors = pens.compactMap { $0.link.status.lastError }
    result["linkErrors"] = errors
    for pen in pens { pen.link.finish() }
    pools.cancelAll()
}

try? FileManager.default.removeItem(atPath: options.directory + "/needled-fleet-load-\(getpid())")
let json = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
print(String(decoding: json, as: UTF8.self))
