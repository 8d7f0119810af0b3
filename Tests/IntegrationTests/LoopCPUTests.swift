import Foundation
import Testing

/// `[daemon] cpu`: the loop thread runs on that CPU alone, the daemon's other threads elsewhere
/// (read from the kernel: /proc/PID/task/*/status). Needs two CPUs, as every CI machine has.
@Suite("The loop's own CPU")
struct LoopCPUTests {
    static let twoCPUs = sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2

    @Test("cpu = 1: needled-loop on CPU 1, every other thread off it", .enabled(if: twoCPUs))
    func loopAloneOnItsCPU() throws {
        let daemon = try DaemonProcess(config: "[daemon]\ncpu = 1\n")
        #expect(daemon.waitForLog("CPU 1 (the loop's alone:"), "the start-up report: \(daemon.log)")
        let tasks = "/proc/\(daemon.process.processIdentifier)/task"
        var loopCPUs: String?
        var others: [String: String] = [:]
        for task in try FileManager.default.contentsOfDirectory(atPath: tasks) {
            let name = try String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let status = try String(contentsOfFile: "\(tasks)/\(task)/status", encoding: .utf8)
            let cpus =
                status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
                .map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) } ?? "?"
            if name == "needled-loop" { loopCPUs = cpus } else { others["\(name) (\(task))"] = cpus }
        }
        #expect(loopCPUs == "1")
        #expect(!others.isEmpty)
        for (thread, cpus) in others {
            #expect(!Self.cpuList(cpus).contains(1), "\(thread) may run on \(cpus)")
        }
    }

    /// "0", "0,2-3" → the CPU numbers.
    static func cpuList(_ text: String) -> Set<Int> {
        var cpus = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            if bounds.count == 2 {
                cpus.formUnion(bounds[0]...bounds[1])
            } else if let one = bounds.first {
                cpus.insert(one)
            }
        }
        return cpus
    }
}
