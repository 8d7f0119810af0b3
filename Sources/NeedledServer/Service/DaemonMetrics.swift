import Foundation
import NeedledLoop
import NeedledMetrics

/// The daemon's metrics, one registry: the pen's series, the loop's timing histograms and the
/// process's own. Made with the service; read by `PenService.metricsText`.
struct DaemonMetrics: Sendable {
    let pen: PenMetrics
    let timing: LoopTimingHistograms
    let process: ProcessMetrics

    init(channels: LoopChannels, version: String, backend: String) {
        pen = PenMetrics(version: version, backend: backend)
        timing = LoopTimingHistograms(channels: channels, registry: pen.registry)
        process = ProcessMetrics(registry: pen.registry, startTimeSeconds: Date().timeIntervalSince1970)
    }
}
