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

    /// Move the ramped setpoint one tick towards `target`, at most `ramp` per second.
    mutating func advanceSetpoint(towards target: Hertz, ramp: HertzPerSecond, tickPeriod: Nanoseconds) {
        let stepMillihertz = Int64(ramp.millihertzPerSecond) * tickPeriod.rawValue / 1_000_000_000
        let step = Int32(max(1, stepMillihertz))
        let before = rampedSetpoint
        let difference = target.millihertz - rampedSetpoint.millihertz
        if difference > 0 {
            rampedSetpoint.millihertz += min(difference, step)
        } else if difference < 0 {
            rampedSetpoint.millihertz -= min(-difference, step)
        }
        setpointSlope = (rampedSetpoint - before).hertzValue / tickPeriod.secondsValue
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
        // The estimate averages over its window, so it describes the speed half a window ago:
        // compare it with the setpoint of that moment, or every ramp ends in an overshoot.
        guard let measured else { return Duty(fraction: min(max(feedForward + integral, 0), 1)) }
        let estimatorLag = Double(settings.estimatorWindowTicks) / 2 * tickPeriod.secondsValue
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
