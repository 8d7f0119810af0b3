/// A short history as one line of block characters, scaled from 0 to `ceiling`: the speed's
/// last seconds at a glance (ramps, dips under load, a stop).
enum Sparkline {
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The last `width` values; a value at or below 0 is a blank, at or above `ceiling` a full block.
    static func render(_ values: [Double], ceiling: Double, width: Int) -> String {
        precondition(width >= 0)
        guard ceiling > 0 else { return String(repeating: " ", count: min(width, values.count)) }
        return String(
            values.suffix(width).map { value -> Character in
                guard value > 0 else { return " " }
                let level = Int((value / ceiling * Double(levels.count - 1)).rounded())
                return levels[min(levels.count - 1, max(0, level))]
            })
    }
}
