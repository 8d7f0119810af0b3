/// `daemon.stats`: the loop's figures since start or the last reset — ticks, overruns, and the
/// latencies a real-time loop is judged by, in microseconds.
public struct StatsResult: MethodResult, Equatable {
    public var ticks: Int64
    public var overruns: Int64
    public var wakeupLatency: LatencySummaryResult
    public var tickDuration: LatencySummaryResult
    public var emergencyStopCommandLatency: LatencySummaryResult
    /// When the last emergency stop turned the motor off, on the monotonic clock (0: never).
    public var emergencyStopLastMotorOffMonotonicNanoseconds: Int64
    public var emergencyStopInputLatency: LatencySummaryResult
    /// Whether the figures were reset after being read.
    public var reset: Bool

    public init(
        ticks: Int64, overruns: Int64, wakeupLatency: LatencySummaryResult, tickDuration: LatencySummaryResult,
        emergencyStopCommandLatency: LatencySummaryResult, emergencyStopLastMotorOffMonotonicNanoseconds: Int64,
        emergencyStopInputLatency: LatencySummaryResult, reset: Bool
    ) {
        self.ticks = ticks
        self.overruns = overruns
        self.wakeupLatency = wakeupLatency
        self.tickDuration = tickDuration
        self.emergencyStopCommandLatency = emergencyStopCommandLatency
        self.emergencyStopLastMotorOffMonotonicNanoseconds = emergencyStopLastMotorOffMonotonicNanoseconds
        self.emergencyStopInputLatency = emergencyStopInputLatency
        self.reset = reset
    }

    public var json: JSONValue {
        .object([
            ("ticks", .int(ticks)),
            ("overruns", .int(overruns)),
            ("wakeupLatencyMicroseconds", wakeupLatency.json),
            ("tickDurationMicroseconds", tickDuration.json),
            ("emergencyStopCommandLatencyMicroseconds", emergencyStopCommandLatency.json),
            ("emergencyStopLastMotorOffMonotonicNanoseconds", .int(emergencyStopLastMotorOffMonotonicNanoseconds)),
            ("emergencyStopInputLatencyMicroseconds", emergencyStopInputLatency.json),
            ("reset", .bool(reset)),
        ])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        ticks = try result.integer("ticks")
        overruns = try result.integer("overruns")
        wakeupLatency = try result.decode("wakeupLatencyMicroseconds")
        tickDuration = try result.decode("tickDurationMicroseconds")
        emergencyStopCommandLatency = try result.decode("emergencyStopCommandLatencyMicroseconds")
        emergencyStopLastMotorOffMonotonicNanoseconds = try result.integer(
            "emergencyStopLastMotorOffMonotonicNanoseconds")
        emergencyStopInputLatency = try result.decode("emergencyStopInputLatencyMicroseconds")
        reset = try result.bool("reset")
    }
}

/// A latency's distribution in microseconds: median, 99th and 99.9th percentiles, and the worst.
public struct LatencySummaryResult: MethodResult, Equatable {
    public var p50: Int64
    public var p99: Int64
    public var p999: Int64
    public var max: Int64

    public init(p50: Int64, p99: Int64, p999: Int64, max: Int64) {
        self.p50 = p50
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }

    public var json: JSONValue {
        .object([("p50", .int(p50)), ("p99", .int(p99)), ("p999", .int(p999)), ("max", .int(max))])
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        p50 = try result.integer("p50")
        p99 = try result.integer("p99")
        p999 = try result.integer("p999")
        max = try result.integer("max")
    }
}
