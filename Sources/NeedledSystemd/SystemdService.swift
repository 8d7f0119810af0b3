package import Logging
package import NeedledLoop
import ServiceLifecycle
import Synchronization

/// The daemon's side of systemd's `Type=notify` and `WatchdogSec=`: READY=1 once the socket
/// accepts and the loop ticks, readable STATUS= lines, the loop watchdog, STOPPING=1 at shutdown.
/// Outside systemd it only waits for shutdown.
package final class SystemdService: Service, Sendable {
    let notifier: SystemdNotifier
    let channels: LoopChannels
    let isListening: @Sendable () -> Bool
    let logger: Logger
    let summary: @Sendable () -> String

    package init(
        notifier: SystemdNotifier, channels: LoopChannels, isListening: @escaping @Sendable () -> Bool, logger: Logger,
        summary: @escaping @Sendable () -> String
    ) {
        self.notifier = notifier
        self.channels = channels
        self.isListening = isListening
        self.logger = logger
        self.summary = summary
    }

    package func run() async throws {
        while !(isListening() && channels.ticks.load(ordering: .relaxed) > 0) {
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            try? await Task.sleep(for: .milliseconds(2))
        }
        notifier.notify("READY=1\nSTATUS=Ready: \(summary())")
        var watchdog: LoopWatchdog?
        if notifier.isActive, let interval = SystemdNotifier.watchdogInterval() {
            let channels = self.channels
            let started = LoopWatchdog(notifier: notifier, interval: interval) {
                channels.ticks.load(ordering: .relaxed)
            }
            started.start()
            watchdog = started
            logger.info("systemd watchdog: pinged every \(interval / 2) while the loop ticks")
        }
        if notifier.isActive { logger.info("told systemd: ready") }
        await withGracefulShutdownHandler {
            var last = ""
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let line = summary()
                if line != last {
                    notifier.notify("STATUS=\(line)")
                    last = line
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        } onGracefulShutdown: {
            self.notifier.notify("STOPPING=1\nSTATUS=Stopping: motor off, outputs safe")
        }
        watchdog?.stop()
    }
}
