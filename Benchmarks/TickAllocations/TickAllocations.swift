// The tick is real-time code: it must not allocate. These benchmarks count mallocs per tick of
// (1) the core's supervisor against the simulated pen, and (2) the daemon loop's whole tick path
// (mailbox, supervisor, backend, event and snapshot rings). CI gates on mallocCountTotal == 0.
//
//   Scripts/bench-allocations   (fails unless every Malloc (total) percentile is 0)
import Benchmark
import NeedleCore
import NeedledDaemon
import PenSimulator

/// A running treatment, so that every part of the tick is exercised (speed loop, depth moves).
func runningHarness() -> SimulationHarness {
    var harness = SimulationHarness(seed: 3)
    try! harness.startTreatment(area: .cheeks, speed: Hertz(120))
    try! harness.send(.setDepth(Micrometres(800)))
    harness.run(ticks: 300)
    precondition(harness.supervisor.phase == .running, "the benchmark's pen is not running")
    return harness
}

let ticksPerIteration = 1_000

/// The daemon's loop (not started: ticked here) with a treatment started through the mailbox, as
/// the socket side would, and its rings drained.
func runningLoop() -> (ControlLoop<SimulatedBackend>, LoopChannels) {
    let channels = LoopChannels()
    let loop = ControlLoop(supervisor: Supervisor(), backend: SimulatedBackend(seed: 3), channels: channels)
    channels.requests.push(LoopEnvelope(requestID: 1, request: .pen(.home)))
    for _ in 0..<2_000 { loop.tick(measuredPeriod: .milliseconds(1)) }
    for request in [LoopRequest.pen(.openSession(.cheeks)), .pen(.setSpeed(Hertz(120))), .pen(.arm), .pen(.start)] {
        channels.requests.push(LoopEnvelope(requestID: 2, request: request))
    }
    for _ in 0..<300 { loop.tick(measuredPeriod: .milliseconds(1)) }
    while channels.replies.pop() != nil {}
    return (loop, channels)
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.mallocCountTotal, .wallClock],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 200)

    Benchmark("SupervisorTick", configuration: configuration) { benchmark in
        var harness = runningHarness()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(harness.step())
        }
        benchmark.stopMeasurement()
        precondition(harness.supervisor.fault == nil, "faulted during the benchmark")
    }

    Benchmark("LoopTickPath", configuration: configuration) {
        benchmark in
        let (loop, channels) = runningLoop()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            if index % 100 == 0 {
                channels.requests.push(LoopEnvelope(requestID: 3, request: .pen(.setDepth(Micrometres(500)))))
            }
            loop.tick(measuredPeriod: .milliseconds(1))
            // The socket side drains the rings, as the event loop does every millisecond.
            while channels.snapshots.pop() != nil {}
            while channels.events.pop() != nil {}
            while channels.replies.pop() != nil {}
        }
        benchmark.stopMeasurement()
    }

    // A fault in the middle of the measured ticks: the flight recorder freezes its 10 s window
    // and switches to its spare buffer inside the tick. Taking the window out (which allocates)
    // is the socket side's work, so the benchmark hands the buffer back without copying.
    Benchmark("LoopTickPathThroughFault", configuration: configuration) { benchmark in
        let (loop, channels) = runningLoop()
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            if index == ticksPerIteration / 2 {
                channels.requests.push(LoopEnvelope(requestID: 4, request: .pen(.emergencyStop)))
            }
            loop.tick(measuredPeriod: .milliseconds(1))
            while channels.snapshots.pop() != nil {}
            while channels.events.pop() != nil {}
            while channels.replies.pop() != nil {}
        }
        benchmark.stopMeasurement()
        loop.flight.discardFrozenWindow()
    }
}
