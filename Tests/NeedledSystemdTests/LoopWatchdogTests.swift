import Foundation
import NeedledSystemd
import Synchronization
import Testing

@Suite("Loop watchdog")
struct LoopWatchdogTests {
    @Test("A loop whose tick counter does not move gets no watchdog pings; one that ticks does")
    func pingsOnlyWhileTicking() async throws {
        let notifier = SystemdNotifier(environment: [:])
        let stuck = LoopWatchdog(notifier: notifier, interval: .milliseconds(40)) { 42 }
        let counter = Atomic<Int64>(0)
        let ticking = LoopWatchdog(notifier: notifier, interval: .milliseconds(40)) {
            counter.add(1, ordering: .relaxed).newValue
        }
        stuck.start()
        ticking.start()
        // Until each has had five chances to ping (40 ms apart), at most 5 s on a loaded host.
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline,
            stuck.pingsWithheld.load(ordering: .relaxed) < 5 || ticking.pingsSent.load(ordering: .relaxed) < 5
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        stuck.stop()
        ticking.stop()
        #expect(stuck.pingsSent.load(ordering: .relaxed) == 0)
        #expect(stuck.pingsWithheld.load(ordering: .relaxed) >= 5)
        #expect(ticking.pingsSent.load(ordering: .relaxed) >= 5)
        #expect(ticking.pingsWithheld.load(ordering: .relaxed) == 0)
    }

    @Test("WATCHDOG_USEC is honoured only for this process (WATCHDOG_PID)")
    func interval() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "5000000"]) == .seconds(5))
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "5000000", "WATCHDOG_PID": "1"]) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: [:]).notify("READY=1") == false)
    }
}
