/// A controller gain: duty (in parts per million) per hertz of speed error.
public struct DutyPerHertz: Hashable, Sendable {
    public var partsPerMillion: Int32
    public init(partsPerMillion: Int32) { self.partsPerMillion = partsPerMillion }
    var value: Double { Double(partsPerMillion) / 1_000_000 }
}

/// An integral gain: duty (in parts per million) per hertz of error per second.
public struct DutyPerHertzSecond: Hashable, Sendable {
    public var partsPerMillion: Int32
    public init(partsPerMillion: Int32) { self.partsPerMillion = partsPerMillion }
    var value: Double { Double(partsPerMillion) / 1_000_000 }
}

/// How the stroke-speed loop is tuned: a PI controller with feed-forward from a motor model.
/// The defaults match the simulated pen's motor (Docs/architecture.md, "Speed control").
public struct SpeedControlSettings: Sendable, Equatable {
    /// The stroke-rate sensor (`[sensor]`): its kind and resolution.
    public var sensor: SpeedSensor = .default
    /// The speed estimate spans at least this long (and a whole sensor cycle): a time, not a
    /// number of ticks, since the edges are timed by the kernel whatever the tick rate (8 ticks
    /// at 100 Hz were an 80 ms lag, and the default treatment overshot into `overspeed`).
    public var estimatorWindow: Nanoseconds = .milliseconds(8)
    public var proportionalGain = DutyPerHertz(partsPerMillion: 12_000)
    public var integralGain = DutyPerHertzSecond(partsPerMillion: 200_000)
    /// The unloaded stroke rate at full duty: feed-forward duty = setpoint / this.
    public var feedForwardSpeedAtFullDuty = Hertz(166)
    /// Duty that accelerates the rotor and cam along the ramp (inertia feed-forward), in duty
    /// parts per million per hertz-per-second of setpoint change.
    public var feedForwardAccelerationDuty = DutyPerHertzSecond(partsPerMillion: 180)
    /// Duty that overcomes friction, added to the feed-forward while turning.
    public var feedForwardFrictionDuty = Duty(uncheckedPartsPerMillion: 10_000)
    /// Below this measured speed the motor counts as stopped (stopping ends, reset is allowed).
    public var stoppedSpeed = Hertz(3)
    /// A fault reset waits until the motor has been neither driven nor seen to move (no sensor
    /// edge, the speed at or below `stoppedSpeed`) for this long. A speed that reads zero is
    /// not a motor at rest: before a run's first two edges the estimate is unknown and reads 0
    /// (the motor already at 10–14 Hz), and between a slowing motor's last edges it dips. A
    /// reset taken so (an emergency stop in a run's first ~30 ms, the reset at once) left the
    /// motor coasting at ~14 Hz under an idle pen's envelope, and it latched `overspeed` a few
    /// ticks later (seen in the daemon's tests).
    public var stillHold: Nanoseconds = .milliseconds(200)

    public init() {}
}

/// The depth stage: a stepper on a lead screw, homed against a switch at full retraction.
public struct DepthAxisSettings: Sendable, Equatable {
    /// Lead-screw travel per step. 5 µm: 200 steps per revolution on a 1 mm lead.
    public var micrometresPerStep: Int32 = 5
    public var rateMax = StepsPerSecond(1000)
    public var acceleration = StepsPerSecondSquared(10_000)
    /// How fast a depth change moves while the needles are running in skin (0.5 mm/s).
    public var rateWhileRunning = StepsPerSecond(100)
    public var homingRate = StepsPerSecond(500)
    /// The most steps issued in one tick (the step line toggles once per step).
    public var stepsPerTickMax: Int32 = 1
    /// On a fault, retract the needles to 0 where the axis is trusted; otherwise hold.
    public var retractOnFault = true

    public init() {}

    func steps(for depth: Micrometres) -> Steps { Steps(depth.rawValue / micrometresPerStep) }
    func depth(for steps: Steps) -> Micrometres { Micrometres(steps.rawValue * micrometresPerStep) }
}
