public import NeedleCore
public import NeedledGPIO

/// Turns the speed sensor's edges, taken in the order the kernel saw them, into the count the
/// core's estimator reads, the timestamp of the newest edge, and whether the count can be
/// trusted. Pure: the backend feeds it what it read; it reads nothing.
///
/// Every edge must change its channel's level. One that does not (a rising edge on a line already
/// high) means edges were lost between them, and a count with lost edges reads low: the speed
/// loop would drive harder and an overspeed could go unseen. Such a read is not trusted; the
/// backend reports it and the supervisor latches `speedSensorFault` in that tick.
public struct SpeedSensorDecoder: Sendable, Equatable {
    public enum Channel: Sendable, Equatable { case a, b }

    public let sensor: SpeedSensor
    /// The count so far: signed ×4 quadrature, or every edge of a tachometer.
    public private(set) var count: Int64 = 0
    /// The kernel's timestamp of the newest edge taken (CLOCK_MONOTONIC), nil before the first.
    public private(set) var newestEdgeTimestamp: Int64?
    /// Edges that could not happen were seen since `beginRead()`.
    public private(set) var impossibleEdges = 0
    private var levelA: Bool
    private var levelB: Bool

    /// `levelA`/`levelB`: the lines' levels as read when they were requested.
    public init(sensor: SpeedSensor, levelA: Bool, levelB: Bool) {
        self.sensor = sensor
        self.levelA = levelA
        self.levelB = levelB
    }

    /// The lines' levels again (after the chip came back): the count goes on from where it was.
    public mutating func resynchronize(levelA: Bool, levelB: Bool) {
        self.levelA = levelA
        self.levelB = levelB
    }

    /// Starts a tick's read: the impossible-edge tally is per read.
    public mutating func beginRead() { impossibleEdges = 0 }

    /// One edge, in kernel order. A tachometer reads channel A only.
    public mutating func take(_ channel: Channel, rising: Bool, timestampNanoseconds: Int64) {
        newestEdgeTimestamp = timestampNanoseconds
        switch (sensor.isQuadrature, channel) {
        case (false, .b):
            impossibleEdges += 1  // a tachometer has one channel
        case (false, .a):
            if rising == levelA { impossibleEdges += 1 }
            levelA = rising
            count += 1
        case (true, .a):
            if rising == levelA {
                impossibleEdges += 1
                return  // its partner edge was lost: no step can be counted from it
            }
            levelA = rising
            count += levelA != levelB ? 1 : -1
        case (true, .b):
            if rising == levelB {
                impossibleEdges += 1
                return
            }
            levelB = rising
            count += levelA == levelB ? 1 : -1
        }
    }

    /// Takes every edge of two per-line buffers, merged in timestamp order (libgpiod 1.6 reads
    /// each line on its own descriptor; the kernel stamps both from one clock). Ties go to A.
    public mutating func take(
        a edgesA: borrowing [GPIOEdge], count countA: Int, b edgesB: borrowing [GPIOEdge], count countB: Int
    ) {
        precondition(countA >= 0 && countA <= edgesA.count, "edge count beyond the buffer (A)")
        precondition(countB >= 0 && countB <= edgesB.count, "edge count beyond the buffer (B)")
        var nextA = 0
        var nextB = 0
        while nextA < countA || nextB < countB {
            let takeA =
                nextB >= countB
                || (nextA < countA && edgesA[nextA].timestampNanoseconds <= edgesB[nextB].timestampNanoseconds)
            if takeA {
                take(.a, rising: edgesA[nextA].rising, timestampNanoseconds: edgesA[nextA].timestampNanoseconds)
                nextA += 1
            } else {
                take(.b, rising: edgesB[nextB].rising, timestampNanoseconds: edgesB[nextB].timestampNanoseconds)
                nextB += 1
            }
        }
    }
}
