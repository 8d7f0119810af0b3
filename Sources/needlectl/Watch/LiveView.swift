import NeedleCore
import NeedledRPC

/// What `needlectl watch` draws, from the latest telemetry: a pure function of its inputs, so
/// the picture depends on nothing but the pen's status, the kept history and the window.
struct LiveView {
    var status: JSONValue = .null
    /// Measured speeds, oldest first (one a notification).
    var speedHistory: [Double] = []
    var speedMinimum = 0.0
    var speedMaximum = 150.0
    var updates = 0
    /// The answer to the last key pressed ("Stop sent: the pen is stopping."), or a refusal.
    var notice = ""
    var socketPath = ""

    static let historyLength = 240

    mutating func update(_ status: JSONValue) {
        self.status = status
        updates += 1
        speedHistory.append(Self.number(status["speedHertz"]) ?? 0)
        if speedHistory.count > Self.historyLength { speedHistory.removeFirst(speedHistory.count - Self.historyLength) }
    }

    func lines(width: Int) -> [String] {
        let width = max(width, 40)
        let rule = String(repeating: "─", count: width)
        var lines = ["needlectl watch · \(socketPath) · update \(updates)", rule]
        lines += faultBanner(width: width)
        let state = status["state"]?.stringValue ?? "connecting"
        let homed = status["homed"] == .bool(true) ? "homed" : "not homed"
        let motor = status["motorEnabled"] == .bool(true) ? "motor on" : "motor off"
        lines.append(" STATE      \(state.uppercased())  (\(homed), \(motor))")
        let depth = Self.number(status["depthMicrometres"]) ?? 0
        let depthTarget = Self.number(status["depthTargetMicrometres"]) ?? 0
        let depthLimit = Self.number(status["maxDepthMicrometres"]) ?? 0
        lines.append(
            Self.gauge(
                " depth      \(Self.millimetres(depth))", value: depth, of: depthLimit,
                "target \(Self.millimetres(depthTarget)) · limit \(Self.millimetres(depthLimit))", width: width))
        let speed = Self.number(status["speedHertz"]) ?? 0
        let speedTarget = Self.number(status["speedTargetHertz"]) ?? 0
        lines.append(
            Self.gauge(
                " speed      \(Self.hertz(speed))", value: speed, of: speedMaximum,
                "target \(Self.hertz(speedTarget)) · \(Self.hertz(speedMinimum))–\(Self.hertz(speedMaximum))",
                width: width))
        let historyWidth = max(10, width - 14)
        lines.append(
            " history    " + Sparkline.render(speedHistory, ceiling: speedMaximum, width: historyWidth))
        lines += session()
        lines.append(rule)
        lines.append(" [s] stop   [e] emergency stop   [q] quit")
        if !notice.isEmpty { lines.append(" " + notice) }
        return lines
    }

    private func faultBanner(width: Int) -> [String] {
        guard let fault = status["fault"], fault != .null else { return [] }
        let code = fault["code"]?.stringValue ?? "?"
        let red = "\u{1B}[1;37;41m"
        let reset = "\u{1B}[0m"
        var lines = [red + " FAULT \(code) ".padding(toLength: width, withPad: " ", startingAt: 0) + reset]
        if let message = fault["message"]?.stringValue { lines += Self.wrap(message, width: width, indent: " ") }
        if let meaning = FaultCode(rawValue: code)?.meaning { lines += Self.wrap(meaning, width: width, indent: " ") }
        if let action = fault["action"]?.stringValue {
            lines += Self.wrap("What to do: " + action, width: width, indent: " ")
        }
        lines.append("")
        return lines
    }

    private func session() -> [String] {
        var lines: [String] = []
        if let session = status["session"], session != .null {
            let elapsed = Int(Self.number(session["elapsedSeconds"]) ?? 0)
            let strokes = Int(Self.number(session["strokes"]) ?? 0)
            lines.append(
                " session    \(session["id"]?.stringValue ?? "?") on \(session["area"]?.stringValue ?? "?") · \(Self.clock(elapsed)) · \(strokes) strokes"
            )
            let used = Int(Self.number(session["cartridgeUseSeconds"]) ?? 0)
            let allowed = Int(Self.number(session["maxCartridgeUseSeconds"]) ?? 0)
            let accepted = status["cartridge"]?["accepted"] == .bool(true) ? "accepted" : "not accepted"
            lines.append(
                " cartridge  \(session["cartridge"]?.stringValue ?? "?") (\(accepted)) · used \(Self.clock(used)) of \(Self.clock(allowed))"
            )
        } else {
            lines.append(" session    none open")
            if let cartridge = status["cartridge"], cartridge != .null {
                lines.append(" cartridge  \(cartridge["serial"]?.stringValue ?? "?") inserted")
            } else {
                lines.append(" cartridge  none inserted")
            }
        }
        return lines
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let int)?: Double(int)
        case .double(let double)?: double
        default: nil
        }
    }

    static func millimetres(_ micrometres: Double) -> String {
        let hundredths = Int((micrometres / 10).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        return "\(sign)\(magnitude / 100).\(magnitude % 100 < 10 ? "0" : "")\(magnitude % 100) mm"
    }

    static func hertz(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10)) Hz"
    }

    static func clock(_ seconds: Int) -> String {
        let minutes = seconds / 60
        let rest = seconds % 60
        return "\(minutes):\(rest < 10 ? "0" : "")\(rest)"
    }

    /// "label  ████░░░░  detail", the bar as wide as the window leaves (at least 5 cells).
    static func gauge(_ label: String, value: Double, of whole: Double, _ detail: String, width: Int) -> String {
        let cells = max(5, width - label.count - detail.count - 5)
        return "\(label)  \(bar(value, of: whole, width: cells))  \(detail)"
    }

    /// `value` against `whole` as a bar of `width` cells.
    static func bar(_ value: Double, of whole: Double, width: Int) -> String {
        let filled = whole > 0 ? min(width, max(0, Int((value / whole * Double(width)).rounded()))) : 0
        return String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
    }

    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > width && line != indent {
                lines.append(line)
                line = indent
            }
            line += (line == indent ? "" : " ") + word
        }
        if line != indent { lines.append(line) }
        return lines
    }
}
