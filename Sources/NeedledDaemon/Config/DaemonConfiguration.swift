public import NeedleCore
public import NeedledRPC
public import NeedledStore

/// Everything needled runs with, from needled.toml or the built-in defaults.
public struct DaemonConfiguration: Sendable {
    public enum BackendKind: String, Sendable, CaseIterable {
        case simulated
        case gpio
    }

    public var pen: PenConfiguration
    public var backend: BackendKind
    public var simulatorSeed: UInt64
    /// The pen's labelled needle count (the cartridge type), reported by daemon.info.
    public var needleCount: Int
    public var gpio = GPIOSettings()
    public var realtime = RealtimeSettings()
    /// The most the treatment records may take on disk (`[records] max-size-mebibytes`, default
    /// 4 GiB): past it, writes fail and the pen latches `recordsUnavailable` rather than let the
    /// records fill the host's storage.
    public var recordsMaxSizeMebibytes = 4096
    /// What the records prune, when (`[records] keep-telemetry-days`, `prune-above-percent`,
    /// `warn-above-percent`, `prune-unexported`): telemetry and flight windows only.
    public var recordsRetention = RetentionPolicy()
    /// Who may connect and what they may do (`[access]`); groups resolved when the file is read.
    public var operatorGroup: AccessPolicy.Group? = nil
    public var readOnlyGroup: AccessPolicy.Group? = nil
    /// What one client may take (`[socket]`).
    public var connectionLimits = ConnectionLimits()
    /// The file this was read from (path, SHA-256, when); nil for the built-in defaults.
    public var source: ConfigurationSource? = nil

    public init(
        pen: PenConfiguration = PenConfiguration(), backend: BackendKind = .simulated, simulatorSeed: UInt64 = 1,
        needleCount: Int = 12
    ) {
        self.pen = pen
        self.backend = backend
        self.simulatorSeed = simulatorSeed
        self.needleCount = needleCount
    }

    public var tickRateHertz: Int64 { 1_000_000_000 / pen.tickPeriod.rawValue }
}

/// One configuration error, located: `PATH:LINE: key: message`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let key: String
    public let message: String

    public var description: String { "\(path):\(line): \(key): \(message)" }
}

/// All errors of one file; a file with any error is not used.
public struct ConfigurationErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigurationError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Where the pen's hardware is: the GPIO chip by label, its lines by name (or offset), the PWM
/// channel for stroke speed, the temperature sensor and the cartridge's ID chip (Docs/hardware.md).
public struct GPIOSettings: Sendable, Equatable {
    /// The pen's lines, by the names the board's gpio-line-names give them.
    public enum Line: String, CaseIterable, Sendable {
        case motorEnable = "motor-enable"
        case brake
        case motorDirection = "motor-dir"
        case heartbeat
        case stepperStep = "stepper-step"
        case stepperDirection = "stepper-dir"
        case stepperEnable = "stepper-enable"
        case encoderA = "encoder-a"
        case encoderB = "encoder-b"
        case homeSwitch = "home-switch"
        case cartridgePresent = "cartridge-present"
        case driverFault = "driver-fault"
        case emergencyStop = "estop"
    }

    public var chipLabel = "needled-pen"
    /// Offsets that override the lookup by name.
    public var lineOffsets: [Line: UInt32] = [:]
    /// `/sys/class/pwm/pwmchipN`, or nil for a pen without PWM (tests).
    public var pwmChip: String? = nil
    public var pwmChannel = 0
    public var pwmPeriodNanoseconds: Int64 = 50_000
    /// A millidegree file: hwmon `tempN_input` or a thermal zone's `temp`; nil: none fitted.
    public var temperaturePath: String? = nil
    /// A 1-Wire ID chip's id file (`/sys/bus/w1/devices/…/id`); nil: the technician gives the serial.
    public var cartridgeIDPath: String? = nil

    public init() {}
}
