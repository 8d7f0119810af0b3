public import NeedleCore
public import NeedledGPIO

/// Turns the speed sensor's edges, taken in the order the kernel saw them, into the count the
/// core's estimator reads, the timestamp of the newest edge, and whether the count can be
/// trusted. Pure: the backend feeds it what it read; it reads nothing.
///
/// Each event is one change of its line: the level toggles and the quadrature state steps by one
/// (×4 decoding, the direction from the other line's level). The kernel's "rising"/"falling" is
/// not the edge's own: for a both-edge request it reads the line's level in its interrupt thread,
/// after the fact, so two quick edges can both read as the later one (seen on gpio-sim at a few
/// hundred edges a second under TCG). That reported level is still a sample of the line, true
/// once the line has gone quiet: a late sample is corrected by the edge that made it late, which
/// the kernel has queued within a period. So when a line's newest event is older than a period,
/// nothing newer is queued, and its sample disagrees with the toggled level, an edge was lost
/// (an interrupt for two edges, a buffer overrun). On a line that never goes quiet (a motor at
/// speed), a lost edge shows as samples that disagree event after event: a late sample is put
/// right by the very next edge, so a disagreement that lasts a whole period of complete record
/// is a loss too. (Until it is seen, the count runs the wrong way: it reads as a reversal, which
/// the overspeed check on the magnitude still bounds.) A count with lost edges reads low:
/// the speed loop would drive harder and an overspeed could go unseen. Two lines changing at the
/// same instant cannot be a quadrature step either. Such a read is not trusted; the backend
/// reports it and the supervisor latches `speedSensorFault` in that tick.
public struct SpeedSensorDecoder: Sendable, Equatable {
    public enum Channel: Sendable, Equatable { case a, b }

    public let sensor: SpeedSensor
    /// The count so far: signed ×4 quadrature, or every edge of a tachometer.
    public private(set) var count: Int64 = 0
    /// The kernel's timestamp of the newest edge taken (CLOCK_MONOTONIC), nil before the first.
    public private(set) var newestEdgeTimestamp: Int64?
    /// The kernel time up to which every edge has been taken (after the newest taken edge, none
    /// until then): what the estimator may count the newest edge's silence up to. Edges stamped
    /// later may still be on their way through the kernel's interrupt thread.
    public private(set) var completeUntil = Int64.min
    /// Edges that could not happen, or lost ones, seen since `beginRead()`.
    public private(set) var impossibleEdges = 0
    private var levelA: Bool
    private var levelB: Bool
    /// The kernel's sample of each line at its latest event.
    private var sampledA: Bool
    private var sampledB: Bool
    private var newestTimestampA = Int64.min
    private var newestTimestampB = Int64.min
    /// The timestamp of the first of an unbroken run of events whose sample disagrees with the
    /// counted level; nil while the line's latest event agrees.
    private var disagreeingSinceA: Int64?
    private var disagreeingSinceB: Int64?

    /// `levelA`/`levelB`: the lines' levels as read when they were requested.
    public init(sensor: SpeedSensor, levelA: Bool, levelB: Bool) {
        self.sensor = sensor
        self.levelA = levelA
        self.levelB = levelB
        self.sampledA = levelA
        self.sampledB = levelB
    }

    /// The lines' levels again (after the chip came back): the count goes on from where it was.
    public mutating func resynchronize(levelA: Bool, levelB: Bool) {
        self.levelA = levelA
        self.levelB = levelB
        sampledA = levelA
        sampledB = levelB
        newestSeenA = Int64.min
        newestSeenB = Int64.min
        disagreeingSinceA = nil
        disagreeingSinceB = nil
    }

    /// Starts a tick's read: the impossible-edge tally is per read.
    public mutating func beginRead() { impossibleEdges = 0 }

    /// One edge, in kernel order, with the level the kernel sampled for it. A tachometer reads
    /// channel A only.
    public mutating func take(_ channel: Channel, rising: Bool, timestampNanoseconds: Int64) {
        newestEdgeTimestamp = timestampNanoseconds
        switch (sensor.isQuadrature, channel) {
        case (false, .b):
            impossibleEdges += 1  // a tachometer has one channel
        case (false, .a):
            newestTimestampA = timestampNanoseconds
            levelA.toggle()
            sampledA = rising
            track(&disagreeingSinceA, agrees: levelA == rising, at: timestampNanoseconds)
            count += 1
        case (true, .a):
            if timestampNanoseconds == newestTimestampB { impossibleEdges += 1 }  // both at once
            newestTimestampA = timestampNanoseconds
            levelA.toggle()
            sampledA = rising
            track(&disagreeingSinceA, agrees: levelA == rising, at: timestampNanoseconds)
            count += levelA != levelB ? 1 : -1
        case (true, .b):
            if timestampNanoseconds == newestTimestampA { impossibleEdges += 1 }
            newestTimestampB = timestampNanoseconds
            levelB.toggle()
            sampledB = rising
            track(&disagreeingSinceB, agrees: levelB == rising, at: timestampNanoseconds)
            count += levelA == levelB ? 1 : -1
        }
    }

