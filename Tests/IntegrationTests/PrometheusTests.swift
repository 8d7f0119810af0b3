import Foundation
import NeedledRPC
import TestSupport
import Testing

/// Two simulated pens (the real daemon each, `[metrics] listen`) scraped every second by the real
/// Prometheus (Debian's), with the alerting rules of contrib/prometheus loaded: both pens' series
/// found through Prometheus' HTTP API, a fault injected on one counted there and its alert
/// firing, the wake-up latency's p99 by PromQL next to `daemon.stats`' own, and `promtool check
/// metrics` on `needlectl metrics`' text.
@Suite("Metrics: two pens scraped by the real Prometheus", .serialized)
struct PrometheusTests {
    @Test("Both pens' series in Prometheus; a fault counted on its pen and alerted; PromQL's p99 near daemon.stats'")
    func twoPensScraped() throws {
        let ports = try (0..<3).map { _ in try Self.freePort() }
        let pens = try ports.prefix(2).map { port in
            try DaemonProcess(config: "[metrics]\nlisten = \"127.0.0.1:\(port)\"\n")
        }
        let prometheus = try PrometheusProcess(port: ports[2], targets: ports.prefix(2).map { "127.0.0.1:\($0)" })
        defer { prometheus.stop() }
        let (a, b) = (pens[0], pens[1])
        let instanceA = "127.0.0.1:\(ports[0])"
        let instanceB = "127.0.0.1:\(ports[1])"

        // Both pens up and their series in Prometheus.
        let up = try prometheus.waitFor("up", seconds: 30) { $0.count == 2 && $0.allSatisfy { $0.value == 1 } }
        #expect(Set(up.map(\.instance)) == [instanceA, instanceB], "\(prometheus.log)")
        let ticks = try prometheus.waitFor("needled_loop_ticks_total", seconds: 10) { $0.count == 2 }
        #expect(ticks.allSatisfy { $0.value > 0 })

        // A fault on pen A: counted there by its code, not on pen B, and its alert firing.
        _ = try a.call("sim.injectFault", .object([("fault", "driverFault")]))
        try a.waitFor { $0["state"] == "fault" }
        let faults = try prometheus.waitFor(#"needled_faults_latched_total{code="motorDriverFault"}"#, seconds: 10) {
            $0.count == 2 && $0.contains { $0.instance == instanceA && $0.value == 1 }
        }
        #expect(faults.first { $0.instance == instanceB }?.value == 0)
        let alerts = try prometheus.waitFor(#"ALERTS{alertname="NeedledPenFaulted",alertstate="firing"}"#, seconds: 10)
        {
            !$0.isEmpty
        }
        #expect(alerts.map(\.instance) == [instanceA])

        // The p99 of the wake-up latency: PromQL over the cumulative buckets next to the loop's
        // own 1 µs histogram, both since start (a scrape at most a second older).
        let stats = try a.call("daemon.stats")
        let p99 = try #require(stats["wakeupLatencyMicroseconds"]?["p99"]?.number)
        let promQL = try #require(
            prometheus.waitFor(
                #"histogram_quantile(0.99, needled_loop_wakeup_latency_seconds_bucket{instance="\#(instanceA)"})"#,
                seconds: 5
            ) { $0.count == 1 }.first?.value)
        let edges =
            [0] + [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100, 125, 150, 200, 250, 300, 400, 500, 750]
            + [1_000, 2_000, 5_000, 10_000]
        let bucket = edges.firstIndex { Double($0) >= p99 } ?? edges.count - 1
        let (low, high) = (Double(edges[max(0, bucket - 2)]), Double(edges[min(edges.count - 1, bucket + 1)]))
        print("FIGURE wake-up p99: daemon.stats \(p99) µs, PromQL \(promQL * 1e6) µs (allowed \(low)–\(high) µs)")
        #expect(promQL * 1e6 >= low && promQL * 1e6 <= high)

        // Every expression of the shipped dashboard is one this Prometheus evaluates, and those
        // on series every pen has answer for both pens.
        let dashboard = try #require(
            JSONValue.parse(
                Array(
                    try Data(
                        contentsOf: SpawnedProcess.repository.appendingPathComponent(
                            "contrib/grafana/needled-dashboard.json")))))
        guard case .array(let panels)? = dashboard["panels"] else {
            Issue.record("the dashboard has no panels")
            return
        }
        var expressions: [String] = []
        for panel in panels {
            guard case .array(let targets)? = panel["targets"] else { continue }
            for target in targets {
                if case .string(let expression)? = target["expr"] {
                    expressions.append(expression.replacingOccurrences(of: "$instance", with: ".*"))
                }
            }
        }
        #expect(expressions.count >= 16)
        for expression in expressions {
            #expect(try prometheus.evaluates(expression), "the dashboard's \(expression) does not evaluate")
        }
        #expect(try prometheus.query(#"needled_pen_depth_target_metres{instance=~".*"}"#).count == 2)

