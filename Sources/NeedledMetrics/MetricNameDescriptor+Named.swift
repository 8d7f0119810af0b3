import Prometheus

extension MetricNameDescriptor {
    /// A whole name (`needled_loop_ticks_total`, its unit already in it, as Prometheus'
    /// conventions write it) with its `# HELP` line.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
