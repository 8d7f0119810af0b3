public import NeedleCore
import Synchronization

/// The stop's own way to the loop: no queue that a flood can fill, no slot to wait for. The
/// socket side counts a stop or an emergency stop up; the loop compares the counts with the
/// ones it handled, in every tick after the mailbox's commands (so a stop is the tick's last
/// word), applies what is new, and publishes the counts it handled with the phase they left.
/// Stops that arrive within one tick are one stop: stopping twice is stopping.
///
/// Many writers (every connection's stop), one reader (the loop); plain atomics, so the loop
/// neither allocates nor waits.
public final class StopLane: Sendable {
    private let emergencyStopsRequested = Atomic<UInt64>(0)
    private let stopsRequested = Atomic<UInt64>(0)
    private let emergencyStopsHandled = Atomic<UInt64>(0)
    private let stopsHandled = Atomic<UInt64>(0)
    /// The phase after the newest handled stop (`PenPhase.code`).
    private let phaseAfterStops = Atomic<UInt8>(0)
    /// CLOCK_MONOTONIC nanoseconds of the newest emergency stop's request (latency figures).
    private let newestEmergencyStopAt = Atomic<Int64>(0)

    public init() {}

    public enum Kind: Sendable { case stop, emergencyStop }

    // MARK: The socket side

    /// Asks for a stop; returns the ticket whose handling `handled(_:)` reports.
    public func request(_ kind: Kind, at monotonicNanoseconds: Int64) -> UInt64 {
        switch kind {
        case .emergencyStop:
            newestEmergencyStopAt.store(monotonicNanoseconds, ordering: .relaxed)
            return emergencyStopsRequested.wrappingAdd(1, ordering: .releasing).newValue
        case .stop:
            return stopsRequested.wrappingAdd(1, ordering: .releasing).newValue
        }
    }

    /// The phase the loop left the pen in, once the stop with this ticket was applied; nil
    /// while it waits for its tick.
    public func handled(_ kind: Kind, ticket: UInt64) -> PenPhase? {
        let handled =
            switch kind {
            case .emergencyStop: emergencyStopsHandled.load(ordering: .acquiring)
            case .stop: stopsHandled.load(ordering: .acquiring)
            }
        guard handled >= ticket else { return nil }
        return PenPhase(code: phaseAfterStops.load(ordering: .relaxed))
    }

    // MARK: The loop

    /// What is new since the loop last took: whether an emergency stop or a stop is asked for,
    /// with the counts to publish once they are applied.
    func take(
        after handled: (emergency: UInt64, stop: UInt64)
    ) -> (
        emergency: UInt64, stop: UInt64, emergencySentAt: Int64
    ) {
        let emergency = emergencyStopsRequested.load(ordering: .acquiring)
        let stop = stopsRequested.load(ordering: .acquiring)
        let sentAt = emergency != handled.emergency ? newestEmergencyStopAt.load(ordering: .relaxed) : 0
        return (emergency, stop, sentAt)
    }

    /// The counts applied, and the phase they left (stored before the counts: a reader that
    /// sees a count sees its phase).
    func publish(emergency: UInt64, stop: UInt64, phase: PenPhase) {
        phaseAfterStops.store(phase.code, ordering: .relaxed)
        emergencyStopsHandled.store(emergency, ordering: .releasing)
        stopsHandled.store(stop, ordering: .releasing)
    }
}
