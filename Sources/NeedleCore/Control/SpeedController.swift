/// Closed-loop stroke speed: a ramped setpoint (the soft start and the ramp-down), feed-forward
/// from the motor model, and a PI correction with conditional-integration anti-windup.
/// Output is a PWM duty in 0...1; it never decides whether the motor is enabled.
struct SpeedController: Sendable, Equatable {
    let settings: SpeedControlSettings

    /// The setpoint after the ramp: what the loop actually tracks this tick.
    private(set) var rampedSetpoint: Hertz = .zero
    /// The setpoint's change over the last tick, in hertz per second (for the inertia feed-forward).
    private var setpointSlope: Double = 0
    private var integral: Double = 0

    init(settings: SpeedControlSettings) {
        self.settings = settings
    }

    /// Move the ramped setpoint towards `target` by what the ramp allows in `elapsed`, the time
    /// that truly passed since the last tick: the motor keeps turning through a late tick, so a
    /// ramp counted in ticks would fall behind the motor it describes.
    mutating func advanceSetpoint(towards target: Hertz, ramp: HertzPerSecond, elapsed: Nanoseconds) {
        let before = rampedSetpoint
        rampedSetpoint = Self.setpoint(from: before, towards: target, ramp: ramp, elapsed: elapsed)
        setpointSlope = (rampedSetpoint - before).hertzValue / max(elapsed, Nanoseconds(1)).secondsValue
    }

    /// Where a ramp from `setpoint` towards `target` stands after `elapsed` (at least 1 mHz a
    /// step, so a slow ramp still arrives).
    static func setpoint(
        from setpoint: Hertz, towards target: Hertz, ramp: HertzPerSecond, elapsed: Nanoseconds
    )
        -> Hertz
    {
        // A second is more than any ramp needs across the whole speed range; bounding it keeps
        // the product in range whatever a stalled clock reports.
        let seconds = min(max(elapsed.rawValue, 0), 1_000_000_000)
        let step = max(1, Int64(ramp.millihertzPerSecond) * seconds / 1_000_000_000)
        let difference = Int64(target.millihertz) - Int64(setpoint.millihertz)
        let moved = difference > 0 ? min(difference, step) : -min(-difference, step)
        return Hertz(millihertz: Int32(Int64(setpoint.millihertz) + moved))
    }

    /// The duty for this tick, given the measured speed; nil while the sensor has no measurement
    /// yet (a start from rest with a coarse sensor), when the feed-forward alone steers and the
    /// integrator holds: correcting against a speed of zero that is only unmeasured would wind
    /// the integrator up and overshoot once the first edges arrive.
    mutating func duty(measured: Hertz?, tickPeriod: Nanoseconds) -> Duty {
        let setpoint = rampedSetpoint.hertzValue
        guard setpoint > 0 else {
            integral = 0
            return .off
        }
        let feedForward =
            setpoint / settings.feedForwardSpeedAtFullDuty.hertzValue
            + settings.feedForwardFrictionDuty.fraction
            + settings.feedForwardAccelerationDuty.value * setpointSlope
        // The estimate averages over its window, so it describes the speed half a window ago,
        // and the duty it answers was held for the tick before: compare it with the setpoint of
        // that moment, or every ramp ends in an overshoot (8.7 % at 100 ticks a second without
        // the tick's half).
        guard let measured else { return Duty(fraction: min(max(feedForward + integral, 0), 1)) }
        let estimatorLag = settings.estimatorWindow.secondsValue / 2 + tickPeriod.secondsValue / 2
        let error = setpoint - setpointSlope * estimatorLag - measured.hertzValue
        let proportional = settings.proportionalGain.value * error
        let unclamped = feedForward + proportional + integral
        // Integrate only when the output is not saturated in the direction the error pushes.
        let saturatedHigh = unclamped >= 1 && error > 0
        let saturatedLow = unclamped <= 0 && error < 0
        if !saturatedHigh && !saturatedLow {
            integral += settings.integralGain.value * error * tickPeriod.secondsValue
            integral = min(max(integral, -1), 1)
        }
        let output = min(max(feedForward + proportional + integral, 0), 1)
        let duty = Duty(fraction: output)
        assert(duty <= .full && duty >= .off)
        return duty
    }

    /// Back to rest: setpoint zero, integrator empty. Used when the motor is disabled.
    mutating func reset() {
        rampedSetpoint = .zero
        setpointSlope = 0
        integral = 0
    }
}
