import Glibc
public import Prometheus

/// The process's own series, as Prometheus' client libraries name them: resident memory (from
/// /proc/self/statm at each scrape) and the start time.
public struct ProcessMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    /// Seconds since the epoch when the daemon started.
    private let startTimeSeconds: Double

    public init(registry: PrometheusCollectorRegistry, startTimeSeconds: Double) {
        self.registry = registry
        self.startTimeSeconds = startTimeSeconds
    }

    public func publish() {
        registry.makeGauge(
            descriptor: MetricNameDescriptor.named(
                "process_start_time_seconds", help: "Start time of the process since the epoch.")
        ).set(startTimeSeconds)
        if let pages = Self.field(of: "/proc/self/statm", at: 1) {
            registry.makeGauge(
                descriptor: MetricNameDescriptor.named(
                    "process_resident_memory_bytes", help: "Resident memory size in bytes.")
            ).set(Double(pages) * Double(sysconf(Int32(_SC_PAGESIZE))))
        }
    }

    /// The `index`th space-separated number of a /proc file, counted from 0.
    static func field(of path: String, at index: Int) -> Int64? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(whereSeparator: {
            $0 == " " || $0 == "\n"
        })
        guard index < fields.count else { return nil }
        return Int64(fields[index])
    }
}
