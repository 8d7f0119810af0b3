import Foundation

/// The terminal while `needlectl watch` draws on it: raw keys (no echo, no line buffering, no
/// signals from Ctrl-C, which the view reads as "quit"), the alternate screen, the cursor
/// hidden. `restore()` puts all of it back; it also runs on SIGTERM, SIGHUP and SIGQUIT, so a
/// closed window or a kill leaves a usable shell.
final class TerminalSession {
    /// The settings to restore, kept where a signal handler can reach them.
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var active = false

    static let enter = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J"
    static let leave = "\u{1B}[?25h\u{1B}[?1049l"

    init?() {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return nil }
        guard tcgetattr(STDIN_FILENO, &Self.saved) == 0 else { return nil }
        var raw = Self.saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0 else { return nil }
        Self.active = true
        for signal in [SIGTERM, SIGHUP, SIGQUIT] {
            Foundation.signal(signal) { number in
                TerminalSession.restoreFromSignal()
                _exit(128 + number)
            }
        }
        Self.write(Self.enter)
    }

    deinit { restore() }

    func restore() {
        guard Self.active else { return }
        Self.active = false
        Self.write(Self.leave)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &Self.saved)
    }

    /// Async-signal-safe: write(2) and tcsetattr(3) only.
    private static func restoreFromSignal() {
        guard active else { return }
        active = false
        leave.utf8CString.withUnsafeBufferPointer { _ = Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count - 1) }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
    }

    /// Draws a whole frame in one write: home, each line cleared to its end, the rest cleared.
    func draw(_ lines: [String]) {
        Self.write("\u{1B}[H" + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\r\n") + "\u{1B}[J")
    }

    /// The window's width and height (80×24 when the terminal does not say).
    var size: (columns: Int, rows: Int) {
        var window = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0 else { return (80, 24) }
        return (Int(window.ws_col), Int(window.ws_row))
    }

    /// The keys typed since the last call (never blocks).
    func readKeys() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = Glibc.read(STDIN_FILENO, &buffer, buffer.count)
        return count > 0 ? Array(buffer[0..<count]) : []
    }

    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
