import CLoopWake
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// How the loop tells the socket side it has published something a client waits for (a reply, an
/// event, a stop applied), so that the event loop runs when there is work instead of polling the
/// rings every millisecond (5.4 % of a core idle, most of it the event loop's).
///
/// The loop's side, `signal()`, is real-time safe: an atomic exchange, and a `write(2)` to an
/// eventfd only when no signal is pending (an eventfd's write takes a spinlock, never a lock a
/// sleeping thread holds, unlike a pipe's). The socket side's waiter thread blocks in `wait()`.
public final class PublicationSignal: Sendable {
    /// -1 if the kernel refused one: `signal` is then a no-op and the socket side falls back to
    /// its housekeeping period.
    private let descriptor: Int32
    private let pending = Atomic<Bool>(false)
    private let closing = Atomic<Bool>(false)

    public init() {
        descriptor = eventfd(0, Int32(EFD_CLOEXEC))
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    public var isAvailable: Bool { descriptor >= 0 }

    /// Rung and not yet waited for.
    public var isSignalled: Bool { pending.load(ordering: .acquiring) }

    /// The loop thread, after it pushed what the socket side waits for. One write per wake: a
    /// signal already pending will be seen by the waiter's next drain, which comes after it.
    public func signal() {
        guard descriptor >= 0, !pending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// The waiter thread: blocks until a signal, then clears it, so that a publication after this
    /// returns signals again (and one before it is drained by the caller's next poll). False once
    /// `stopWaiting()` was called.
    public func wait() -> Bool {
        guard descriptor >= 0 else { return false }
        var count: UInt64 = 0
        while read(descriptor, &count, MemoryLayout<UInt64>.size) < 0 && errno == EINTR {}
        pending.store(false, ordering: .releasing)
        return !closing.load(ordering: .acquiring)
    }

    /// Ends the waiter: its `wait()` returns false.
    public func stopWaiting() {
        closing.store(true, ordering: .releasing)
        guard descriptor >= 0 else { return }
        var one: UInt64 = 1
        _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
    }
}
