/// The per-tick limit checks. Each compares a measured or commanded value with its limit and
/// latches a fault on a breach; none of them moves anything.
extension Supervisor {
    mutating func checkHardware(_ inputs: PenInputs) {
        switch inputs.hardwareStatus {
        case .ok: break
        case .lost: latch(.hardwareLost)
        case .ioError: latch(.ioError)
        }
    }

    mutating func checkInputs(_ inputs: PenInputs) {
        if inputs.emergencyStopPressed { latch(.emergencyStop) }
        // A count that cannot be trusted could hide an overspeed: nothing is driven on it.
        if !inputs.speedSensorTrusted { latch(.speedSensorFault) }
        if inputs.motorDriverFaultActive { latch(.motorDriverFault) }
        if inputs.temperature > limits.temperatureMax {
            latch(.overTemperature, .temperature(measured: inputs.temperature, limit: limits.temperatureMax))
        }

        let lateThreshold = Nanoseconds(configuration.tickPeriod.rawValue * 3 / 2)
        lateTicksInARow = inputs.measuredPeriod > lateThreshold ? lateTicksInARow + 1 : 0
        if lateTicksInARow >= limits.tickOverrunsInARowMax {
            latch(.tickOverrun, .lateTicks(lateTicksInARow))
        }

        if !inputs.cartridgePresent {
            if session?.cartridgeAccepted == true {
                session?.cartridgeAccepted = false
                pendingEvents.append(.cartridgeRemoved(tick: tickIndex))
            }
            if phase == .armed || phase.motorMayRun { latch(.cartridgeRemoved) }
        }
    }

    /// The step count against the home switch (lost steps), and the depth against its limit.
    mutating func checkDepth(_ inputs: PenInputs) {
        guard homed, phase != .homing else { return }
        let position = depthAxis.position
        let toleranceSteps = max(
            1, limits.depthFollowingErrorTolerance.rawValue / configuration.depthAxis.micrometresPerStep)
        if inputs.homeSwitchActive && position.rawValue > toleranceSteps {
            // The stage is at home while the count says it is deeper: steps were lost going deeper.
            latch(.depthFollowingError, .depth(measured: depthAxis.depth, limit: limits.depthFollowingErrorTolerance))
        } else if !inputs.homeSwitchActive && position.rawValue <= 0 {
            // The count says home but the stage is not there: it is deeper than the count.
            latch(.depthFollowingError, .depth(measured: depthAxis.depth, limit: limits.depthFollowingErrorTolerance))
        }
        let depthMax = effectiveDepthMax
        if depthAxis.depth > depthMax {
            latch(.overDepth, .depth(measured: depthAxis.depth, limit: depthMax))
        } else if depthTarget > depthMax && phase != .fault {
            latch(.overDepth, .depth(measured: depthTarget, limit: depthMax))
        }
    }

    /// Overspeed against the envelope of the commanded setpoint, and stall against the setpoint.
    /// `elapsed` is the time since the last tick: through a late tick the ramp went on (this
    /// tick's setpoint is where it got to), and the envelope decays by the time, not the ticks.
    mutating func checkSpeed(elapsed: Nanoseconds) {
        let measured = estimator.speed
        var commanded = phase.motorMayRun ? speedController.rampedSetpoint : .zero
        if phase == .running {
            commanded = max(
                commanded,
                SpeedController.setpoint(
                    from: speedController.rampedSetpoint, towards: speedTarget, ramp: limits.speedRamp,
                    elapsed: elapsed))
        }
        let decayPerTick =
            Int64(limits.speedRamp.millihertzPerSecond) * min(max(elapsed.rawValue, 0), 1_000_000_000)
            / 2_000_000_000
        let decayed = Hertz(millihertz: max(0, speedEnvelope.millihertz - Int32(max(1, decayPerTick))))
        speedEnvelope = max(commanded, decayed)
        let ceiling = min(speedEnvelope, limits.speedMax) + limits.overspeedMargin
        // On the magnitude: a sensor wired or decoded the wrong way round reads a runaway as a
        // fast reverse, which is no less an overspeed.
        if Hertz(millihertz: abs(measured.millihertz)) > ceiling {
            latch(.overspeed, .speed(measured: measured, limit: ceiling))
        }
        if (phase == .armed || phase == .running) && speedTarget > limits.speedMax {
            latch(.overspeed, .speed(measured: speedTarget, limit: limits.speedMax))
        }

        let setpoint = speedController.rampedSetpoint
        let stallFloor = Hertz(10)
        if phase.motorMayRun && setpoint >= stallFloor && measured.millihertz < setpoint.millihertz / 2 {
            slowTicksInARow += 1
        } else {
            slowTicksInARow = 0
        }
        if elapsedTicks(slowTicksInARow) >= limits.stallTimeout {
            latch(.stall, .speed(measured: measured, limit: setpoint))
        }
    }

    mutating func checkTimers() {
        if phase == .homing && elapsed(since: phaseEnteredAt) > limits.homingTimeout {
            latch(.homingTimeout, .duration(elapsed: elapsed(since: phaseEnteredAt), limit: limits.homingTimeout))
        }
        if phase == .running && elapsed(since: phaseEnteredAt) > limits.continuousRunMax {
            latch(.runTimeExceeded, .duration(elapsed: elapsed(since: phaseEnteredAt), limit: limits.continuousRunMax))
        }
        if phase == .running, let open = session, open.cartridgeAccepted {
            let used = configuration.tickPeriod * (open.cartridgeRunTicks + 1)
            session?.cartridgeRunTicks = open.cartridgeRunTicks + 1
            if !open.cartridgeSpent && used > limits.cartridgeUseMax {
                session?.cartridgeSpent = true
                latch(.cartridgeUseTimeExceeded, .duration(elapsed: used, limit: limits.cartridgeUseMax))
            }
        }
        if let open = session, !open.expired, elapsed(since: open.openedAt) > limits.sessionLengthMax {
            session?.expired = true
            latch(
                .sessionTimeExceeded, .duration(elapsed: elapsed(since: open.openedAt), limit: limits.sessionLengthMax))
        }
    }

    private func elapsedTicks(_ ticks: Int64) -> Nanoseconds { configuration.tickPeriod * ticks }
}
