import NeedleCore
import NeedledRPC

/// What `needlectl watch` draws, from the latest telemetry: a pure function of its inputs, so
/// the picture depends on nothing but the pen's status, the kept history and the window.
struct LiveView {
    /// The latest status as read (nil: none yet), or why it could not be read.
    var status: Result<PenStatusResult, ResultShapeError>?
    /// Measured speeds, oldest first (one a notification).
    var speedHistory: [Double] = []
    var speedMinimum = 0.0
    var speedMaximum = 150.0
    var updates = 0
    /// The answer to the last key pressed ("Stop sent: the pen is stopping."), or a refusal.
    var notice = ""
    var socketPath = ""

    static let historyLength = 240

    mutating func update(_ json: JSONValue) {
        let status = Result { () throws(ResultShapeError) in try PenStatusResult(.penStatus, json) }
        self.status = status
        updates += 1
        // A status that could not be read is drawn as the mismatch it is (`lines`); the history
        // only keeps speeds the daemon sent.
        if case .success(let read) = status { speedHistory.append(Double(read.speed.millihertz) / 1000) }
        if speedHistory.count > Self.historyLength { speedHistory.removeFirst(speedHistory.count - Self.historyLength) }
    }

    func lines(width: Int) -> [String] {
        let width = max(width, 40)
        let rule = String(repeating: "─", count: width)
        var lines = ["needlectl watch · \(socketPath) · update \(updates)", rule]
        switch status {
        case nil: lines.append(" STATE      CONNECTING")
        case .success(let status)?: lines += pen(status, width: width)
        case .failure(let error)?:
            // The daemon's answer drifted from the API: said, never drawn as zeros or "?".
            lines += Self.wrap("The pen's status cannot be shown: \(error)", width: width, indent: " ")
        }
        lines.append(rule)
        lines.append(" [s] stop   [e] emergency stop   [q] quit")
        if !notice.isEmpty { lines.append(" " + notice) }
        return lines
    }

    /// The banner, the gauges, the history and the session.
    private func pen(_ status: PenStatusResult, width: Int) -> [String] {
        var lines = faultBanner(status, width: width)
        let homed = status.homed ? "homed" : "not homed"
        let motor = status.motorEnabled ? "motor on" : "motor off"
        lines.append(" STATE      \(status.state.rawValue.uppercased())  (\(homed), \(motor))")
        let depth = Double(status.depth.rawValue)
        let depthTarget = Double(status.depthTarget.rawValue)
        let depthLimit = Double(status.depthMax.rawValue)
        lines.append(
            Self.gauge(
                " depth      \(Self.millimetres(depth))", value: depth, of: depthLimit,
                "target \(Self.millimetres(depthTarget)) · limit \(Self.millimetres(depthLimit))", width: width))
        let speed = Double(status.speed.millihertz) / 1000
        let speedTarget = Double(status.speedTarget.millihertz) / 1000
        lines.append(
            Self.gauge(
                " speed      \(Self.hertz(speed))", value: speed, of: speedMaximum,
                "target \(Self.hertz(speedTarget)) · \(Self.hertz(speedMinimum))–\(Self.hertz(speedMaximum))",
                width: width))
        let historyWidth = max(10, width - 14)
        lines.append(
            " history    " + Sparkline.render(speedHistory, ceiling: speedMaximum, width: historyWidth))
        lines += session(status)
        return lines
    }

    private func faultBanner(_ status: PenStatusResult, width: Int) -> [String] {
        guard let fault = status.fault else { return [] }
        let red = "\u{1B}[1;37;41m"
        let reset = "\u{1B}[0m"
        var lines = [
            red + " FAULT \(fault.code.rawValue) ".padding(toLength: width, withPad: " ", startingAt: 0) + reset
        ]
        lines += Self.wrap(fault.message, width: width, indent: " ")
        lines += Self.wrap(fault.code.meaning, width: width, indent: " ")
        lines += Self.wrap("What to do: " + fault.action, width: width, indent: " ")
        lines.append("")
        return lines
    }

    private func session(_ status: PenStatusResult) -> [String] {
        var lines: [String] = []
        if let session = status.session {
            lines.append(
                " session    \(session.id) on \(session.area.rawValue) · \(Self.clock(Int(session.elapsedSeconds))) · \(session.strokes) strokes"
            )
            let accepted = status.cartridge?.accepted == true ? "accepted" : "not accepted"
            lines.append(
                " cartridge  \(session.cartridge) (\(accepted)) · used \(Self.clock(Int(session.cartridgeUseSeconds))) of \(Self.clock(Int(session.cartridgeUseMaxSeconds)))"
            )
        } else {
            lines.append(" session    none open")
            if let cartridge = status.cartridge {
                lines.append(" cartridge  \(cartridge.serial ?? "serial not read") inserted")
            } else {
                lines.append(" cartridge  none inserted")
            }
        }
        return lines
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
