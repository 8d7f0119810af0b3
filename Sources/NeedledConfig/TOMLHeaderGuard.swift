/// Refuses the one shape of text known to crash the TOML parser: toml++ 3 (inside TOMLKit 0.6)
/// asserts, and so aborts the process, on a table header whose name begins with a code point
/// that cannot begin a key (`[?]`, `[ =]`, `[.]`, `[` + a non-ASCII letter, or `[` alone on a
/// line). Found by fuzz-config; without this guard a typo in needled.toml followed by
/// `systemctl reload needled` would kill the daemon mid-treatment.
///
/// It errs on the side of refusing: every line that begins with `[` is checked, even one inside
/// a multi-line string (no key of needled.toml takes one). Tracking strings to skip such lines
/// would let a mistake in that tracking hand a crashing header to the parser.
///
/// It reads Unicode scalars, as the parser does, never Swift `Character`s: a combining mark
/// after `[` makes one grapheme of the two, which hid `[` + U+0612 from an earlier version
/// (found by fuzz-config), and `\r\n` is one `Character` too.
enum TOMLHeaderGuard {
    /// The first such header: its line (from 1) and the code point (`\n` for the end of the
    /// line), or nil when the text is safe to hand to the parser.
    static func firstUnsafeHeader(in text: String) -> (line: Int, scalar: Unicode.Scalar)? {
        var scalars = Array(text.unicodeScalars)
        // The parser skips a byte-order mark before the first line (found by fuzz-config: a BOM
        // hid `[` + U+0003 from this guard).
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        let lines = scalars.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            guard line.first == "[" else { continue }
            // Spaces and tabs may come before the name; the end of the line may not (toml++
            // asserts on `[` alone on a line too). At the very end of the text it reports EOF.
            let isArray = line.dropFirst().first == "["
            let name = line.dropFirst(isArray ? 2 : 1).drop { $0 == " " || $0 == "\t" }
            guard let first = name.first else {
                if index < lines.count - 1 { return (index + 1, "\n") }
                continue
            }
            if first == "\r" { return (index + 1, "\n") }
            if !Self.mayBeginKey(first) { return (index + 1, first) }
        }
        return nil
    }

    private static func mayBeginKey(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "]", "\"", "'", "_", "-", "A"..."Z", "a"..."z", "0"..."9": true
        default: false
        }
    }
}
