/// How a key from needled.toml is written in an error message: as TOML would spell it, so a key
/// that is empty, or has spaces, dots or control characters in it, is still visible and can be
/// found in the file. `motor` stays `motor`; an empty key (`'' = 1`) reads `""`, not nothing.
enum ConfigurationKeySpelling {
    /// One key (one segment of a dotted path), bare when TOML allows it, else a quoted string.
    static func spelled(_ key: some StringProtocol) -> String {
        if !key.isEmpty && key.unicodeScalars.allSatisfy(isBare) { return String(key) }
        var quoted = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// A key as written in the file (bare, "basic" or 'literal'), spelled the same way, so the
    /// line of an error can be found by the spelling the message uses.
    static func respelled(asWritten written: some StringProtocol) -> String {
        let text = String(written)
        for quote in ["\"", "'"] where text.count >= 2 && text.hasPrefix(quote) && text.hasSuffix(quote) {
            return spelled(text.dropFirst().dropLast())
        }
        return text
    }

    private static func isBare(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "-", "_": true
        default: false
        }
    }
}
