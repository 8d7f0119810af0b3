import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// systemd's side of the daemon, without systemd: a datagram socket plays NOTIFY_SOCKET, a
/// wrapper passes a listening socket as systemd would, the log file plays the journal's stream,
/// and SIGHUP reloads the configuration.
@Suite("systemd integration, outside systemd", .serialized)
struct SystemdTests {
    /// A datagram socket bound at `path`, like systemd's notification socket.
    final class NotifySocket {
        let path: String
        let descriptor: Int32

        init(directory: URL) throws {
            path = directory.appendingPathComponent("notify.sock").path
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            guard let address = UnixSocketAddress(path: path),
                address.withSocketAddress({ bind(descriptor, $0, $1) }) == 0
            else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(descriptor) }

        /// Every datagram that arrives within `seconds`.
        func messages(for seconds: Double) -> [String] {
            var received: [String] = []
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count > 0 { received.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
            }
            return received
        }
    }

    static func temporaryDirectory() throws -> URL {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "needled-systemd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("READY=1 once it serves, WATCHDOG=1 while the loop ticks, none while the process is frozen")
    func notifyAndWatchdog() throws {
        let notify = try NotifySocket(directory: try Self.temporaryDirectory())
        let daemon = try DaemonProcess(environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"])
        let first = notify.messages(for: 1.0)
        #expect(first.contains("READY=1\nSTATUS=Ready: simulated pen; pen idle"), "got \(first)")
        #expect(first.filter { $0 == "WATCHDOG=1" }.count >= 5, "pings every 100 ms: \(first)")
        kill(daemon.process.processIdentifier, SIGSTOP)
        _ = notify.messages(for: 0.2)  // what was in flight
        let frozen = notify.messages(for: 0.8)
        kill(daemon.process.processIdentifier, SIGCONT)
        #expect(!frozen.contains("WATCHDOG=1"), "pinged while frozen: \(frozen)")
        let thawed = notify.messages(for: 0.6)
        #expect(thawed.contains("WATCHDOG=1"))
        _ = try daemon.call("pen.home")
        let homed = notify.messages(for: 0.8)
        #expect(homed.contains { $0.hasPrefix("STATUS=simulated pen; pen ready") }, "got \(homed)")
        #expect(daemon.stop() == 0)
        #expect(daemon.log.contains("told systemd: ready"))
    }

    @Test("Socket activation: the daemon serves on the listening socket it inherits as fd 3")
    func socketActivation() throws {
        let directory = try Self.temporaryDirectory()
        let socketPath = directory.appendingPathComponent("activated.sock").path
        let wrapper = """
            import os, socket, sys
            s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16)
            os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
            os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
            os.execv(sys.argv[2], [sys.argv[2], "--socket", "/nonexistent/unused.sock", "--state-dir", sys.argv[3]])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", wrapper, socketPath, DaemonProcess.binary("needled"),
            directory.appendingPathComponent("state").path,
        ]
        let log = directory.appendingPathComponent("log").path
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var client: NeedledClient?
        for _ in 0..<100 where client == nil {
            usleep(50_000)
            client = try? NeedledClient(path: socketPath)
            if let candidate = client, (try? candidate.call("pen.status")) == nil { client = nil }
        }
        let connected = try #require(client, "no answer on the inherited socket")
        #expect(try connected.call("pen.status")["state"] == "idle")
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(text.contains("listening on the socket systemd passed"))
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/unused.sock"))
    }

    @Test("Under journald, log lines carry their syslog priority")
    func journalPriorities() throws {
        let daemon = try DaemonProcess(journalLogs: true)
        #expect(daemon.log.contains("<6>records: integrity_check ok"))
        #expect(daemon.stop() == 0)
        #expect(!daemon.log.contains("info needled :"), "plain swift-log lines under the journal")
    }

    @Test("SIGHUP: a bad file keeps the running configuration and logs each error with its line")
    func reloadRefused() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-depth-micrometres = 1200\n")
        let configPath = daemon.directory.appendingPathComponent("needled.toml").path
        try "[limits]\nmax-depth-micrometres = 5000\nmax-speed-hertz = \"fast\"\n".write(
            toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(
            daemon.waitForLog(
                "reload refused, the running configuration stays: \(configPath):2: limits.max-depth-micrometres:"))
        #expect(daemon.log.contains("\(configPath):3: limits.max-speed-hertz:"))
        #expect(try daemon.call("daemon.info")["limits"]?["maxDepthMicrometres"] == .int(1200))
        #expect(daemon.process.isRunning)
    }

    /// The SHA-256 of a file as `sha256sum` prints it (the tool a technician compares with).
    static func sha256sum(_ path: String) throws -> String {
        let (code, output, _) = try DaemonProcess.run("/usr/bin/sha256sum", [path])
        #expect(code == 0)
        return String(output.prefix(64))
    }

    @Test(
        "Which configuration is in force: daemon.info and needlectl status name the file, its SHA-256 and when it was read; an accepted reload updates them, a refused one does not"
    )
    func configurationInForce() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-depth-micrometres = 1200\n")
        let configPath = daemon.directory.appendingPathComponent("needled.toml").path
        let started = try #require(try daemon.call("daemon.info")["configuration"])
        #expect(started["path"] == .string(configPath))
        #expect(started["sha256"] == .string(try Self.sha256sum(configPath)))
        guard case .string(let loadedAt)? = started["loadedAt"] else {
            Issue.record("no loadedAt: \(started.serialized)")
            return
        }
        #expect(ISO8601DateFormatter().date(from: loadedAt) != nil, "loadedAt \(loadedAt)")
        let (code, text, _) = try daemon.needlectl(["status"])
        #expect(code == 0)
        #expect(
            text.contains(
                "config     \(configPath), sha256 \(try Self.sha256sum(configPath).prefix(12))…, loaded \(loadedAt)"))

        try DaemonProcess.toleratingHostJitter("[limits]\nmax-depth-micrometres = 1100\n").write(
            toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        var reloaded = started
        for _ in 0..<100 where reloaded["sha256"] == started["sha256"] {
            usleep(20_000)
            reloaded = try #require(try daemon.call("daemon.info")["configuration"])
        }
        #expect(reloaded["sha256"] == .string(try Self.sha256sum(configPath)), "an accepted reload names the new file")

        try "[limits]\nmax-depth-micrometres = 9000\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(daemon.waitForLog("reload refused, the running configuration stays: \(configPath):2:"))
        #expect(
            try daemon.call("daemon.info")["configuration"] == reloaded, "a refused reload leaves the hash in force")

        // A session's record keeps the limits it was opened under and the hash of their file.
        _ = try daemon.call("pen.home")
        try daemon.waitFor { $0["state"] == "ready" }
        let serial = try daemon.status()["cartridge"]?["serial"] ?? .null
        _ = try daemon.call("session.open", .object([("area", "cheeks"), ("cartridge", serial)]))
        let session = try daemon.call("session.get", .object([("id", "S-0001")]))
        #expect(session["configurationSHA256"] == reloaded["sha256"], "\(session.serialized)")
        #expect(session["limits"]?["maxDepthMicrometres"] == .int(1100))
    }

    @Test("SIGHUP: a file cut short by zeros is refused whole; the running limits stay")
    func reloadRefusesNulBytes() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-depth-micrometres = 1200\n")
        let configPath = daemon.directory.appendingPathComponent("needled.toml").path
        // A save cut short: the stricter limit, then zeros where the rest should be.
        try Data(Array("[limits]\nmax-depth-micrometres = 1000\n".utf8) + [UInt8](repeating: 0, count: 512)).write(
            to: URL(fileURLWithPath: configPath))
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(
            daemon.waitForLog(
                "reload refused, the running configuration stays: \(configPath):3: file: holds a NUL byte"),
            "log: \(daemon.log)")
        #expect(try daemon.call("daemon.info")["limits"]?["maxDepthMicrometres"] == .int(1200))
        #expect(daemon.process.isRunning)
    }

    @Test("SIGHUP: a lowered limit is in force at once, mid-treatment; a raised one waits until the pen is at rest")
    func reloadLowersNowRaisesAtRest() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-depth-micrometres = 1200\n")
        let configPath = daemon.directory.appendingPathComponent("needled.toml").path
        try daemon.startTreatment(area: "scars")
        try DaemonProcess.toleratingHostJitter("[limits]\nmax-depth-micrometres = 900\n").write(
            toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(try Self.waitForDepthLimit(900, daemon), "lowered at once, mid-treatment")
        let refused = try #require(try daemon.error("pen.setDepth", .object([("micrometres", 1000)])))
        #expect(refused.data?["limit"] == "maxDepth")

        try DaemonProcess.toleratingHostJitter("[limits]\nmax-depth-micrometres = 1400\n").write(
            toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(daemon.waitForLog("the looser ones wait until the pen is at rest"))
        #expect(try daemon.call("daemon.info")["limits"]?["maxDepthMicrometres"] == .int(900), "raised mid-treatment")
        _ = try daemon.call("pen.stop")
        try daemon.waitFor { $0["state"] == "ready" }
        #expect(try daemon.call("daemon.info")["limits"]?["maxDepthMicrometres"] == .int(900), "session still open")
        _ = try daemon.call("session.close")
        #expect(try Self.waitForDepthLimit(1400, daemon), "raised once the pen is at rest")
    }

    /// Waits until `daemon.info` says the depth limit in force is `micrometres`: a reload is
    /// applied by the loop a tick or more after the signal, and reported behind it.
    static func waitForDepthLimit(_ micrometres: Int64, _ daemon: DaemonProcess) throws -> Bool {
        try daemon.poll {
            try daemon.call("daemon.info")["limits"]?["maxDepthMicrometres"] == .int(micrometres) ? true : nil
        } ?? false
    }
}
