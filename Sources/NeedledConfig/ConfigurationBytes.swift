/// The configuration file is read whole or refused: its bytes are checked before the TOML parser
/// sees them. The parser (toml++ inside TOMLKit) reads a C string, so everything after a NUL byte
/// was silently ignored: a file of zeros (what a power cut during a save can leave) passed as
/// empty and the pen ran on the built-in limits, looser than the clinic's own; `[limits]`, a
/// NUL, then anything at all passed too.
enum ConfigurationBytes {
    /// Where the bytes cannot be configuration text: the first byte that is not UTF-8, or the
    /// first NUL; its line (from 1) and what is wrong, or nil for text the parser may have.
    static func firstDamage(in bytes: [UInt8]) -> (line: Int, message: String)? {
        var line = 1
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar == "\u{0}" {
                    return (
                        line,
                        "holds a NUL byte, so it is cut short or damaged (a power cut during a save leaves zeros);"
                            + " nothing of it is used. Restore it from a copy and check it with `needled check-config`."
                    )
                }
                if scalar == "\n" { line += 1 }
            case .error:
                return (
                    line,
                    "is not UTF-8 text from this line on; nothing of it is used. Save it as UTF-8"
                        + " and check it with `needled check-config`."
                )
            case .emptyInput:
                return nil
            }
        }
    }
}
