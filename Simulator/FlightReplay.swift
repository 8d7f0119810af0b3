public import NeedleCore

/// Replays a fault's flight window through the simulated pen: the recorded outputs (enable,
/// brake, duty, steps) drive the model's physics from the recorded starting speed and depth, and
/// what the model's sensors would have read is set against what the pen's sensors did read.
/// Where the two part, the pen did something the model does not: a jam or a load (speed falls
/// behind), a slipping stage (depth), or an encoder that lies. On the simulated pen they agree
/// unless a fault was injected; on hardware the difference is the evidence.
public struct FlightReplay: Sendable {
    /// One recorded tick: what the loop wrote, and what it measured.
    public struct Tick: Sendable {
        public var tick: Int64
        public var outputs: PenOutputs
        public var measuredPeriod: Nanoseconds
        public var recordedSpeed: Hertz
        public var recordedDepth: Micrometres

        public init(
            tick: Int64, outputs: PenOutputs, measuredPeriod: Nanoseconds, recordedSpeed: Hertz,
            recordedDepth: Micrometres
        ) {
            self.tick = tick
            self.outputs = outputs
            self.measuredPeriod = measuredPeriod
            self.recordedSpeed = recordedSpeed
            self.recordedDepth = recordedDepth
        }
    }

    /// The model's reading at each tick, beside the recorded one.
    public struct Sample: Sendable {
        public var tick: Int64
        public var recordedSpeed: Hertz
        public var simulatedSpeed: Hertz
        public var recordedDepth: Micrometres
        public var simulatedDepth: Micrometres
    }

    public private(set) var samples: [Sample] = []
    /// The first tick of the first run of `partingTicks` ticks in which the speeds differ by more
    /// than `speedTolerance` (nil: they never do). A run, not a tick: the pen's sensor and the
    /// model's stand at different phases, so while the speed changes their estimates can differ by
    /// an edge interval's worth for a few ticks; a jam keeps them apart until the stall latches.
    public static let partingTicks = 20
    /// Where the speeds parted, as above.
    public private(set) var partedAt: Int64?
    private var apartSince: Int64?
    private var apartTicks = 0
    public private(set) var speedDeviationMax: Hertz = .zero
    public private(set) var depthDeviationMax: Micrometres = .zero

    /// Runs the replay. The simulated speed is estimated as the loop does (the loop's own
    /// `SpeedEstimator` over the simulated sensor); the first window is warm-up and not compared.
    public init(
        _ ticks: [Tick], window: Nanoseconds = SpeedControlSettings().estimatorWindow,
        tickPeriod: Nanoseconds = PenConfiguration().tickPeriod,
        speedTolerance: Hertz = Hertz(5)
    ) {
        guard let first = ticks.first else { return }
        var pen = SimulatedPen(seed: 1)
        pen.prime(strokeRate: first.recordedSpeed, depth: first.recordedDepth)
        var estimator = SpeedEstimator(window: window, sensor: pen.motor.parameters.sensor, tickPeriod: tickPeriod)
        var warmedUp: Int64 = 0
        for tick in ticks {
            pen.advance(by: tick.measuredPeriod)
            let inputs = pen.readInputs(measuredPeriod: tick.measuredPeriod)
            estimator.update(
                count: inputs.encoderCount, newestEdgeAge: inputs.newestEdgeAge,
                edgesCompleteAge: inputs.edgesCompleteAge, measuredPeriod: tick.measuredPeriod)
            let simulated = estimator.speed
            let sample = Sample(
                tick: tick.tick, recordedSpeed: tick.recordedSpeed, simulatedSpeed: simulated,
                recordedDepth: tick.recordedDepth, simulatedDepth: pen.trueDepth)
            samples.append(sample)
            warmedUp += tick.measuredPeriod.rawValue
            if warmedUp > window.rawValue {
                let speedGap = Hertz(millihertz: abs(sample.recordedSpeed.millihertz - simulated.millihertz))
                let depthGap = Micrometres(abs(sample.recordedDepth.rawValue - sample.simulatedDepth.rawValue))
                speedDeviationMax = max(speedDeviationMax, speedGap)
                depthDeviationMax = max(depthDeviationMax, depthGap)
                if speedGap > speedTolerance {
                    if apartTicks == 0 { apartSince = tick.tick }
                    apartTicks += 1
                    if partedAt == nil && apartTicks >= Self.partingTicks { partedAt = apartSince }
                } else {
                    apartTicks = 0
                }
            }
            pen.writeOutputs(tick.outputs)
        }
    }
}
