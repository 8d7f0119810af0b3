import Crypto
public import Foundation

/// Which file the running configuration was read from: its path, the SHA-256 of its bytes and
/// when it was read. A technician compares the hash with the file's (`sha256sum`) to know that
/// what is in force is what is on disk; a file cut short at a line boundary still parses, and
/// its hash is what shows it.
public struct ConfigurationSource: Sendable, Equatable {
    public let path: String
    /// Lowercase hex, as `sha256sum` prints it.
    public let sha256: String
    /// Wall-clock time of the read, ISO 8601 UTC.
    public let loadedAt: String

    public init(path: String, bytes: [UInt8], loadedAt: Date) {
        self.path = path
        self.sha256 = SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        self.loadedAt = ISO8601DateFormatter().string(from: loadedAt)
    }
}
