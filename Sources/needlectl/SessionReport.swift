import Foundation
import NeedledRPC

/// A session's report: a summary a clinic can file (duration, strokes, micro-channels, deepest
/// depth, faults) and an SVG of depth and speed over time with the faults marked. Pure: built
/// from the record alone, so the same record always draws the same report.
struct SessionReport {
    let dump: SessionRecordDump

    init(_ dump: SessionRecordDump) {
        self.dump = dump
    }

    struct FaultMark {
        let seconds: Double
        let code: String
    }

    var session: SessionRecordResult { dump.session }
    var id: String { session.id }
    var area: String { session.area }
    var needles: Int64 { dump.cartridge?.needles ?? 0 }

    var durationSeconds: Double {
        if let duration = session.durationSeconds { return duration }
        return dump.telemetry.last.map { dump.seconds(atTick: $0.tick) } ?? 0
    }

    var strokes: Int64 { max(session.strokes, dump.telemetry.map(\.strokes).max() ?? 0) }

    var deepestMicrometres: Int64 { dump.telemetry.map(\.depthMicrometres).max() ?? 0 }

    /// The faults on the session's timeline, from its recorded events (whose detail is as the
    /// event recorded it).
    var faultMarks: [FaultMark] {
        dump.detail.events.filter { $0.kind == "fault" }.map { event in
            let code: String? =
                if case .string(let code)? = event.detail["fault"]?["code"] { code } else { nil }
            return FaultMark(seconds: dump.seconds(atTick: event.tick), code: code ?? "fault")
        }
    }

    var summaryLines: [String] {
        let faults = faultMarks
        return [
            "Session \(id) on \(area), cartridge \(session.cartridge) (\(needles) needles)",
            "Opened \(session.openedAt), closed \(session.closedAt ?? "(open)")\(session.closeReason.map { " (\($0))" } ?? "")",
            "Duration \(Self.clock(durationSeconds)) (\(String(format: "%.1f", durationSeconds)) s, from the pen's monotonic ticks)",
            "Strokes \(strokes), micro-channels \(strokes * needles) (strokes × \(needles) needles)",
            "Deepest depth on \(area): \(millimetres(deepestMicrometres))",
            "Faults \(faults.count)"
                + (faults.isEmpty
                    ? ""
                    : ": "
                        + faults.map { "\($0.code) at \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: ", ")),
            "Software \(session.softwareVersion)",
        ]
    }

    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        return String(format: "%d:%02d:%02d", whole / 3600, whole / 60 % 60, whole % 60)
    }

    // MARK: SVG

    static let width = 960.0
    static let left = 80.0
    static let right = 930.0

    var svg: String {
        let samples = dump.telemetry
        let times = samples.map { dump.seconds(atTick: $0.tick) }
        let span = max(times.last ?? 0, durationSeconds, 1)
        func x(_ seconds: Double) -> Double { Self.left + (Self.right - Self.left) * seconds / span }
        var parts: [String] = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"640\" viewBox=\"0 0 960 640\" font-family=\"sans-serif\" font-size=\"13\">",
            "<title>\(Self.escape("Session \(id) report"))</title>",
            "<rect width=\"960\" height=\"640\" fill=\"white\"/>",
        ]
        for (index, line) in summaryLines.enumerated() {
            parts.append(
                "<text x=\"\(Self.left)\" y=\"\(24 + 18 * index)\"\(index == 0 ? " font-weight=\"bold\"" : "")>\(Self.escape(line))</text>"
            )
        }
        let depthValues = samples.map { Double($0.depthMicrometres) / 1000 }
        let depthTargets = samples.map { Double($0.depthTargetMicrometres) / 1000 }
        let speedValues = samples.map { Double($0.speed.millihertz) / 1000 }
        let speedTargets = samples.map { Double($0.speedTarget.millihertz) / 1000 }
        parts += panel(
            title: "Depth (mm)", top: 170, height: 190, times: times, values: depthValues, targets: depthTargets,
            ceiling: max(depthValues.max() ?? 0, depthTargets.max() ?? 0, 0.5), x: x, colour: "#1f77b4")
        parts += panel(
            title: "Speed (strokes/s)", top: 410, height: 190, times: times, values: speedValues,
            targets: speedTargets, ceiling: max(speedValues.max() ?? 0, speedTargets.max() ?? 0, 50), x: x,
            colour: "#2ca02c")
        for mark in faultMarks {
            let position = String(format: "%.1f", x(mark.seconds))
            parts.append(
                "<line class=\"fault\" x1=\"\(position)\" y1=\"160\" x2=\"\(position)\" y2=\"600\" stroke=\"#d62728\" stroke-width=\"2\"/>"
            )
            parts.append(
                "<text x=\"\(position)\" y=\"156\" fill=\"#d62728\" text-anchor=\"middle\">\(Self.escape(mark.code))</text>"
            )
        }
        for step in 0...5 {
            let seconds = span * Double(step) / 5
            parts.append(
                "<text x=\(Self.attribute(x(seconds))) y=\"622\" text-anchor=\"middle\">\(Self.escape(span < 120 ? String(format: "%.1f s", seconds) : Self.clock(seconds)))</text>"
            )
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func panel(
        title: String, top: Double, height: Double, times: [Double], values: [Double], targets: [Double],
        ceiling: Double, x: (Double) -> Double, colour: String
    ) -> [String] {
        let scale = ceiling * 1.1
        func y(_ value: Double) -> Double { top + height - height * value / scale }
        let stride = max(1, times.count / 2000)  // at most ~2000 points a line
        func points(_ series: [Double]) -> String {
            Swift.stride(from: 0, to: times.count, by: stride).map {
                String(format: "%.1f,%.1f", x(times[$0]), y(series[$0]))
            }.joined(separator: " ")
        }
        return [
            "<text x=\"\(Self.left)\" y=\"\(top - 8)\" font-weight=\"bold\">\(Self.escape(title))</text>",
            "<rect x=\"\(Self.left)\" y=\"\(top)\" width=\"\(Self.right - Self.left)\" height=\"\(height)\" fill=\"none\" stroke=\"#999\"/>",
            "<text x=\"\(Self.left - 6)\" y=\(Self.attribute(y(0))) text-anchor=\"end\">0</text>",
            "<text x=\"\(Self.left - 6)\" y=\(Self.attribute(y(ceiling) + 4)) text-anchor=\"end\">\(String(format: "%.2f", ceiling))</text>",
            "<polyline class=\"target\" fill=\"none\" stroke=\"#888\" stroke-dasharray=\"4 3\" points=\"\(points(targets))\"/>",
            "<polyline class=\"measured\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(points(values))\"/>",
        ]
    }

    static func attribute(_ value: Double) -> String { "\"" + String(format: "%.1f", value) + "\"" }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
