/// The sensor that measures the stroke rate, as `needled.toml`'s `[sensor]` names it.
///
/// Both kinds are read as a count of edges: a quadrature encoder's A/B edges decoded ×4 (signed,
/// with direction), or a single-channel tachometer's rising and falling edges (a Hall sensor on the
/// motor's magnet, never signed). The speed is taken from the count and the edges' kernel
/// timestamps (`SpeedEstimator`), so a sensor of a few pulses a revolution holds speed as well as
/// a fine encoder.
public enum SpeedSensor: Sendable, Equatable, CustomStringConvertible {
    /// A/B channels in quadrature; `countsPerRevolution` counts every edge of both channels.
    case quadrature(countsPerRevolution: Int32)
    /// One channel, `pulsesPerRevolution` pulses a revolution: two counts (edges) a pulse.
    case tachometer(pulsesPerRevolution: Int32)

    /// The default: a 12-count magnetic quadrature encoder on the motor shaft. At 150 strokes/s
    /// and a tick 5 ms late, each channel queues 5.4 edges: a third of libgpiod 1.6's 16-event
    /// kernel buffer per line (Docs/hardware.md has the arithmetic for every sensor).
    public static let `default` = SpeedSensor.quadrature(countsPerRevolution: 12)

    /// The counts range a configuration may give: at least one whole cycle a revolution, and no
    /// more edges at 150 strokes/s than the kernel's largest buffer can hold for a tick (2.x:
    /// 1,024 events a request).
    public static let countsPerRevolutionRange: ClosedRange<Int32> = 4...1024
    public static let pulsesPerRevolutionRange: ClosedRange<Int32> = 1...64

    /// Counts (edges) per revolution, one revolution being one stroke.
    public var countsPerRevolution: Int32 {
        switch self {
        case .quadrature(let counts): counts
        case .tachometer(let pulses): pulses * 2
        }
    }

    /// The fewest counts a speed estimate spans: a whole quadrature cycle (4) or a whole pulse
    /// (2), so that the unequal spacing of a real sensor's edges (the phase error between A and B,
    /// a Hall sensor's duty cycle that is not 50 %) cancels out of every estimate.
    public var countsPerCycle: Int32 {
        switch self {
        case .quadrature: 4
        case .tachometer: 2
        }
    }

    public var isQuadrature: Bool {
        if case .quadrature = self { return true }
        return false
    }

    /// "quadrature, 12 counts per revolution" or "tachometer, 2 pulses per revolution".
    public var description: String {
        switch self {
        case .quadrature(let counts): "quadrature, \(counts) counts per revolution"
        case .tachometer(let pulses): "tachometer, \(pulses) pulses per revolution"
        }
    }
}
