public import NeedleCore

/// What a scrape reads of the daemon, as plain values: the loop's counters (the atomics it
/// already publishes for `daemon.info`), the newest snapshot, the socket side's tallies, the
/// records and the fleet. Gathered on the service's event loop, never by asking the loop.
/// Counters are totals since the daemon started; `PenMetrics` turns them into the registry's.
public struct PenFigures: Sendable {
    public var ticks: Int64 = 0
    public var overruns: Int64 = 0
    /// What the loop could not publish, by ring: `events`, `snapshots`, `replies`, `timing`.
    public var droppedByRing: [String: Int64] = [:]

    public var phase: PenPhase = .idle
    public var depth: Micrometres = .zero
    public var depthTarget: Micrometres = .zero
    public var strokeRate: Hertz = .zero
    public var strokeRateTarget: Hertz = .zero
    public var sessionOpen = false
    public var tally = PenTally()

    public var recordsWritten: Int64 = 0
    public var recordsLost: Int64 = 0
    public var recordsWritable = true
    public var recordsFillPercent: Int64 = 0

    /// Nil without `[fleet]`: no fleet series at all.
    public var fleet: FleetFigures?

    public var connectionsOpen: Int64 = 0
    public var connectionsRefusedBusy: Int64 = 0
    public var connectionsRefusedUnauthorized: Int64 = 0

    public init() {}
}

/// The fleet as `pen.status` says it.
public struct FleetFigures: Sendable, Equatable {
    public var reachable: Bool
    /// Records (cartridge bindings, closed sessions) the fleet has not confirmed yet.
    public var queuedRecords: Int64
    /// How long the oldest of them has waited.
    public var lagSeconds: Int64
    public var conflicts: Int64

    public init(reachable: Bool, queuedRecords: Int64, lagSeconds: Int64, conflicts: Int64) {
        self.reachable = reachable
        self.queuedRecords = queuedRecords
        self.lagSeconds = lagSeconds
        self.conflicts = conflicts
    }
}
