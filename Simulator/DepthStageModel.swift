/// The depth stage: a stepper on a lead screw between two hard stops, with a home switch that
/// closes at full retraction. It can lose steps deeper under overload (`stepLoss`).
public struct DepthStageModel: Sendable {
    /// The stage's true position in steps from the home switch's edge (0 = switch just closed).
    public private(set) var positionSteps: Int32
    /// Behind home (negative) and at full travel: steps beyond a stop are lost.
    public let retractedStopSteps: Int32 = -40
    public let extendedStopSteps: Int32 = 640
    public private(set) var lostSteps: Int64 = 0
    private var stepLossToggle = false

    init(positionSteps: Int32) {
        self.positionSteps = positionSteps
    }

    public var homeSwitchActive: Bool { positionSteps <= 0 }

    /// Puts the stage at `steps` (a replay begins mid-treatment).
    mutating func prime(positionSteps steps: Int32) { positionSteps = steps }

    mutating func apply(steps: Int32, enabled: Bool, losingSteps: Bool) {
        guard enabled, steps != 0 else { return }
        let direction: Int32 = steps > 0 ? 1 : -1
        for _ in 0..<abs(steps) {
            if direction > 0 && losingSteps {
                stepLossToggle.toggle()
                if stepLossToggle {
                    lostSteps += 1
                    continue
                }
            }
            let next = positionSteps + direction
            guard next >= retractedStopSteps && next <= extendedStopSteps else {
                lostSteps += 1
                continue
            }
            positionSteps = next
        }
    }
}
