import Foundation
import NeedledLoop
import Synchronization
import Testing

/// The loop's single-producer, single-consumer ring: what one thread pushes, the other pops, all
/// of it, once, in order, intact, whether the ring is nearly empty or full all the time.
@Suite("SPSCRing")
struct SPSCRingTests {
    /// An element whose two halves say whether it was copied whole: `check` is derived from
    /// `sequence`, so a slot read while being written, or read twice, shows.
    struct Probe: Sendable, Equatable {
        var sequence: Int
        var check: Int
        init(_ sequence: Int) {
            self.sequence = sequence
            check = sequence &* 0x9E37_79B9 ^ 0x5555
        }
        static let filler = Probe(-1)
        var whole: Bool { check == Probe(sequence).check }
    }

    @Test("One thread alone: full at capacity (push says false, the ring unchanged), empty at zero, first in first out")
    func fullAndEmpty() {
        let ring = SPSCRing(capacity: 3, filler: Probe.filler)
        #expect(ring.pop() == nil)
        for sequence in 0..<3 { #expect(ring.push(Probe(sequence))) }
        #expect(ring.count == 3)
        #expect(!ring.push(Probe(3)), "a fourth element in a ring of three")
        #expect(ring.count == 3)
        #expect(ring.pop() == Probe(0))
        #expect(ring.push(Probe(3)))
        #expect((0..<3).map { _ in ring.pop()?.sequence } == [1, 2, 3])
        #expect(ring.pop() == nil)
        #expect(ring.count == 0)
    }

    @Test(
        "Two threads: a million elements arrive all, once, in order and whole, through rings small and large",
        arguments: [1, 2, 7, 64, 1024])
    func twoThreads(capacity: Int) {
        let total = 1_000_000
        let ring = SPSCRing(capacity: capacity, filler: Probe.filler)
        let producerSide = ProducerSide()
        let producer = Thread {
            var sequence = 0
            var full = 0
            while sequence < total {
                if ring.push(Probe(sequence)) { sequence += 1 } else { full += 1 }
            }
            producerSide.fullSeen.store(full, ordering: .relaxed)
            producerSide.finished.signal()
        }
        producer.start()
        var expected = 0
        var outOfOrder: [String] = []
        var torn = 0
        var emptySeen = 0
        var countsOutOfRange = 0
        while expected < total {
            guard let probe = ring.pop() else {
                emptySeen += 1
                continue
            }
            if !probe.whole { torn += 1 }
            if probe.sequence != expected && outOfOrder.count < 5 {
                outOfOrder.append("expected \(expected), got \(probe.sequence)")
            }
            expected = probe.sequence + 1
            if !(0...capacity).contains(ring.count) { countsOutOfRange += 1 }
        }
        producerSide.finished.wait()
        #expect(outOfOrder.isEmpty, "\(outOfOrder)")
        #expect(torn == 0, "\(torn) elements read while being written")
        #expect(ring.pop() == nil, "more came out than went in")
        #expect(countsOutOfRange == 0)
        // Both sides met the other's edge: the test ran the ring full and empty, not one-sided.
        #expect(emptySeen > 0)
        if capacity < 64 { #expect(producerSide.fullSeen.load(ordering: .relaxed) > 0) }
    }

    /// What the producer thread leaves for the test: how often it found the ring full, and that it is done.
    final class ProducerSide: Sendable {
        let fullSeen = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)
    }
}
