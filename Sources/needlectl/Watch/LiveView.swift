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
        // A status without its speed is drawn as the mismatch it is (`lines`); the history only
        // keeps speeds the daemon sent.
        if let speed = try? ResultReader(.penStatus, status).number("speedHertz") { speedHistory.append(speed) }
        if speedHistory.count > Self.historyLength { speedHistory.removeFirst(speedHistory.count - Self.historyLength) }
    }

    func lines(width: Int) -> [String] {
        let width = max(width, 40)
        let rule = String(repeating: "─", count: width)
        var lines = ["needlectl watch · \(socketPath) · update \(updates)", rule]
        if status == .null {
            lines.append(" STATE      CONNECTING")
        } else {
            do {
                lines += try pen(ResultReader(.penStatus, status), width: width)
            } catch {
                // The daemon's answer drifted from the API: said, never drawn as zeros or "?".
                lines += Self.wrap("The pen's status cannot be shown: \(error)", width: width, indent: " ")
            }
        }
        lines.append(rule)
        lines.append(" [s] stop   [e] emergency stop   [q] quit")
        if !notice.isEmpty { lines.append(" " + notice) }
        return lines
    }

    /// The banner, the gauges, the history and the session, from a status read as the API says.
    private func pen(_ status: ResultReader, width: Int) throws(ResultShapeError) -> [String] {
        var lines = try faultBanner(status, width: width)
        let homed = try status.bool("homed") ? "homed" : "not homed"
        let motor = try status.bool("motorEnabled") ? "motor on" : "motor off"
        lines.append(" STATE      \(try status.string("state").uppercased())  (\(homed), \(motor))")
        let depth = Double(try status.integer("depthMicrometres"))
        let depthTarget = Double(try status.integer("depthTargetMicrometres"))
        let depthLimit = Double(try status.integer("maxDepthMicrometres"))
        lines.append(
            Self.gauge(
                " depth      \(Self.millimetres(depth))", value: depth, of: depthLimit,
                "target \(Self.millimetres(depthTarget)) · limit \(Self.millimetres(depthLimit))", width: width))
        let speed = try status.number("speedHertz")
        let speedTarget = try status.number("speedTargetHertz")
        lines.append(
            Self.gauge(
                " speed      \(Self.hertz(speed))", value: speed, of: speedMaximum,
                "target \(Self.hertz(speedTarget)) · \(Self.hertz(speedMinimum))–\(Self.hertz(speedMaximum))",
                width: width))
        let historyWidth = max(10, width - 14)
        lines.append(
            " history    " + Sparkline.render(speedHistory, ceiling: speedMaximum, width: historyWidth))
        lines += try session(status)
        return lines
    }

    private func faultBanner(_ status: ResultReader, width: Int) throws(ResultShapeError) -> [String] {
        guard let fault = try status.nullableObject("fault") else { return [] }
        let code = try fault.string("code")
        let red = "\u{1B}[1;37;41m"
        let reset = "\u{1B}[0m"
        var lines = [red + " FAULT \(code) ".padding(toLength: width, withPad: " ", startingAt: 0) + reset]
        lines += Self.wrap(try fault.string("message"), width: width, indent: " ")
        if let meaning = FaultCode(rawValue: code)?.meaning { lines += Self.wrap(meaning, width: width, indent: " ") }
        lines += Self.wrap("What to do: " + (try fault.string("action")), width: width, indent: " ")
        lines.append("")
        return lines
    }

    private func session(_ status: ResultReader) throws(ResultShapeError) -> [String] {
        var lines: [String] = []
        let cartridge = try status.nullableObject("cartridge")
        if let session = try status.nullableObject("session") {
            let elapsed = Int(try session.number("elapsedSeconds"))
            let strokes = Int(try session.integer("strokes"))
            lines.append(
                " session    \(try session.string("id")) on \(try session.string("area")) · \(Self.clock(elapsed)) · \(strokes) strokes"
            )
            let used = Int(try session.number("cartridgeUseSeconds"))
            let allowed = Int(try session.number("maxCartridgeUseSeconds"))
            let accepted = try cartridge?.bool("accepted") == true ? "accepted" : "not accepted"
            lines.append(
                " cartridge  \(try session.string("cartridge")) (\(accepted)) · used \(Self.clock(used)) of \(Self.clock(allowed))"
            )
        } else {
            lines.append(" session    none open")
            if let cartridge {
                lines.append(" cartridge  \(try cartridge.nullableString("serial") ?? "serial not read") inserted")
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
