import Logging
import NeedledConfig
import NeedledMetrics
import NeedledServer
import ServiceLifecycle

/// The metrics as a service of the group: the loop's timing drained into the histograms for
/// the daemon's life, and with `[metrics] listen` the HTTP listener, bound at assembly (an
/// address in use stops the start, exit 69) and closed at shutdown.
struct MetricsAssembly: Service {
    let service: PenService
    let listener: MetricsHTTPServer?
    let logger: Logger

    init(settings: MetricsSettings?, service: PenService, logger: Logger) throws {
        self.service = service
        self.logger = logger
        guard let settings else {
            listener = nil
            return
        }
        do {
            listener = try MetricsHTTPServer(host: settings.host, port: settings.port) { service.metricsText() }
        } catch {
            throw DaemonError.metricsUnavailable("metrics.listen \(settings.listen): cannot listen there: \(error)")
        }
        logger.info("metrics served", metadata: ["listen": "\(settings.listen)", "path": "/metrics"])
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { await service.runMetrics() }
        await listener?.close()
    }
}
