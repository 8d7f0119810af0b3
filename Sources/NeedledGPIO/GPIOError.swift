public import SystemPackage

/// A GPIO failure: which call, which line, and the errno, so that the message names what to fix.
public struct GPIOError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case chipNotFound(label: String)
        /// A chip's device node exists but may not be opened: it may be ours.
        case permissionDenied(device: String, label: String)
        case lineNotFound(name: String, chipLabel: String)
        case requestFailed(line: String)
        case ioFailed(line: String)
    }

    public let kind: Kind
    public let call: String
    public let errno: Errno?

    public init(_ kind: Kind, call: String, errno: Errno?) {
        self.kind = kind
        self.call = call
        self.errno = errno
    }

    public var description: String {
        let cause = errno.map { " (\(call): \($0))" } ?? ""
        switch kind {
        case .chipNotFound(let label):
            let hint =
                errno == .permissionDenied
                ? " Permission denied: add the service's user to the group the udev rule gives the chip (Docs/hardware.md)."
                : " Check [gpio] chip-label in the config, the board's device tree, and that /dev/gpiochip* exist."
            return "No GPIO chip labelled \"\(label)\".\(hint)\(cause)"
        case .permissionDenied(let device, let label):
            return
                "Permission denied opening \(device) while looking for the GPIO chip \"\(label)\": install the udev rule"
                + " that gives the chip to the needled group and add the service's user to it (Docs/hardware.md).\(cause)"
        case .lineNotFound(let name, let chip):
            return
                "GPIO chip \"\(chip)\" has no line named \"\(name)\": check the board's gpio-line-names, or set its offset in [gpio.lines]."
        case .requestFailed(let line):
            let hint = errno == .resourceBusy ? " Another process holds it (see `gpioinfo`)." : ""
            return "Could not request GPIO line \"\(line)\".\(hint)\(cause)"
        case .ioFailed(let line):
            return "Reading or writing GPIO line \"\(line)\" failed\(cause)."
        }
    }
}
