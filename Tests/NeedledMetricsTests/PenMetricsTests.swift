import NeedleCore
import NeedledLoop
import Testing

@testable import NeedledMetrics

/// The metrics' text from known figures: names, labels, types and values as Prometheus reads
/// them, counters advanced to the totals (never reset, never double-counted), the state one-hot,
/// the fleet's series only with a fleet.
@Suite struct PenMetricsTests {
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// The count of a histogram's bucket whose upper edge is `seconds` (read as a number: the
    /// library writes the edge as it formats a Duration).
    static func bucket(_ text: String, _ histogram: String, seconds: Double) -> Double? {
        let prefix = histogram + #"_bucket{le=""#
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count)
            guard let quote = rest.firstIndex(of: "\""), let edge = Double(rest[..<quote]),
                abs(edge - seconds) < 1e-12
            else { continue }
            return Double(rest[rest.index(quote, offsetBy: 3)...])
        }
        return nil
    }

    @Test func countersFollowTheTotals() {
        let metrics = PenMetrics(version: "0.2.0", backend: "simulated")
        var figures = PenFigures()
        figures.ticks = 1_000
        figures.tally.faultLatched(.overspeed)
        figures.tally.answered(method: "pen.status", outcome: "ok")
        metrics.publish(figures)
        var text = metrics.exposition()
        #expect(Self.sample(text, "needled_loop_ticks_total") == 1_000)
        #expect(Self.sample(text, #"needled_faults_latched_total{code="overspeed"}"#) == 1)
        #expect(Self.sample(text, #"needled_faults_latched_total{code="stall"}"#) == 0)
        #expect(Self.sample(text, #"needled_rpc_requests_total{method="pen.status",outcome="ok"}"#) == 1)

        figures.ticks = 2_500
        figures.tally.faultLatched(.overspeed)
        figures.tally.answered(method: "pen.status", outcome: "ok")
        figures.tally.answered(method: "pen.setDepth", outcome: "limitExceeded")
        metrics.publish(figures)
        metrics.publish(figures)  // a second scrape of the same totals adds nothing
        text = metrics.exposition()
        #expect(Self.sample(text, "needled_loop_ticks_total") == 2_500)
        #expect(Self.sample(text, #"needled_faults_latched_total{code="overspeed"}"#) == 2)
        #expect(Self.sample(text, #"needled_rpc_requests_total{method="pen.status",outcome="ok"}"#) == 2)
        #expect(Self.sample(text, #"needled_rpc_requests_total{method="pen.setDepth",outcome="limitExceeded"}"#) == 1)
        #expect(text.contains("# TYPE needled_loop_ticks_total counter"))
        #expect(text.contains("# HELP needled_loop_ticks_total "))
    }

    @Test func gaugesInTheirUnits() {
        let metrics = PenMetrics(version: "0.2.0", backend: "simulated")
        var figures = PenFigures()
        figures.phase = .running
        figures.depthTarget = Micrometres(750)
        figures.strokeRateTarget = Hertz(millihertz: 120_500)
        figures.recordsFillPercent = 42
        metrics.publish(figures)
        let text = metrics.exposition()
        #expect(Self.sample(text, #"needled_pen_state{state="running"}"#) == 1)
        for phase in PenPhase.allCases where phase != .running {
            #expect(Self.sample(text, #"needled_pen_state{state="\#(phase.rawValue)"}"#) == 0)
        }
        #expect(Self.sample(text, "needled_pen_depth_target_metres") == 0.00075)
        #expect(Self.sample(text, "needled_pen_stroke_rate_target_hertz") == 120.5)
        #expect(Self.sample(text, "needled_records_fill_ratio") == 0.42)
        #expect(Self.sample(text, #"needled_build_info{version="0.2.0",backend="simulated"}"#) == 1)
        #expect(!text.contains("needled_fleet_"))

        figures.fleet = FleetFigures(reachable: false, queuedRecords: 3, lagSeconds: 40, conflicts: 1)
        metrics.publish(figures)
        let withFleet = metrics.exposition()
        #expect(Self.sample(withFleet, "needled_fleet_reachable") == 0)
        #expect(Self.sample(withFleet, "needled_fleet_queued_records") == 3)
        #expect(Self.sample(withFleet, "needled_fleet_lag_seconds") == 40)
        #expect(Self.sample(withFleet, "needled_fleet_cartridge_conflicts") == 1)
    }

    /// Strokes are the session count's increase (a new session starts again from 0); run time
    /// is the ticks between snapshots that began running.
    @Test func strokesAndRunTimeFromSnapshots() {
        var tally = PenTally()
        let period = Nanoseconds.milliseconds(1)
        func status(_ tick: Int64, _ phase: PenPhase, strokes: Int64) -> PenStatus {
            var status = Supervisor().status
            status.tick = TickIndex(tick)
            status.phase = phase
            status.sessionStrokes = strokes
            return status
        }
        tally.snapshot(status(0, .armed, strokes: 0), tickPeriod: period)
        tally.snapshot(status(10, .running, strokes: 0), tickPeriod: period)
        tally.snapshot(status(1_010, .running, strokes: 100), tickPeriod: period)
        tally.snapshot(status(1_510, .stopping, strokes: 150), tickPeriod: period)
        tally.snapshot(status(1_600, .ready, strokes: 152), tickPeriod: period)
        #expect(tally.strokes == 152)
        #expect(tally.motorRun == .milliseconds(1_500))
        // The session closes and another opens: its count starts at 0 again.
        tally.snapshot(status(2_000, .ready, strokes: 0), tickPeriod: period)
        tally.snapshot(status(3_000, .running, strokes: 0), tickPeriod: period)
        tally.snapshot(status(3_200, .running, strokes: 30), tickPeriod: period)
        #expect(tally.strokes == 182)
        #expect(tally.motorRun == .milliseconds(1_700))
    }

    /// Every timing sample the loop left reaches the histograms once; the extra tick a stop
    /// wakes the loop for has a duration and no wake-up latency.
    @Test func timingSamplesDrainedOnce() {
        let channels = LoopChannels()
        let metrics = PenMetrics(version: "0.2.0", backend: "simulated")
        let timing = LoopTimingHistograms(channels: channels, registry: metrics.registry)
        for latency in [3_000, 12_000, 48_000, 2_000_000] as [Int64] {
            channels.timing.push(LoopTimingSample(wakeupLatencyNanoseconds: latency, tickDurationNanoseconds: 4_000))
        }
        channels.timing.push(LoopTimingSample(tickDurationNanoseconds: 6_000))
        #expect(timing.drain() == 5)
        #expect(timing.drain() == 0)
        let text = metrics.exposition()
        #expect(Self.sample(text, "needled_loop_wakeup_latency_seconds_count") == 4)
        #expect(Self.sample(text, "needled_loop_tick_duration_seconds_count") == 5)
        let sum = Self.sample(text, "needled_loop_wakeup_latency_seconds_sum") ?? 0
        #expect(abs(sum - 0.002063) < 1e-9)
        // 3 µs and 12 µs under 15 µs; 48 µs under 50 µs; 2 ms only under 2 ms and above.
        let histogram = "needled_loop_wakeup_latency_seconds"
        #expect(Self.bucket(text, histogram, seconds: 15e-6) == 2)
        #expect(Self.bucket(text, histogram, seconds: 50e-6) == 3)
        #expect(Self.bucket(text, histogram, seconds: 1e-3) == 3)
        #expect(Self.bucket(text, histogram, seconds: 2e-3) == 4)
        #expect(Self.sample(text, #"needled_loop_wakeup_latency_seconds_bucket{le="+Inf"}"#) == 4)
    }

    @Test func processSeries() {
        let metrics = PenMetrics(version: "0.2.0", backend: "simulated")
        ProcessMetrics(registry: metrics.registry, startTimeSeconds: 1_796_000_000).publish()
        let text = metrics.exposition()
        #expect(Self.sample(text, "process_start_time_seconds") == 1_796_000_000)
        #expect((Self.sample(text, "process_resident_memory_bytes") ?? 0) > 1_000_000)
    }
}
