/// The depth stage's step scheduling: trapezoidal moves with an acceleration limit, homing
/// against the home switch, and the count that the supervisor checks against that switch.
///
/// `position` counts steps from home (0 = fully retracted) including the steps issued this tick.
/// Moves only ever step towards the target, so a move can never pass beyond it.
struct DepthAxis: Sendable, Equatable {
    enum HomingPhase: Sendable, Equatable {
        /// Started on the switch: step deeper until it releases (at most `leaveStepsMax`).
        case leavingSwitch(stepsTaken: Int32)
        /// Step shallower until the switch closes; that step is position 0.
        case seekingSwitch
    }

    enum HomingProgress: Sendable, Equatable {
        case moving(steps: Int32)
        case found
        /// The switch stayed closed over the whole allowed leave distance: it is stuck.
        case switchStuck
    }

    /// The most the axis moves deeper to get off a closed switch: 200 µm.
    static let leaveDistanceMax = Micrometres(200)

    let settings: DepthAxisSettings
    private(set) var position: Steps = .zero
    private var velocity: Double = 0  // steps per second, signed (+ deeper)
    private var accumulator: Double = 0  // fractional steps carried between ticks
    private(set) var homingPhase: HomingPhase? = nil

    init(settings: DepthAxisSettings) {
        self.settings = settings
    }

    var depth: Micrometres { settings.depth(for: position) }
    var isMoving: Bool { velocity != 0 }

    // MARK: Positioning

    /// One tick of a move towards `target`; returns the signed steps to issue this tick.
    mutating func advance(towards target: Steps, rateMax: StepsPerSecond, tickPeriod: Nanoseconds) -> Int32 {
        precondition(homingPhase == nil, "advance while homing")
        let distance = target.rawValue - position.rawValue
        if distance == 0 {
            velocity = 0
            accumulator = 0
            return 0
        }
        let sign = distance.signum()  // +1 deeper, -1 shallower
        let direction = Double(sign)
        if velocity * direction < 0 {
            // Never keep stepping away from the target: stop, then accelerate towards it.
            velocity = 0
            accumulator = 0
        }
        let dt = tickPeriod.secondsValue
        let acceleration = Double(settings.acceleration.rawValue)
        let stoppingSpeed = (2 * acceleration * Double(abs(distance))).squareRoot()
        let desired = direction * min(Double(rateMax.rawValue), stoppingSpeed)
        let change = min(max(desired - velocity, -acceleration * dt), acceleration * dt)
        velocity += change
        accumulator += velocity * dt
        // Whole steps owed towards the target: never away from it, never past it, never more
        // than the per-tick bound. The sign comes from `distance`, so a stale accumulator of the
        // other sign can only delay a step, not reverse one.
        let owed = Int32((accumulator * direction).rounded(.towardZero))
        let count = min(max(owed, 0), settings.stepsPerTickMax, abs(distance))
        let steps = sign * count
        accumulator -= Double(steps)
        if abs(accumulator) > 1 { accumulator = direction }  // held back by stepsPerTickMax: no backlog
        position.rawValue += steps
        return steps
    }

    /// Stop where the axis is (a fault's hold).
    mutating func hold() {
        velocity = 0
        accumulator = 0
    }

    // MARK: Homing

    mutating func beginHoming(switchActive: Bool) {
        velocity = 0
        accumulator = 0
        homingPhase = switchActive ? .leavingSwitch(stepsTaken: 0) : .seekingSwitch
    }

    mutating func abortHoming() {
        homingPhase = nil
        hold()
    }

    /// One homing tick. `switchActive` is the switch as read this tick (after last tick's steps).
    mutating func advanceHoming(switchActive: Bool, tickPeriod: Nanoseconds) -> HomingProgress {
        guard let phase = homingPhase else { preconditionFailure("advanceHoming while not homing") }
        switch phase {
        case .leavingSwitch(let taken):
            if !switchActive {
                homingPhase = .seekingSwitch
                return .moving(steps: 0)
            }
            let leaveStepsMax = Self.leaveDistanceMax.rawValue / settings.micrometresPerStep
            guard taken < leaveStepsMax else { return .switchStuck }
            let steps = homingSteps(tickPeriod: tickPeriod)
            homingPhase = .leavingSwitch(stepsTaken: taken + steps)
            return .moving(steps: steps)
        case .seekingSwitch:
            if switchActive {
                homingPhase = nil
                position = .zero
                hold()
                return .found
            }
            return .moving(steps: -homingSteps(tickPeriod: tickPeriod))
        }
    }

    /// Steps at the constant homing rate, at most one per tick.
    private mutating func homingSteps(tickPeriod: Nanoseconds) -> Int32 {
        accumulator += Double(settings.homingRate.rawValue) * tickPeriod.secondsValue
        guard accumulator >= 1 else { return 0 }
        accumulator -= 1
        return 1
    }
}
