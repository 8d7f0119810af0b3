public import NeedleCore
public import Synchronization

/// One tick as the flight recorder keeps it: what the loop read, what it decided, what it wrote.
/// Plain values only, so that writing one into the ring never allocates or counts references.
public struct FlightSample: Sendable, Equatable {
    public var tick: TickIndex
    public var phase: PenPhase
    public var inputs: PenInputs
    public var outputs: PenOutputs
    public var depth: Micrometres
    public var depthTarget: Micrometres
    public var speed: Hertz
    public var speedTarget: Hertz
    public var rampedSpeedSetpoint: Hertz

    public static let empty = FlightSample(
        tick: .zero, phase: .idle, inputs: PenInputs(), outputs: .safe, depth: .zero, depthTarget: .zero, speed: .zero,
        speedTarget: .zero, rampedSpeedSetpoint: .zero)
}

/// The window saved with a fault: the ticks that led to it, oldest first, ending with the tick in
/// which the fault latched.
public struct FlightWindow: Sendable {
    public var fault: Fault
    public var samples: [FlightSample]
}

/// The loop's flight recorder: the last `capacity` ticks (10 s at the configured rate) in a
/// preallocated ring, like an aircraft's. When a fault latches, the loop freezes the ring and
/// goes on recording into a second, preallocated one; the socket side copies the frozen window
/// out at its leisure and hands the buffer back. Nothing in the tick waits for that copy: if the
/// previous window has not been taken yet (two faults within a poll, which a latched fault and a
/// reset round trip rule out), the new window is counted in `windowsLost`, never waited for.
///
/// The loop thread calls `record` and `freeze`; one other thread calls `takeFrozenWindow`.
public final class FlightRecorder: @unchecked Sendable {
    public static let windowDuration = Nanoseconds.seconds(10)

    public let capacity: Int
    private let buffers: [UnsafeMutableBufferPointer<FlightSample>]
    // Owned by the loop thread.
    private var active = 0
    private var head = 0
    private var count = 0
    // The handoff: the loop writes these while `frozen` is false and then sets it (releasing);
    // the consumer reads them after seeing it true (acquiring) and clears it when done.
    private let frozen = Atomic<Bool>(false)
    private var frozenBuffer = 0
    private var frozenHead = 0
    private var frozenCount = 0
    private var frozenFault = Fault(code: .emergencyStop, tick: .zero)
    /// Fault windows that could not be kept because the previous one was still being taken.
    public let windowsLost = Atomic<Int64>(0)

    /// `window`: how much of the past a fault keeps (the daemon: `windowDuration`; the fault
    /// campaign, which counts windows and never reads them, a shorter one it need not fill).
    public init(tickPeriod: Nanoseconds, window: Nanoseconds = FlightRecorder.windowDuration) {
        precondition(window.rawValue >= tickPeriod.rawValue, "a flight window holds at least one tick")
        let capacity = Int(window.rawValue / tickPeriod.rawValue)
        self.capacity = capacity
        buffers = (0..<2).map { _ in
            let buffer = UnsafeMutableBufferPointer<FlightSample>.allocate(capacity: capacity)
            buffer.initialize(repeating: .empty)
            return buffer
        }
    }

    deinit {
        for buffer in buffers {
            buffer.deinitialize()
            buffer.deallocate()
        }
    }

    /// Loop thread, every tick.
    public func record(_ sample: FlightSample) {
        buffers[active][head] = sample
        head = head + 1 == capacity ? 0 : head + 1
        if count < capacity { count += 1 }
    }

    /// Loop thread, in the tick a fault latched (after `record`): hands the window over and
    /// starts the next one in the spare buffer.
    public func freeze(fault: Fault) {
        guard !frozen.load(ordering: .acquiring) else {
            windowsLost.add(1, ordering: .relaxed)
            return
        }
        frozenBuffer = active
        frozenHead = head
        frozenCount = count
        frozenFault = fault
        frozen.store(true, ordering: .releasing)
        active = 1 - active
        head = 0
        count = 0
    }

    /// Socket side: the frozen window, oldest tick first, or nil when there is none. Copying it
    /// out allocates, which is why it happens here and not in the tick.
    public func takeFrozenWindow() -> FlightWindow? {
        guard frozen.load(ordering: .acquiring) else { return nil }
        let buffer = buffers[frozenBuffer]
        let start = (frozenHead - frozenCount + capacity) % capacity
        var samples: [FlightSample] = []
        samples.reserveCapacity(frozenCount)
        for offset in 0..<frozenCount { samples.append(buffer[(start + offset) % capacity]) }
        let window = FlightWindow(fault: frozenFault, samples: samples)
        frozen.store(false, ordering: .releasing)
        return window
    }

    /// Socket side: whether a frozen window waits to be taken.
    public var hasFrozenWindow: Bool { frozen.load(ordering: .acquiring) }

    /// Socket side: gives the frozen buffer back without copying (benchmarks, which must not
    /// count the copy's allocations against the tick).
    public func discardFrozenWindow() {
        frozen.store(false, ordering: .releasing)
    }
}
