import CLoopWake
public import NeedleCore
package import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The stop's own way to the loop: no queue that a flood can fill, no slot to wait for. The
/// socket side counts a stop or an emergency stop up; the loop compares the counts with the
/// ones it handled, in every tick after the mailbox's commands (so a stop is the tick's last
/// word), applies what is new, and publishes the counts it handled with the phase they left.
/// Stops that arrive within one tick are one stop: stopping twice is stopping.
///
/// Many writers (every connection's stop), one reader (the loop); plain atomics, so the loop
/// neither allocates nor waits. A stop also wakes the loop from its sleep (an eventfd it sleeps
/// on beside its deadline): the loop runs a tick at once rather than at its next deadline, up to
/// a period later, so the motor is off within the wake-up of a real-time thread.
public final class StopLane: Sendable {
    private let emergencyStopsRequested = Atomic<UInt64>(0)
    private let stopsRequested = Atomic<UInt64>(0)
    private let emergencyStopsHandled = Atomic<UInt64>(0)
    private let stopsHandled = Atomic<UInt64>(0)
    /// The phase after the newest handled stop (`PenPhase.code`).
    private let phaseAfterStops = Atomic<UInt8>(0)
    /// CLOCK_MONOTONIC nanoseconds of the newest emergency stop's request (latency figures).
    private let newestEmergencyStopAt = Atomic<Int64>(0)

    /// Stops sent as a connection's first line, answered by the acceptor's thread
    /// (`SocketAcceptor`); and those the loop did not apply within 2 s (never seen: a figure for
    /// `daemon.info`, so that it would show).
    package let answeredAtAccept = Atomic<Int>(0)
    package let unansweredAtAccept = Atomic<Int>(0)

    /// Written by every stop, read by the loop's sleep; -1 if the kernel refused one (the stop
    /// then waits for the next deadline, as before).
    private let wakeDescriptor: Int32

    public init() {
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    deinit {
        if wakeDescriptor >= 0 { close(wakeDescriptor) }
    }

    public enum Kind: Sendable { case stop, emergencyStop }

    // MARK: The socket side

    /// Asks for a stop; returns the ticket whose handling `handled(_:)` reports.
    public func request(_ kind: Kind, at monotonicNanoseconds: Int64) -> UInt64 {
        switch kind {
        case .emergencyStop:
            newestEmergencyStopAt.store(monotonicNanoseconds, ordering: .relaxed)
            let ticket = emergencyStopsRequested.wrappingAdd(1, ordering: .releasing).newValue
            wakeTheLoop()
            return ticket
        case .stop:
            let ticket = stopsRequested.wrappingAdd(1, ordering: .releasing).newValue
            wakeTheLoop()
            return ticket
        }
    }

    private func wakeTheLoop() {
        guard wakeDescriptor >= 0 else { return }
        var one: UInt64 = 1
        // Non-blocking: a counter that is already non-zero means the loop is being woken anyway.
        _ = write(wakeDescriptor, &one, MemoryLayout<UInt64>.size)
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

    /// Sleeps until `deadline` (CLOCK_MONOTONIC nanoseconds) or a stop, whichever is first;
    /// true when a stop woke it. ppoll's timeout is exact for a real-time thread (no timer slack).
    func sleep(until deadline: Int64) -> Bool {
        guard wakeDescriptor >= 0 else {
            sleepUntil(monotonicNanoseconds: deadline)
            return false
        }
        while true {
            let left = deadline - monotonicNow()
            guard left > 0 else { return false }
            var timeout = timespec(tv_sec: Int(left / 1_000_000_000), tv_nsec: Int(left % 1_000_000_000))
            var descriptor = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = needled_ppoll(&descriptor, 1, &timeout)
            if ready > 0 {
                var count: UInt64 = 0
                _ = read(wakeDescriptor, &count, MemoryLayout<UInt64>.size)
                return true
            }
            if ready == 0 { return false }
            // EINTR: sleep on for what is left.
        }
    }

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
