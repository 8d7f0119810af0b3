/// Moving the state machine on by one tick and computing the outputs for that tick.
extension Supervisor {
    mutating func advancePhase(_ inputs: PenInputs) -> PenOutputs {
        let period = configuration.tickPeriod
        switch phase {
        case .fault:
            return faultOutputs()
        case .idle:
            return motorOff(depthSteps: 0)
        case .homing:
            switch depthAxis.advanceHoming(switchActive: inputs.homeSwitchActive, tickPeriod: period) {
            case .moving(let steps):
                return motorOff(depthSteps: steps)
            case .found:
                homed = true
                depthTarget = .zero
                pendingEvents.append(.homed(tick: tickIndex))
                enter(.ready)
                return motorOff(depthSteps: 0)
            case .switchStuck:
                latch(.homingTimeout, .duration(elapsed: elapsed(since: phaseEnteredAt), limit: limits.homingTimeout))
                return faultOutputs()
            }
        case .ready:
            return motorOff(depthSteps: moveDepth(rate: configuration.depthAxis.rateMax))
        case .armed:
            if elapsed(since: phaseEnteredAt) >= limits.armTimeout {
                pendingEvents.append(.armTimedOut(tick: tickIndex))
                enter(.ready)
            }
            return motorOff(depthSteps: moveDepth(rate: configuration.depthAxis.rateMax))
        case .running:
            speedController.advanceSetpoint(
                towards: speedTarget, ramp: limits.speedRamp, elapsed: inputs.measuredPeriod)
            return motorDriven(depthSteps: moveDepth(rate: configuration.depthAxis.rateWhileRunning))
        case .stopping:
            speedController.advanceSetpoint(towards: .zero, ramp: limits.speedRamp, elapsed: inputs.measuredPeriod)
            let steps = moveDepth(rate: configuration.depthAxis.rateWhileRunning)
            if speedController.rampedSetpoint == .zero && estimator.speed <= configuration.speedControl.stoppedSpeed {
                speedController.reset()
                enter(.ready)
                return motorOff(depthSteps: steps)
            }
            return motorDriven(depthSteps: steps)
        }
    }

    private mutating func moveDepth(rate: StepsPerSecond) -> Int32 {
        let target = configuration.depthAxis.steps(for: depthTarget)
        return depthAxis.advance(towards: target, rateMax: rate, tickPeriod: configuration.tickPeriod)
    }

    private mutating func motorOff(depthSteps: Int32) -> PenOutputs {
        heartbeat = false
        return PenOutputs(
            motorEnabled: false, brakeEngaged: true, motorDuty: .off, heartbeat: false,
            stepperEnabled: true, depthSteps: depthSteps)
    }

    private mutating func motorDriven(depthSteps: Int32) -> PenOutputs {
        precondition(phase.motorMayRun && fault == nil, "driving the motor outside running/stopping")
        let duty = speedController.duty(
            measured: estimator.speedKnown ? estimator.speed : nil, tickPeriod: configuration.tickPeriod)
        heartbeat.toggle()
        return PenOutputs(
            motorEnabled: true, brakeEngaged: false, motorDuty: duty, heartbeat: heartbeat,
            stepperEnabled: true, depthSteps: depthSteps)
    }

    /// Motor disabled and braked; the needles retract where configured and the step count is
    /// trusted, and hold otherwise.
    private mutating func faultOutputs() -> PenOutputs {
        guard let fault else { preconditionFailure("fault outputs without a fault") }
        let retract = configuration.depthAxis.retractOnFault && homed && !fault.code.depthAxisUntrusted
        guard retract else {
            depthAxis.hold()
            return motorOff(depthSteps: 0)
        }
        let steps = depthAxis.advance(
            towards: .zero, rateMax: configuration.depthAxis.rateMax, tickPeriod: configuration.tickPeriod)
        return motorOff(depthSteps: steps)
    }
}