        // A cartridge the session will not take is counted by its reason, and the answer by its
        // method and outcome; a pen command refused is a refused command only.
        let refused = try b.error("session.open", .object([("area", "cheeks"), ("cartridge", "NOT-THE-ONE")]))
        #expect(refused?.code == RPCError.cartridgeRejectedCode)
        #expect(try b.error("pen.start")?.code == RPCError.invalidStateCode)
        let textB = try SpawnedProcess.run(DaemonProcess.binary("needlectl"), ["--socket", b.socketPath, "metrics"])
        #expect(textB.output.contains("needled_cartridges_refused_total{reason=\"unknown\"} 1\n"), "\(textB.output)")
        #expect(
            textB.output.contains(
                "needled_rpc_requests_total{method=\"session.open\",outcome=\"cartridgeRejected\"} 1\n"))
        #expect(textB.output.contains("needled_rpc_requests_total{method=\"pen.start\",outcome=\"invalidState\"} 1\n"))
        #expect(!textB.output.contains("needled_faults_latched_total{code=\"motorDriverFault\"} 1"))

        // What needlectl prints is what Prometheus' own linter accepts.
        let text = try SpawnedProcess.run(DaemonProcess.binary("needlectl"), ["--socket", a.socketPath, "metrics"])
        #expect(text.code == 0, "\(text.errors)")
        let file = NSTemporaryDirectory() + "needled-metrics-\(UUID().uuidString.prefix(8)).prom"
        try text.output.write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let lint = try SpawnedProcess.run("/bin/sh", ["-c", "promtool check metrics < \(file)"])
        #expect(lint.code == 0, "\(lint.output)\(lint.errors)")
        #expect(text.output.contains("needled_faults_latched_total{code=\"motorDriverFault\"} 1\n"))
        for pen in pens { #expect(pen.stop() == 0) }
    }

    @Test("An address in use stops the start, saying where and why")
    func addressInUse() throws {
        let port = try Self.freePort()
        let first = try DaemonProcess(config: "[metrics]\nlisten = \"127.0.0.1:\(port)\"\n")
        defer { _ = first.stop() }
        do {
            let second = try DaemonProcess(config: "[metrics]\nlisten = \"127.0.0.1:\(port)\"\n")
            _ = second.stop()
            Issue.record("a second daemon started on a metrics address in use")
        } catch DaemonFailure.exited(let log) {
            #expect(log.contains("cannot start: metrics.listen 127.0.0.1:\(port): cannot listen there:"), "\(log)")
            #expect(log.contains("Address already in use"), "\(log)")
        }
    }

    /// A port the kernel has just given out and taken back (the daemon binds it a moment later).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Debian's Prometheus on a temporary directory: scraping the targets every second, evaluating
/// contrib/prometheus's rules every second, asked through its HTTP API with curl.
final class PrometheusProcess {
    let directory: String
    let port: Int
    let pid: pid_t

    struct Sample {
        var instance: String
        var value: Double
    }

    init(port: Int, targets: [String]) throws {
        directory = NSTemporaryDirectory() + "prometheus-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.port = port
        let rules = SpawnedProcess.repository.appendingPathComponent("contrib/prometheus/needled-alerts.yml").path
        let configuration = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - \(rules)
            scrape_configs:
              - job_name: needled
                static_configs:
                  - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]

            """
        try configuration.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        pid = try SpawnedProcess.start(
            "/usr/bin/prometheus",
            [
                "--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                "--web.listen-address=127.0.0.1:\(port)",
            ],
            outputPath: directory + "/prometheus.out", errorsPath: directory + "/prometheus.log")
    }

    var log: String { (try? String(contentsOfFile: directory + "/prometheus.log", encoding: .utf8)) ?? "" }

    /// An instant query's vector: each series' instance and value (empty while Prometheus is
    /// not yet answering).
    func query(_ promQL: String) throws -> [Sample] {
        let answer = try SpawnedProcess.run(
            "/usr/bin/curl",
            [
                "-s", "--max-time", "5", "--get", "--data-urlencode", "query=\(promQL)",
                "http://127.0.0.1:\(port)/api/v1/query",
            ])
        guard answer.code == 0, let json = JSONValue.parse(Array(answer.output.utf8)),
            json["status"] == "success", case .array(let results)? = json["data"]?["result"]
        else { return [] }
        return results.compactMap { result in
            guard case .string(let instance)? = result["metric"]?["instance"],
                case .array(let pair)? = result["value"], pair.count == 2, case .string(let text) = pair[1],
                let value = Double(text)
            else { return nil }
            return Sample(instance: instance, value: value)
        }
    }

    /// Whether Prometheus evaluates `promQL` (an empty answer is still an answer).
    func evaluates(_ promQL: String) throws -> Bool {
        let answer = try SpawnedProcess.run(
            "/usr/bin/curl",
            [
                "-s", "--max-time", "5", "--get", "--data-urlencode", "query=\(promQL)",
                "http://127.0.0.1:\(port)/api/v1/query",
            ])
        return answer.code == 0 && JSONValue.parse(Array(answer.output.utf8))?["status"] == "success"
    }

    /// Asks again every 200 ms until `condition` holds or `seconds` pass (Prometheus scrapes and
    /// evaluates every second): the last answer.
    func waitFor(_ promQL: String, seconds: Double, _ condition: ([Sample]) -> Bool) throws -> [Sample] {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try query(promQL)
        while !condition(last) && Date() < deadline {
            usleep(200_000)
            last = try query(promQL)
        }
        return last
    }

    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        try? FileManager.default.removeItem(atPath: directory)
    }
}
