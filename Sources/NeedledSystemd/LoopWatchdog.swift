import Foundation
public import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Pets systemd's watchdog only while the control loop really ticks: a thread of its own (not
/// the event loop, not the concurrency pool, either of which could be fine while the loop is
/// stuck) wakes every half interval, and sends WATCHDOG=1 only if the loop's tick counter moved
/// since the last look. A stuck or stopped loop stops the pings, and systemd kills and restarts
/// the daemon (which starts in `idle`: nothing resumes by itself).
public final class LoopWatchdog: Sendable {
    private let notifier: SystemdNotifier
    private let interval: Duration
    private let ticks: @Sendable () -> Int64
    private let stopped = Atomic<Bool>(false)
    /// Pings sent and pings withheld (the loop had not ticked), for tests and logs.
    public let pingsSent = Atomic<Int64>(0)
    public let pingsWithheld = Atomic<Int64>(0)

    public init(notifier: SystemdNotifier, interval: Duration, ticks: @escaping @Sendable () -> Int64) {
        self.notifier = notifier
        self.interval = interval
        self.ticks = ticks
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "needled-watchdog"
        thread.start()
    }

    public func stop() { stopped.store(true, ordering: .releasing) }

    private func run() {
        let (seconds, attoseconds) = (interval / 2).components
        let halfMicroseconds = UInt32(clamping: seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
        var lastTicks = ticks()
        while !stopped.load(ordering: .acquiring) {
            usleep(max(1000, halfMicroseconds))
            let now = ticks()
            if now != lastTicks {
                notifier.notify("WATCHDOG=1")
                pingsSent.add(1, ordering: .relaxed)
            } else {
                pingsWithheld.add(1, ordering: .relaxed)
            }
            lastTicks = now
        }
    }
}
