import ArgumentParser
import Foundation
import NeedledRPC

/// `needlectl metrics`: the daemon's Prometheus metrics over the socket, for a host that opens
/// no port: printed, or written whole into node_exporter's textfile collector directory.
struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the daemon's metrics in Prometheus' text format (what [metrics] listen serves).",
        discussion:
            "With --output, the text is written to a temporary file beside PATH and renamed onto it, so node_exporter's textfile collector never reads half a file (PATH must end in .prom)."
    )
    @OptionGroup var connection: Connection
    @Option(
        name: .long,
        help: ArgumentHelp("Write the metrics to this file (atomically) instead of printing them.", valueName: "PATH"))
    var output: String?

    func validate() throws {
        if let output, !output.hasSuffix(".prom") {
            throw ValidationError(
                "--output \(output): node_exporter's textfile collector reads only files ending in .prom.")
        }
    }

    func run() throws {
        guard let output else {
            try connection.perform(.daemonMetrics) { (metrics: MetricsTextResult) in
                metrics.text.hasSuffix("\n") ? String(metrics.text.dropLast()) : metrics.text
            }
            return
        }
        let metrics = try connection.result(.daemonMetrics, as: MetricsTextResult.self)
        let temporary = output + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(metrics.text.utf8)),
            rename(temporary, output) == 0
        else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            FileHandle.standardError.write(Data("needlectl: cannot write \(output): \(reason).\n".utf8))
            throw ExitCode(73)  // EX_CANTCREAT
        }
    }
}
