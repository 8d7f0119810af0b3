public import NeedleCore
public import NeedledGPIOBackend
public import NeedledLoop
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
    /// The clinic's fleet (`[fleet]`); nil: the pen is on its own.
    public var fleet: FleetSettings? = nil
    /// Where Prometheus scrapes (`[metrics] listen`); nil: no port opened.
    public var metrics: MetricsSettings? = nil
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
