/// A fixed histogram of durations in whole microseconds (0 … 4 999 µs, and one bucket above),
/// allocated once; recording is an increment, never an allocation. Owned by the loop thread.
public final class LatencyHistogram: @unchecked Sendable {
    public static let bucketCount = 5_000

    private let buckets: UnsafeMutablePointer<UInt32>
    private(set) var count: Int64 = 0
    private(set) var maxNanoseconds: Int64 = 0

    public init() {
        buckets = .allocate(capacity: Self.bucketCount + 1)
        buckets.initialize(repeating: 0, count: Self.bucketCount + 1)
    }

    deinit { buckets.deallocate() }

    public func record(nanoseconds: Int64) {
        let value = max(0, nanoseconds)
        let bucket = min(Int(value / 1_000), Self.bucketCount)
        buckets[bucket] &+= 1
        count += 1
        if value > maxNanoseconds { maxNanoseconds = value }
    }

    public func reset() {
        buckets.update(repeating: 0, count: Self.bucketCount + 1)
        count = 0
        maxNanoseconds = 0
    }

    /// The value (µs, the bucket's upper edge) below which `fraction` of the samples lie.
    public func percentileMicroseconds(_ fraction: Double) -> Int64 {
        guard count > 0 else { return 0 }
        let target = Int64((Double(count) * fraction).rounded(.up))
        var seen: Int64 = 0
        for bucket in 0...Self.bucketCount {
            seen += Int64(buckets[bucket])
            if seen >= max(1, target) { return bucket == Self.bucketCount ? maxNanoseconds / 1_000 : Int64(bucket + 1) }
        }
        return maxNanoseconds / 1_000
    }

    public var summary: LatencySummary {
        LatencySummary(
            p50: percentileMicroseconds(0.5), p99: percentileMicroseconds(0.99), p999: percentileMicroseconds(0.999),
            max: (maxNanoseconds + 999) / 1_000)
    }
}

/// Percentiles of one histogram, in microseconds (rounded up to the bucket edge).
public struct LatencySummary: Sendable, Equatable {
    public var p50: Int64
    public var p99: Int64
    public var p999: Int64
    public var max: Int64
}

/// The loop's own figures for `daemon.stats`.
public struct LoopStatistics: Sendable, Equatable {
    public var ticks: Int64
    public var overruns: Int64
    public var wakeupLatency: LatencySummary
    public var tickDuration: LatencySummary
    /// From `pen.emergencyStop` handed to the loop to the outputs with the motor off written.
    public var emergencyStopCommandLatency: LatencySummary
    /// From the tick reading a newly pressed E-stop input to its outputs written.
    public var emergencyStopInputLatency: LatencySummary
    /// CLOCK_MONOTONIC nanoseconds when the newest emergency stop's motor-off outputs were
    /// written (0: none yet): a client that noted when it wrote the stop's bytes can take the
    /// whole way, socket included, from it (`Scripts/bench-socket`).
    public var emergencyStopLastMotorOffAt: Int64 = 0
}
