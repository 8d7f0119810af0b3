/// Something that happened in the core that the outside world should hear of: the API's
/// `event` notifications and the treatment record are built from these.
public enum PenEvent: Sendable, Equatable {
    case stateChanged(from: PenPhase, to: PenPhase, tick: TickIndex)
    case faultLatched(Fault)
    case homed(tick: TickIndex)
    /// An armed pen was not started within the arm timeout and disarmed itself.
    case armTimedOut(tick: TickIndex)
    /// The cartridge left the slot; its use in the session ended.
    case cartridgeRemoved(tick: TickIndex)
    case sessionOpened(area: TreatmentArea, tick: TickIndex)
    case sessionClosed(tick: TickIndex)
    case cartridgeAccepted(tick: TickIndex)
}

/// The events of one tick (and of the commands handled just before it), in fixed storage so
/// that producing them never allocates. Overflow is counted, never silent.
public struct EventBuffer: Sendable, Equatable {
    public static let capacity = 16

    private var storage: InlineArray<16, PenEvent>
    public private(set) var count: Int = 0
    /// Events that did not fit; the shell records the gap.
    public private(set) var droppedCount: Int = 0

    public init() {
        storage = InlineArray(repeating: .sessionClosed(tick: .zero))
    }

    mutating func append(_ event: PenEvent) {
        guard count < Self.capacity else {
            droppedCount += 1
            return
        }
        storage[count] = event
        count += 1
    }

    mutating func removeAll() {
        count = 0
        droppedCount = 0
    }

    public subscript(index: Int) -> PenEvent {
        precondition(index >= 0 && index < count, "event index out of range")
        return storage[index]
    }

    public var isEmpty: Bool { count == 0 }

    /// A copy as an array, for tests and the socket side (allocates; never call in the tick).
    public var events: [PenEvent] { (0..<count).map { storage[$0] } }

    public static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && a.droppedCount == b.droppedCount && (0..<a.count).allSatisfy { a[$0] == b[$0] }
    }
}
