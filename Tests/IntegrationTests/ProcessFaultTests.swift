import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// Process faults around the daemon: its socket path taken (by a file, by a live daemon) or
/// left stale by a killed one. Each ends safe with a clear message, and a running daemon is
/// never displaced. (Killed at random moments: CrashCampaignTests; records that cannot be
/// written: RecordsTests and FlightRecorderTests; the GPIO chip removed: Scripts/test-gpio-sim.)
@Suite("Process faults")
struct ProcessFaultTests {
    func scratch() throws -> URL {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "needled-process-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("A file at the socket path is left alone; needled refuses to start and says what is there (exit 69)")
    func fileAtSocketPath() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("needled.sock").path
        try "notes".write(toFile: path, atomically: true, encoding: .utf8)
        let (code, output, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needled"),
            ["--socket", path, "--state-dir", directory.appendingPathComponent("state").path])
        #expect(code == 69)
        #expect(
            (output + errors).contains(
                "cannot start: \(path) is a file that is not a socket; needled will not remove it. Remove it yourself, or give --socket another path."
            ))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "notes", "the file was touched")
    }

    @Test("A second needled on a live socket refuses to start; the first keeps the pen")
    func secondDaemon() throws {
        let first = try DaemonProcess()
        _ = try first.call("pen.home")
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (code, output, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needled"),
            ["--socket", first.socketPath, "--state-dir", directory.appendingPathComponent("state").path])
        #expect(code == 69)
        #expect(
            (output + errors).contains(
                "another program is already listening at \(first.socketPath) (another needled?); stop it first")
        )
        let state = try first.status()["state"]
        #expect(state == "homing" || state == "ready", "the first daemon lost its socket: \(state?.serialized ?? "-")")
    }

    @Test("A stale socket left by a killed needled is replaced; the records carry on")
    func staleSocket() throws {
        let first = try DaemonProcess()
        first.killHard()
        #expect(FileManager.default.fileExists(atPath: first.socketPath), "SIGKILL should leave the socket file")
        let second = try DaemonProcess(stateDirectory: first.stateDirectory, socketPath: first.socketPath)
        #expect(try second.status()["state"] == "idle")
    }
}
