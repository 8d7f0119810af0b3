import ArgumentParser
import Foundation
import NeedledClient
import NeedledRPC

/// `needlectl watch`: the live view in a terminal (keys s, e, q), or one line per update when
/// stdout is not a terminal (a log, a pipe) or with --json.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the pen live: state, depth, speed and its history, session, cartridge, fault.",
        discussion: """
            In a terminal: a live view refreshed up to 10 times a second. Keys: s stop the pen, \
            e (or space) emergency stop, q (or Ctrl-C) quit; the terminal is restored on exit. \
            When stdout is not a terminal, or with --json: one line per update.
            """)
    @OptionGroup var connection: Connection
    @Option(help: "Updates per second (1 to 100; the live view draws at most 10).") var hz: Int = 10
    @Option(help: "Stop after this many updates (default: until quit).") var count: Int?
    @Flag(help: "One line per update even in a terminal.") var plain = false

    func validate() throws {
        guard (1...100).contains(hz) else { throw ValidationError("--hz must be from 1 to 100, not \(hz).") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count).") }
    }

    func run() throws {
        let client = try NeedledClient(path: connection.path)
        if !plain && !connection.json, let terminal = TerminalSession() {
            try runLive(client, terminal)
        } else {
            try runLines(client)
        }
    }

    private func runLines(_ client: NeedledClient) throws {
        _ = try client.call(.telemetrySubscribe, TelemetrySubscribeParams(hz: Int64(hz)))
        var seen = 0
        while count.map({ seen < $0 }) ?? true {
            let message = try client.readMessage()
            guard message["method"] == .string("telemetry"), let params = message["params"] else { continue }
            print(connection.json ? params.serialized : StatusText.line(try PenStatusResult(.penStatus, params)))
            fflush(nil)
            seen += 1
        }
    }

    private func runLive(_ client: NeedledClient, _ terminal: TerminalSession) throws {
        var view = LiveView()
        view.socketPath = connection.path
        // The gauge's range from the limits in force; the defaults' range where daemon.info did not answer.
        if let info = try? DaemonInfoResult(.daemonInfo, client.call(.daemonInfo)) {
            view.speedMinimum = Double(info.limits.speedMin.millihertz) / 1000
            view.speedMaximum = Double(info.limits.speedMax.millihertz) / 1000
        }
        view.update(try client.call(.penStatus))
        _ = try client.call(.telemetrySubscribe, TelemetrySubscribeParams(hz: Int64(min(hz, 10))))
        terminal.draw(view.lines(width: terminal.size.columns))
        defer { terminal.restore() }
        var pending = true
        let handle = { (method: String, params: JSONValue) in
            switch method {
            case "telemetry":
                view.update(params)
                pending = true
            case "telemetry.dropped":
                view.notice = "The daemon dropped this view's telemetry (it fell behind); press q and watch again."
                pending = true
            default: break
            }
        }
        while count.map({ view.updates < $0 }) ?? true {
            if !client.hasBufferedMessage {
                var descriptors = [
                    pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: client.fileDescriptor, events: Int16(POLLIN), revents: 0),
                ]
                _ = poll(&descriptors, 2, 250)
                if descriptors[1].revents != 0 { try take(client.readMessage(), handle) }
            }
            while client.hasBufferedMessage { try take(client.readMessage(), handle) }
            for key in terminal.readKeys() {
                switch key {
                case UInt8(ascii: "q"), UInt8(ascii: "Q"), 3, 4:  // Ctrl-C, Ctrl-D
                    terminal.restore()
                    // The last state shown; the view said it if the status could not be read.
                    let state = try? view.status?.get().state
                    print(state.map { "Stopped watching; the pen is \($0.rawValue)." } ?? "Stopped watching.")
                    return
                case UInt8(ascii: "s"), UInt8(ascii: "S"):
                    view.notice = stop(.penStop, sent: "Stop sent")
                case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: " "):
                    view.notice = stop(.penEmergencyStop, sent: "Emergency stop sent")
                default: continue
                }
                pending = true
            }
            if pending {
                terminal.draw(view.lines(width: terminal.size.columns))
                pending = false
            }
        }
    }

    private func take(_ message: JSONValue, _ handle: (String, JSONValue) -> Void) {
        if case .string(let method)? = message["method"] { handle(method, message["params"] ?? .null) }
    }

    /// Sends a key's command on the watching connection; telemetry arriving meanwhile is kept.
    /// A stop on a connection of its own, as its first line: the daemon takes that on its
    /// acceptor's thread, ahead of anything its event loop is busy with (Docs/api.md, "A stop
    /// always gets through"); this view's connection is busy with telemetry besides.
    private func stop(_ method: APIMethod, sent: String) -> String {
        do {
            let result = try NeedledClient(path: connection.path).call(method)
            return "\(sent): the pen is \(try CommandAnswer(method, result).state.rawValue)."
        } catch let error as RPCError {
            return "Refused: \(error.message)"
        } catch let error as ResultShapeError {
            return "\(sent), but \(error)"
        } catch {
            return "Could not send: \(error)"
        }
    }
}
