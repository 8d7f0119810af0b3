/// Command handling: each command is checked against the state and the limits, and is either
/// applied or refused with a `CommandRejection`. A refused command changes nothing.
extension Supervisor {
    public mutating func handle(_ command: PenCommand) throws(CommandRejection) {
        let kind = command.kind
        switch command {
        case .emergencyStop:
            latch(.emergencyStop)
            return
        case .stop:
            stop()
            return
        default:
            break
        }
        if let fault, kind.isMotion {
            throw .faultLatched(command: kind, code: fault.code)
        }
        guard kind.allowedPhases.contains(phase) else {
            throw .invalidState(command: kind, state: phase, allowed: kind.allowedPhases)
        }
        switch command {
        case .home: home()
        case .arm: try arm()
        case .start: start()
        case .resetFault: try resetFault()
        case .setDepth(let depth): try setDepth(depth)
        case .setSpeed(let speed): try setSpeed(speed)
        case .openSession(let area): try openSession(area)
        case .closeSession: try closeSession()
        case .acceptCartridge: try acceptCartridge()
        case .emergencyStop, .stop: preconditionFailure("handled above")
        }
    }

    /// Stop is never refused: it ends whatever motion there is and is harmless otherwise.
    private mutating func stop() {
        switch phase {
        case .running: enter(.stopping)
        case .armed: enter(.ready)
        case .homing:
            depthAxis.abortHoming()
            enter(.idle)
        case .idle, .ready, .stopping, .fault: break
        }
    }

    private mutating func home() {
        homed = false
        depthAxis.beginHoming(switchActive: lastInputs.homeSwitchActive)
        enter(.homing)
    }

    private mutating func arm() throws(CommandRejection) {
        guard let session else { throw .noSession(command: .arm) }
        guard !session.expired else { throw .sessionExpired }
        guard lastInputs.cartridgePresent else { throw .cartridgeAbsent(command: .arm) }
        guard session.cartridgeAccepted else { throw .cartridgeNotAccepted }
        guard !session.cartridgeSpent else { throw .cartridgeUseTimeExceeded }
        try validate(depth: depthTarget)
        try validate(speed: speedTarget)
        assert(homed, "ready without being homed")
        enter(.armed)
    }

    private mutating func start() {
        assert(phase == .armed)
        speedController.reset()  // soft start: the ramp begins at zero
        slowTicksInARow = 0
        enter(.running)
    }

    private mutating func resetFault() throws(CommandRejection) {
        guard let fault else { preconditionFailure("fault phase without a fault") }
        if let condition = persistingCondition() {
            throw .faultConditionPersists(code: fault.code, condition: condition)
        }
        self.fault = nil
        homed = false
        depthAxis.hold()
        lateTicksInARow = 0
        slowTicksInARow = 0
        enter(.idle)
    }

    private func persistingCondition() -> PersistingCondition? {
        if lastInputs.hardwareStatus != .ok { return .hardwareUnavailable }
        if !lastInputs.speedSensorTrusted { return .speedSensorUntrusted }
        if !recordsWritable { return .recordsUnavailable }
        if lastInputs.emergencyStopPressed { return .emergencyStopPressed }
        if lastInputs.motorDriverFaultActive { return .motorDriverFaultActive }
        if lastInputs.temperature > limits.temperatureMax {
            return .temperature(measured: lastInputs.temperature, limit: limits.temperatureMax)
        }
        if estimator.speed > configuration.speedControl.stoppedSpeed { return .motorStillTurning(estimator.speed) }
        if stillFor < configuration.speedControl.stillHold {
            return .motorNotYetStill(stillFor: stillFor, hold: configuration.speedControl.stillHold)
        }
        return nil
    }

    private mutating func setDepth(_ requested: Micrometres) throws(CommandRejection) {
        try validate(depth: requested)
        // Round down to a whole step: never deeper than asked.
        let perStep = configuration.depthAxis.micrometresPerStep
        depthTarget = Micrometres(requested.rawValue / perStep * perStep)
    }

    private mutating func setSpeed(_ requested: Hertz) throws(CommandRejection) {
        try validate(speed: requested)
        speedTarget = requested
    }

    private mutating func openSession(_ area: TreatmentArea) throws(CommandRejection) {
        if let session { throw .sessionAlreadyOpen(area: session.area) }
        guard lastInputs.cartridgePresent else { throw .cartridgeAbsent(command: .openSession) }
        let areaMax = limits.effectiveDepthMax(in: area)
        let deepest = max(depthTarget, depth)
        guard deepest <= areaMax else {
            throw .limitExceeded(
                LimitViolation(
                    limit: .areaMaxDepth, quantity: .depth(requested: deepest, allowed: .zero...areaMax), area: area))
        }
        session = TreatmentSessionState(
            area: area, openedAt: tickIndex, cartridgeAccepted: true, expired: false,
            encoderCountAtOpen: lastInputs.encoderCount)
        pendingEvents.append(.sessionOpened(area: area, tick: tickIndex))
    }

    private mutating func closeSession() throws(CommandRejection) {
        guard session != nil else { throw .noSession(command: .closeSession) }
        session = nil
        pendingEvents.append(.sessionClosed(tick: tickIndex))
    }

    private mutating func acceptCartridge() throws(CommandRejection) {
        guard session != nil else { throw .noSession(command: .acceptCartridge) }
        guard lastInputs.cartridgePresent else { throw .cartridgeAbsent(command: .acceptCartridge) }
        session?.cartridgeAccepted = true
        session?.cartridgeRunTicks = 0  // a new cartridge: its own use time
        session?.cartridgeSpent = false
        pendingEvents.append(.cartridgeAccepted(tick: tickIndex))
    }

    // MARK: Validation, shared by commands and usable by the socket side on a snapshot

    func validate(depth requested: Micrometres) throws(CommandRejection) {
        let globalMax = limits.depthMax
        let areaMax = effectiveDepthMax
        guard requested >= .zero else {
            throw .limitExceeded(
                LimitViolation(limit: .minDepth, quantity: .depth(requested: requested, allowed: .zero...areaMax)))
        }
        guard requested <= areaMax else {
            let limit: LimitName = areaMax < globalMax ? .areaMaxDepth : .maxDepth
            throw .limitExceeded(
                LimitViolation(
                    limit: limit, quantity: .depth(requested: requested, allowed: .zero...areaMax),
                    area: limit == .areaMaxDepth ? session?.area : nil))
        }
    }

    func validate(speed requested: Hertz) throws(CommandRejection) {
        let allowed = limits.speedMin...limits.speedMax
        if requested < limits.speedMin {
            throw .limitExceeded(
                LimitViolation(limit: .minSpeed, quantity: .speed(requested: requested, allowed: allowed)))
        }
        if requested > limits.speedMax {
            throw .limitExceeded(
                LimitViolation(limit: .maxSpeed, quantity: .speed(requested: requested, allowed: allowed)))
        }
    }
}
