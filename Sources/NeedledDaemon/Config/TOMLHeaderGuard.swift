/// Refuses the one shape of text known to crash the TOML parser: toml++ 3 (inside TOMLKit 0.6)
/// asserts, and so aborts the process, on a table header whose name begins with a character
/// that cannot begin a key (`[?]`, `[ =]`, `[.]`, or `[` alone on a line). Found by fuzz-config; without this guard a
/// typo in needled.toml followed by `systemctl reload needled` would kill the daemon mid-treatment.
/// Lines inside multi-line strings are text, not headers, and are skipped.
enum TOMLHeaderGuard {
    /// The first such header: its line (from 1) and the character, or nil when the text is safe
    /// to hand to the parser.
    static func firstUnsafeHeader(in text: String) -> (line: Int, character: Character)? {
        var openString: Substring? = nil  // the delimiter of a multi-line string being read
        // The parser skips a byte-order mark before the first line (found by fuzz-config: a BOM
        // hid `[` + U+0003 from this guard).
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = Substring(body.unicodeScalars.dropFirst()) }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            if let delimiter = openString {
                if raw.contains(delimiter) { openString = Self.stillOpen(after: raw, opened: delimiter) }
                continue
            }
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.hasPrefix("[") {
                // Spaces and tabs may come before the name; the end of the line may not (toml++
                // asserts on `[` alone on a line too). At the very end of the text it reports EOF.
                let name = line.dropFirst(line.hasPrefix("[[") ? 2 : 1).drop { $0 == " " || $0 == "\t" }
                guard let first = name.first else {
                    if index < lines.count - 1 { return (index + 1, "\n") }
                    continue
                }
                if !Self.mayBeginKey(first) { return (index + 1, first) }
            }
            openString = Self.stillOpen(after: raw, opened: nil)
        }
        return nil
    }

    /// Whether a multi-line string is open at the end of `line` (counting `"""` and `'''`).
    private static func stillOpen(after line: Substring, opened: Substring?) -> Substring? {
        var open = opened
        var rest = line[...]
        while !rest.isEmpty {
            if let delimiter = open {
                guard let end = rest.range(of: delimiter) else { return open }
                rest = rest[end.upperBound...]
                open = nil
            } else {
                let double = rest.range(of: "\"\"\"")
                let single = rest.range(of: "'''")
                let comment = rest.firstIndex(of: "#")
                guard let next = [double, single].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) else {
                    return nil
                }
                if let comment, comment < next.lowerBound { return nil }
                open = rest[next]
                rest = rest[next.upperBound...]
            }
        }
        return open
    }

    private static func mayBeginKey(_ character: Character) -> Bool {
        character == "]" || character == "\"" || character == "'" || character == "_" || character == "-"
            || (character.isASCII && (character.isLetter || character.isNumber))
    }
}
