import Foundation
import NeedledRPC
import Testing

@Suite("Wall-clock jumps")
struct WallClockTests {
    @Test("Setting the wall clock back an hour and forward a day mid-session changes no duration")
    func durationsIgnoreWallClock() throws {
        let offsetFile = NSTemporaryDirectory() + "needled-clock-\(UUID().uuidString.prefix(8))"
        func setClock(offsetSeconds: Int) throws {
            try "\(offsetSeconds)\n".write(toFile: offsetFile, atomically: true, encoding: .utf8)
        }
        try setClock(offsetSeconds: 0)
        let daemon = try DaemonProcess(environment: ["NEEDLED_TEST_WALL_CLOCK_OFFSET_FILE": offsetFile])
        #expect(daemon.log.contains("the records' wall clock is shifted"))
        try daemon.startTreatment()
        #expect(try daemon.waitForTicks(700))  // 0.7 s of treatment, by the loop's ticks
        try setClock(offsetSeconds: -3600)  // set back an hour
        _ = try daemon.call("pen.setDepth", .object([("micrometres", 500)]))  // recorded at the earlier time
        #expect(try daemon.waitForTicks(700))  // 0.7 s of treatment, by the loop's ticks
        try setClock(offsetSeconds: 82_800)  // then forward a day
        _ = try daemon.call("pen.stop")
        try daemon.waitFor { $0["state"] == "ready" }
        _ = try daemon.call("session.close")

        let record = try daemon.call("session.get", .object([("id", "S-0001")]))
        let duration = try #require(record["durationSeconds"]?.number)
        #expect(duration > 1.4 && duration < 4, "monotonic duration \(duration) s")
        // The wall-clock times say what the clock said: closed 23 h after it opened.
        let formatter = ISO8601DateFormatter()
        let openedAt = try #require(record["openedAt"]?.text.flatMap(formatter.date(from:)))
        let closedAt = try #require(record["closedAt"]?.text.flatMap(formatter.date(from:)))
        #expect(abs(closedAt.timeIntervalSince(openedAt) - 82_800) < 10)
        // Events keep their monotonic ticks in order across both jumps, whatever their wall times.
        guard case .array(let events)? = record["events"] else {
            Issue.record("no events")
            return
        }
        let ticks = events.compactMap { $0["tick"]?.integer }
        #expect(ticks.count > 4)
        #expect(ticks == ticks.sorted())
        let wallTimes = events.compactMap { $0["wallTime"]?.text.flatMap(formatter.date(from:)) }
        #expect(wallTimes != wallTimes.sorted(), "the wall clock did jump back during the session")
        // The telemetry's own time axis (ticks) spans the same duration.
        let samples = try daemon.call("session.telemetry", .object([("id", "S-0001"), ("limit", 36_000)]))
        guard case .array(let telemetry) = samples, let first = telemetry.first?["tick"]?.integer,
            let last = telemetry.last?["tick"]?.integer
        else {
            Issue.record("no telemetry")
            return
        }
        #expect(abs(Double(last - first) / 1000 - duration) < 0.5)
    }
}
