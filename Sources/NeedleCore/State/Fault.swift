/// A latched fault: its code, the tick it latched in, and the measured value against the limit.
/// The first fault wins and is kept as it was until `resetFault`.
public struct Fault: Sendable, Equatable {
    public let code: FaultCode
    public let tick: TickIndex
    public let detail: FaultDetail

    public init(code: FaultCode, tick: TickIndex, detail: FaultDetail = .none) {
        self.code = code
        self.tick = tick
        self.detail = detail
    }

    /// The sentence a technician reads.
    public var message: String {
        switch (code, detail) {
        case (.overspeed, .speed(let measured, let ceiling)):
            "Overspeed: the needles ran at \(measured), above the allowed \(ceiling)."
        case (.stall, .speed(let measured, let setpoint)):
            "Stall: the motor turned at \(measured) while commanded \(setpoint)."
        case (.overDepth, .depth(let measured, let limit)):
            "Over depth: the needles are at \(measured), deeper than the limit of \(limit)."
        case (.depthFollowingError, .depth(let counted, _)):
            "Depth following error: the home switch disagrees with the step count (\(counted)); steps were lost."
        case (.overTemperature, .temperature(let measured, let limit)):
            "Over temperature: the handpiece is at \(measured), above the limit of \(limit)."
        case (.runTimeExceeded, .duration(let elapsed, let limit)):
            "Run time exceeded: the motor ran for \(elapsed) without a stop; the limit is \(limit)."
        case (.sessionTimeExceeded, .duration(let elapsed, let limit)):
            "Session time exceeded: the session has been open for \(elapsed); the limit is \(limit)."
        case (.cartridgeUseTimeExceeded, .duration(let elapsed, let limit)):
            "Cartridge use time exceeded: its needles have run for \(elapsed); the limit is \(limit)."
        case (.homingTimeout, .duration(_, let limit)):
            "Homing timeout: the home switch was not found within \(limit)."
        case (.tickOverrun, .lateTicks(let count)):
            "Tick overrun: the control loop was late \(count) ticks in a row."
        case (.emergencyStop, _): "Emergency stop."
        case (.cartridgeRemoved, _): "The cartridge was removed while the pen was armed or running."
        case (.motorDriverFault, _): "The motor driver reported a fault."
        case (.recordsUnavailable, _): "The treatment records cannot be written; the treatment cannot go on unrecorded."
        case (.hardwareLost, _): "The pen's hardware was lost."
        case (.ioError, _): "Reading or writing the pen's hardware failed."
        default: "Fault: \(code)."
        }
    }
}

/// The measured value and the limit behind a fault, in their units.
public enum FaultDetail: Sendable, Equatable {
    case none
    case speed(measured: Hertz, limit: Hertz)
    case depth(measured: Micrometres, limit: Micrometres)
    case temperature(measured: MilliCelsius, limit: MilliCelsius)
    case duration(elapsed: Nanoseconds, limit: Nanoseconds)
    case lateTicks(Int32)
}
