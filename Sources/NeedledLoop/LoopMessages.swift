public import NeedleCore

/// What the socket side asks of the loop. Plain values, so a message fits a preallocated slot.
public enum LoopRequest: Sendable {
    case pen(PenCommand)
    /// One of the backend's own controls (the simulated pen's fault injection).
    case backend(BackendRequest)
    /// The loop's latency figures (`daemon.stats`), optionally starting them afresh.
    case stats(reset: Bool)
    /// Whether the treatment records can be written (from the recorder's health).
    case recordsWritable(Bool)
    /// A reloaded configuration's limits (`Supervisor.reloadLimits`); nil only asks which are in force.
    case reloadLimits(SafetyLimits?)
}

/// A request for one of the backend's own controls, which the loop carries without knowing
/// them, so that neither the loop nor the GPIO path links the simulator: the simulated pen's
/// fault injection, by the number `SimulatedBackend` gives each fault. A backend without the
/// control (real hardware) answers `notSimulated`.
public struct BackendRequest: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        case activate
        case deactivate
    }

    public var action: Action
    public var control: UInt8

    public init(_ action: Action, control: UInt8) {
        self.action = action
        self.control = control
    }
}

/// The loop's answer to one request, matched by `requestID`.
public struct LoopReply: Sendable {
    public var requestID: UInt32
    public var outcome: LoopOutcome
}

public enum LoopOutcome: Sendable {
    case accepted(state: PenPhase)
    case rejected(CommandRejection, state: PenPhase)
    /// A simulation request on a backend that has no simulator.
    case notSimulated
    case stats(LoopStatistics)
    /// The limits in force, and whether reloaded ones wait for the pen to be at rest.
    case limits(inForce: SafetyLimits, pending: Bool)
}

/// A request with its id, as it waits in the mailbox.
public struct LoopEnvelope: Sendable {
    public var requestID: UInt32
    public var request: LoopRequest
    /// CLOCK_MONOTONIC nanoseconds when the socket side handed it over (for latency figures).
    public var sentAt: Int64

    public init(requestID: UInt32, request: LoopRequest, sentAt: Int64 = 0) {
        self.requestID = requestID
        self.request = request
        self.sentAt = sentAt
    }
}

/// A cartridge serial in fixed storage (up to 24 bytes of UTF-8), so it can cross from the loop
/// in a snapshot without allocating.
public struct CartridgeSerial: Sendable, Equatable {
    public static let bytesMax = 24
    private var bytes: InlineArray<24, UInt8>
    private var count: Int

    public init?(_ string: String) {
        let utf8 = Array(string.utf8)
        guard !utf8.isEmpty, utf8.count <= Self.bytesMax else { return nil }
        bytes = InlineArray(repeating: 0)
        for (index, byte) in utf8.enumerated() { bytes[index] = byte }
        count = utf8.count
    }

    /// From raw bytes read by a backend (a 1-Wire ID), without going through String.
    public init?(bytes source: InlineArray<32, UInt8>, count: Int) {
        guard count > 0, count <= Self.bytesMax else { return nil }
        bytes = InlineArray(repeating: 0)
        for index in 0..<count { bytes[index] = source[index] }
        self.count = count
    }

    public var string: String {
        var utf8: [UInt8] = []
        for index in 0..<count { utf8.append(bytes[index]) }
        return String(decoding: utf8, as: UTF8.self)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && (0..<a.count).allSatisfy { a.bytes[$0] == b.bytes[$0] }
    }
}

/// What the loop publishes every tick: the pen's status, the outputs it wrote, and its counters.
public struct LoopSnapshot: Sendable {
    public var status: PenStatus
    public var rampedSpeedSetpoint: Hertz
    public var outputs: PenOutputs
    public var cartridgeSerial: CartridgeSerial?
    public var temperature: MilliCelsius
    public var overruns: Int64
    /// Reloaded limits wait for the pen to be at rest.
    public var limitsPending: Bool = false

    public static let initial = LoopSnapshot(
        status: Supervisor().status, rampedSpeedSetpoint: .zero, outputs: .safe, cartridgeSerial: nil,
        temperature: .degrees(25), overruns: 0)
}