    private func track(_ since: inout Int64?, agrees: Bool, at timestamp: Int64) {
        if agrees { since = nil } else if since == nil { since = timestamp }
    }

    /// A line whose counted level disagrees with the kernel's sample has lost an edge when it is
    /// quiet (nothing queued, its newest event complete), or when the disagreement has lasted a
    /// whole `period` of complete record (the edge that would explain a late sample comes within
    /// the interrupt thread's latency, never a period on). The level is taken from the sample
    /// from then on.
    private mutating func checkLines(queuedA: Int, queuedB: Int, completeBefore: Int64, period: Int64) {
        if lost(queuedA, newestTimestampA, disagreeingSinceA, completeBefore, period) {
            impossibleEdges += 1
            levelA = sampledA
            disagreeingSinceA = nil
        }
        guard sensor.isQuadrature else { return }
        if lost(queuedB, newestTimestampB, disagreeingSinceB, completeBefore, period) {
            impossibleEdges += 1
            levelB = sampledB
            disagreeingSinceB = nil
        }
    }

    private func lost(_ queued: Int, _ newest: Int64, _ since: Int64?, _ completeBefore: Int64, _ period: Int64) -> Bool
    {
        guard let since else { return false }
        let quiet = queued == 0 && newest < completeBefore
        return quiet || since <= completeBefore - period
    }

    /// The newest edge timestamp seen on each line (read, whether taken yet or not).
    private var newestSeenA = Int64.min
    private var newestSeenB = Int64.min

    /// Takes the edges of two per-line queues (oldest first), merged in timestamp order, as far
    /// as both lines are known to be complete; returns how many of each it took (the rest wait
    /// for the next read). libgpiod 1.6 reads each line on its own descriptor, one after the
    /// other, so a B edge read a moment after A's read can be newer than an A edge still on its
    /// way: decoding it first would see an impossible step. Every edge up to the older of the
    /// two lines' newest edges is complete (each line's queue is in order), and so is every edge
    /// older than `completeBefore` (the kernel has queued an edge one `period` after stamping it).
    /// Ties go to A. A tachometer's one line is always complete.
    public mutating func take(
        a edgesA: borrowing [GPIOEdge], count countA: Int, b edgesB: borrowing [GPIOEdge], count countB: Int,
        completeBefore: Int64, period: Int64
    ) -> (takenA: Int, takenB: Int) {
        precondition(countA >= 0 && countA <= edgesA.count, "edge count beyond the buffer (A)")
        precondition(countB >= 0 && countB <= edgesB.count, "edge count beyond the buffer (B)")
        if countA > 0 { newestSeenA = max(newestSeenA, edgesA[countA - 1].timestampNanoseconds) }
        if countB > 0 { newestSeenB = max(newestSeenB, edgesB[countB - 1].timestampNanoseconds) }
        let cut = sensor.isQuadrature ? max(min(newestSeenA, newestSeenB), completeBefore) : Int64.max
        completeUntil = max(completeUntil, sensor.isQuadrature ? cut : max(newestSeenA, completeBefore))
        var nextA = 0
        var nextB = 0
        while true {
            let candidateA = nextA < countA && edgesA[nextA].timestampNanoseconds <= cut
            let candidateB = nextB < countB && edgesB[nextB].timestampNanoseconds <= cut
            guard candidateA || candidateB else { break }
            let takeA =
                candidateA && (!candidateB || edgesA[nextA].timestampNanoseconds <= edgesB[nextB].timestampNanoseconds)
            if takeA {
                take(.a, rising: edgesA[nextA].rising, timestampNanoseconds: edgesA[nextA].timestampNanoseconds)
                nextA += 1
            } else {
                take(.b, rising: edgesB[nextB].rising, timestampNanoseconds: edgesB[nextB].timestampNanoseconds)
                nextB += 1
            }
        }
        checkLines(queuedA: countA - nextA, queuedB: countB - nextB, completeBefore: completeBefore, period: period)
        return (nextA, nextB)
    }
}
