import Logging
import NIOCore
import NeedledConfig
import NeedledLoop
import NeedledServer
import NeedledSystemd
import ServiceLifecycle
import UnixSignals

/// SIGHUP (and `systemctl reload`) reloads the configuration file: validated first; an invalid
/// file keeps the running configuration and logs each error with its line. Limits go to the loop
/// (stricter at once, looser when the pen is at rest); other settings need a restart, and say so.
final class ReloadService: Service, Sendable {
    let path: String?
    let running: DaemonConfiguration
    let service: PenService
    let notifier: SystemdNotifier
    let logger: Logger

    init(path: String?, running: DaemonConfiguration, service: PenService, notifier: SystemdNotifier, logger: Logger) {
        self.path = path
        self.running = running
        self.service = service
        self.notifier = notifier
        self.logger = logger
    }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() {
                await reload()
            }
        } onGracefulShutdown: {
        }
    }

    private func reload() async {
        guard let path else {
            logger.warning("reload: no configuration file was given (--config); the built-in defaults stay")
            return
        }
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(monotonicNow() / 1000)")
        defer { notifier.notify("READY=1") }
        let loaded: DaemonConfiguration
        do {
            loaded = try ConfigurationLoader.load(path: path)
        } catch {
            for line in error.errors {
                logger.error("reload refused, the running configuration stays: \(line)")
            }
            return
        }
        do {
            let pending = try await service.reloadLimits(loaded.pen.limits, from: loaded.source).get().pending
            logger.notice(
                pending
                    ? "reload: stricter limits in force now; the looser ones wait until the pen is at rest (idle or ready, no session open)"
                    : "reload: the limits from \(path) are in force")
        } catch {
            logger.error("reload: the loop did not take the limits: \(error)")
        }
        if loaded.backend != running.backend || loaded.gpio != running.gpio || loaded.realtime != running.realtime
            || loaded.pen.tickPeriod != running.pen.tickPeriod || loaded.needleCount != running.needleCount
            || loaded.simulatorSeed != running.simulatorSeed
        {
            logger.warning("reload: settings other than [limits] changed; they take effect at the next restart")
        }
    }
}
