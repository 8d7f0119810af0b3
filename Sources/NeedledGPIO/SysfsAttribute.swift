import Glibc
public import SystemPackage

/// One sysfs attribute (a PWM `duty_cycle`, a hwmon `temp1_input`), opened once and then read or
/// written with `pread`/`pwrite` into fixed buffers: usable from the tick without allocating.
public final class SysfsAttribute {
    public let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = Array(repeating: 0, count: 64)

    public init(path: String, writable: Bool) throws(SysfsError) {
        self.path = path
        let fd = open(path, writable ? O_RDWR : O_RDONLY)
        guard fd >= 0 else { throw SysfsError(path: path, call: "open", errno: Errno(rawValue: errno)) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Writes a decimal integer and a newline, as `echo` does (no allocation: formatted into the
    /// fixed buffer). The kernel's parsers take the newline; a reader of a plain file (a test's
    /// stand-in for sysfs, where a shorter number leaves the old one's tail) stops at it.
    public func write(_ value: Int64) throws(SysfsError) {
        var magnitude = value.magnitude
        buffer[63] = UInt8(ascii: "\n")
        var digits = 1
        repeat {
            buffer[63 - digits] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            digits += 1
        } while magnitude > 0 && digits < 21
        if value < 0 {
            buffer[63 - digits] = UInt8(ascii: "-")
            digits += 1
        }
        let written = buffer.withUnsafeBytes { raw in pwrite(descriptor, raw.baseAddress! + 64 - digits, digits, 0) }
        guard written == digits else { throw SysfsError(path: path, call: "pwrite", errno: Errno(rawValue: errno)) }
    }

    /// Reads a decimal integer (leading whitespace and a trailing newline allowed).
    public func readInteger() throws(SysfsError) -> Int64 {
        let count = buffer.withUnsafeMutableBytes { raw in pread(descriptor, raw.baseAddress!, 63, 0) }
        guard count > 0 else {
            throw SysfsError(path: path, call: "pread", errno: Errno(rawValue: count < 0 ? errno : EIO))
        }
        var value: Int64 = 0
        var negative = false
        var seenDigit = false
        for index in 0..<count {
            let byte = buffer[index]
            if byte == UInt8(ascii: "-") && !seenDigit {
                negative = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value &* 10 &+ Int64(byte - UInt8(ascii: "0"))
                seenDigit = true
            } else if seenDigit {
                break
            }
        }
        guard seenDigit else { throw SysfsError(path: path, call: "parse", errno: nil) }
        return negative ? -value : value
    }

    /// Reads the raw bytes (up to 63), for an ID such as a 1-Wire serial; returns the count.
    public func readBytes(into target: inout InlineArray<32, UInt8>) throws(SysfsError) -> Int {
        let count = buffer.withUnsafeMutableBytes { raw in pread(descriptor, raw.baseAddress!, 63, 0) }
        guard count >= 0 else { throw SysfsError(path: path, call: "pread", errno: Errno(rawValue: errno)) }
        var used = 0
        for index in 0..<count where used < 32 {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n") || byte == 0 { break }
            target[used] = byte
            used += 1
        }
        return used
    }
}

public struct SysfsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let call: String
    public let errno: Errno?

    public var description: String {
        "\(path): \(call) failed" + (errno.map { ": \($0)" } ?? ": not a number")
    }
}

/// A PWM channel of the kernel's PWM class (`/sys/class/pwm/pwmchipN/pwmM`): period set once,
/// duty written only when it changes.
public final class PWMChannel {
    public let directory: String
    public let periodNanoseconds: Int64
    private let dutyCycle: SysfsAttribute
    private let enable: SysfsAttribute
    private var lastOnTime: Int64 = -1

    /// `chip` is `/sys/class/pwm/pwmchipN`; the channel is exported when it is not yet.
    public init(chip: String, channel: Int, periodNanoseconds: Int64) throws(SysfsError) {
        let directory = "\(chip)/pwm\(channel)"
        if access(directory, F_OK) != 0 {
            let export = try SysfsAttribute(path: "\(chip)/export", writable: true)
            try export.write(Int64(channel))
        }
        self.directory = directory
        self.periodNanoseconds = periodNanoseconds
        dutyCycle = try SysfsAttribute(path: "\(directory)/duty_cycle", writable: true)
        enable = try SysfsAttribute(path: "\(directory)/enable", writable: true)
        try dutyCycle.write(0)
        try SysfsAttribute(path: "\(directory)/period", writable: true).write(periodNanoseconds)
        try enable.write(1)
        lastOnTime = 0
    }

    /// The on-time per period, in nanoseconds (0...period).
    public func setOnTime(_ nanoseconds: Int64) throws(SysfsError) {
        precondition(nanoseconds >= 0 && nanoseconds <= periodNanoseconds, "PWM on-time outside the period")
        guard nanoseconds != lastOnTime else { return }
        try dutyCycle.write(nanoseconds)
        lastOnTime = nanoseconds
    }

    public func off() {
        try? dutyCycle.write(0)
        try? enable.write(0)
        lastOnTime = 0
    }
}
