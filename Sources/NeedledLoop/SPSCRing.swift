import Synchronization

/// A bounded single-producer, single-consumer ring with preallocated slots: `push` and `pop`
/// never allocate, never lock and never wait. `push` returns false when full, so the producer
/// decides what "full" means (tell the client "busy", count a dropped snapshot); nothing is
/// dropped silently.
///
/// One thread may push and one (other) thread may pop. The element should be a plain value
/// (no references) so that copying it in and out does no reference counting.
public final class SPSCRing<Element: Sendable>: @unchecked Sendable {
    public let capacity: Int
    private let slots: UnsafeMutablePointer<Element>
    private let head = Atomic<Int>(0)  // next slot to pop; written by the consumer
    private let tail = Atomic<Int>(0)  // next slot to push; written by the producer

    public init(capacity: Int, filler: Element) {
        precondition(capacity > 0 && capacity <= 1 << 20, "ring capacity out of range")
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: filler, count: capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
    }

    /// Producer side. False when the ring is full.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let tailNow = tail.load(ordering: .relaxed)
        let headNow = head.load(ordering: .acquiring)
        guard tailNow - headNow < capacity else { return false }
        slots[tailNow % capacity] = element
        tail.store(tailNow + 1, ordering: .releasing)
        return true
    }

    /// Consumer side. Nil when the ring is empty.
    public func pop() -> Element? {
        let headNow = head.load(ordering: .relaxed)
        let tailNow = tail.load(ordering: .acquiring)
        guard headNow < tailNow else { return nil }
        let element = slots[headNow % capacity]
        head.store(headNow + 1, ordering: .releasing)
        return element
    }

    public var count: Int { tail.load(ordering: .acquiring) - head.load(ordering: .acquiring) }
}
