import Foundation
import NeedledRPC
import Testing

/// `needlectl watch` in a real terminal: tmux runs it against the real daemon on the simulated
/// pen; the test types keys and reads the screen. The view shows the state and updates, the stop
/// key stops the pen, an injected fault brings up its banner, and quitting restores the
/// terminal (normal screen, cursor shown, canonical mode and echo back on).
@Suite("needlectl watch in a terminal (tmux)")
struct WatchTerminalTests {
    let session = "needled-watch-\(UUID().uuidString.prefix(8))"

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let (code, output, errors) = try DaemonProcess.run("/usr/bin/tmux", arguments)
        #expect(code == 0, "tmux \(arguments.first ?? ""): \(errors)")
        return output
    }

    /// Starts tmux's server through system(3) with its standard descriptors on /dev/null: no
    /// Foundation Process and no pipe to wait on, so the server that outlives the call holds
    /// nothing this test reads. (Earlier versions hung in CI: once on a pipe the server
    /// inherited, once waiting on a tmux client Foundation never reaped.) The test's time limit
    /// is the backstop.
    func startTmux(_ arguments: [String]) {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let status = system(
            "exec /usr/bin/timeout 10 /usr/bin/tmux \(quoted.joined(separator: " ")) </dev/null >/dev/null 2>&1")
        #expect(status == 0, "tmux could not start (system: \(status))")
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    /// Polls the screen until `condition` holds (at most `seconds`); returns the last screen.
    func waitForScreen(seconds: Double = 10, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try screen()
        while !condition(last) && Date() < deadline {
            usleep(100_000)
            last = try screen()
        }
        return last
    }

    func update(in screen: String) -> Int {
        guard let range = screen.range(of: "update ") else { return -1 }
        return Int(screen[range.upperBound...].prefix { $0.isNumber }) ?? -1
    }

    @Test(
        "The live view shows the pen, updates, stops on s, shows a fault banner, and restores the terminal",
        .timeLimit(.minutes(2)))
    func liveView() throws {
        let daemon = try DaemonProcess()
        try daemon.startTreatment()
        _ = try daemon.waitFor { $0["state"] == "running" }
        let stty = daemon.directory.appendingPathComponent("stty-after.txt").path
        let command =
            "\(DaemonProcess.binary("needlectl")) --socket \(daemon.socketPath) watch; stty -a > \(stty); echo WATCH-ENDED; sleep 60"
        startTmux(["new-session", "-d", "-s", session, "-x", "100", "-y", "32", command])
        defer { _ = try? DaemonProcess.run("/usr/bin/tmux", ["kill-session", "-t", session]) }

        // The pen running, and the view updating.
        let running = try waitForScreen { $0.contains("STATE      RUNNING") }
        #expect(running.contains("STATE      RUNNING"), "\(running)")
        #expect(running.contains("session    S-0001 on cheeks"))
        #expect(try tmux(["display", "-p", "-t", session, "#{alternate_on}"]) == "1\n")
        let firstUpdate = update(in: running)
        let later = try waitForScreen { update(in: $0) >= firstUpdate + 5 }
        #expect(update(in: later) >= firstUpdate + 5, "the view did not update: \(later)")

        // s stops the pen.
        try tmux(["send-keys", "-t", session, "s"])
        _ = try daemon.waitFor { $0["state"] == "ready" }
        let stopped = try waitForScreen { $0.contains("STATE      READY") && $0.contains("Stop sent") }
        #expect(stopped.contains("STATE      READY") && stopped.contains("Stop sent"), "\(stopped)")

        // An injected fault: the banner with what it means and what to do.
        _ = try daemon.call("sim.injectFault", .object([("fault", "driverFault")]))
        let faulted = try waitForScreen { $0.contains("FAULT motorDriverFault") && $0.contains("What to do:") }
        #expect(faulted.contains("FAULT motorDriverFault"), "\(faulted)")
        #expect(faulted.contains("What to do: Lift the pen; the motor driver reported a fault."))
        print("FIGURE needlectl watch, captured from tmux after an injected driver fault:\n\(faulted)")

        // q quits and gives the terminal back as it was.
        try tmux(["send-keys", "-t", session, "q"])
        let ended = try waitForScreen { $0.contains("WATCH-ENDED") }
        #expect(ended.contains("Stopped watching; the pen is fault."), "\(ended)")
        #expect(try tmux(["display", "-p", "-t", session, "#{alternate_on}"]) == "0\n")
        #expect(try tmux(["display", "-p", "-t", session, "#{cursor_flag}"]) == "1\n")
        let modes = try String(contentsOfFile: stty, encoding: .utf8)
        #expect(modes.contains(" icanon") && !modes.contains("-icanon"), "canonical mode not restored")
        #expect(modes.contains(" echo ") && !modes.contains("-echo "), "echo not restored")
    }
}
