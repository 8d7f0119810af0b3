// The tick is real-time code: it must not allocate. These benchmarks count mallocs per tick of
// (1) the core's supervisor against the simulated pen, (2) the daemon loop's whole tick path
// (mailbox, supervisor, backend, event and snapshot rings), and (3) the GPIO backend's read and
// write at full edge rate on a fake chip. CI gates on mallocCountTotal == 0.
//
//   Scripts/bench-allocations   (fails unless every Malloc (total) percentile is 0)
import Benchmark
import LoopSimulation
import NeedleCore
import NeedledGPIO
import NeedledGPIOBackend
import NeedledLoop
import NeedledSimulatedBackend
import PenSimulator

/// A GPIO chip that makes a 256-count quadrature encoder's edges at 150 strokes/s (19.2 edges a
/// line a millisecond) into the backend's buffers, from storage allocated once: what the kernel
/// hands libgpiod 2.x at full rate, so the backend's read, decode and write are measured alone.
final class FullRateChip: GPIOChip {
    let label = "needled-pen"
    let deviceExists = true
    private let names = GPIOSettings.Line.allCases.map(\.rawValue)
    private var levels = [Bool](repeating: true, count: 32)
    /// Edge spacing on the encoder: 1 s / (150 × 256), in nanoseconds.
    private let spacing: Int64 = 26_041
    private var time: Int64 = 1_000_000
    /// The next edge of the forward cycle A↑ B↑ A↓ B↓, as 0...3, for each line's read.
    private var phase = 0
    private var tickEnd: Int64 = 1_000_000
    private var pendingB = 0
    private var edgesBThisTick = [GPIOEdge](repeating: GPIOEdge(rising: false, timestampNanoseconds: 0), count: 64)

    func offset(ofLineNamed name: String) -> UInt32? { names.firstIndex(of: name).map { UInt32($0) } }
    func requestOutput(offset: UInt32, name: String, initial: Bool) throws(GPIOError) -> GPIOLine {
        levels[Int(offset)] = initial
        return GPIOLine(name: name, offset: offset, handle: Int(offset))
    }
    func requestInput(offset: UInt32, name: String, edges: Bool, pullDown: Bool) throws(GPIOError) -> GPIOLine {
        // The sensor lines start low (the cycle starts at A = B = 0); the others rest high.
        if name == "encoder-a" || name == "encoder-b" { levels[Int(offset)] = false }
        return GPIOLine(name: name, offset: offset, handle: Int(offset))
    }
    func set(_ line: GPIOLine, _ value: Bool) throws(GPIOError) { levels[line.handle] = value }
    func get(_ line: GPIOLine) throws(GPIOError) -> Bool { levels[line.handle] }

    /// A's read makes the tick's edges (A's into the buffer, B's kept for B's read, which follows).
    func readEdges(_ line: GPIOLine, into buffer: inout [GPIOEdge]) throws(GPIOError) -> GPIOEdgeRead {
        if line.name == "encoder-b" {
            for index in 0..<pendingB { buffer[index] = edgesBThisTick[index] }
            return GPIOEdgeRead(count: pendingB, mayHaveLost: false)
        }
        tickEnd += 1_000_000
        var countA = 0
        pendingB = 0
        while time < tickEnd {
            let edge = GPIOEdge(rising: phase < 2, timestampNanoseconds: time)
            if phase % 2 == 0 {
                buffer[countA] = edge
                countA += 1
            } else {
                edgesBThisTick[pendingB] = edge
                pendingB += 1
            }
            phase = (phase + 1) % 4
            time += spacing
        }
        return GPIOEdgeRead(count: countA, mayHaveLost: false)
    }
    func releaseAll() {}
}

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

    // The simulation harness's step: since issue 19, item 4 the daemon's loop tick on the
    // simulated pen plus what the socket side takes from the rings (the name is kept, so the
    // figures in Docs/performance.md stay comparable across the change).
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

    // The GPIO backend at full edge rate: read (both lines' edges merged and decoded, every
    // input), then the outputs of a running pen written (enable, brake, PWM-less duty, heartbeat,
    // a depth step): the backend's own share of the tick, on a fake chip that allocates nothing.
    Benchmark("GPIOBackendFullRate", configuration: configuration) { benchmark in
        let chip = FullRateChip()
        var backend = try! GPIOBackend(
            settings: GPIOSettings(), sensor: .quadrature(countsPerRevolution: 256), tickPeriod: .milliseconds(1),
            openChip: { _ throws(GPIOError) in chip }, monotonicNow: { 0 })
        let driven = PenOutputs(
            motorEnabled: true, brakeEngaged: false, motorDuty: Duty(partsPerMillion: 700_000)!, heartbeat: true,
            stepperEnabled: true, depthSteps: 1)
        var counted: Int64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let inputs = backend.readInputs(measuredPeriod: .milliseconds(1))
            precondition(inputs.speedSensorTrusted, "the full-rate edges were not trusted")
            counted = inputs.encoderCount
            backend.writeOutputs(driven, phase: .running, faulted: false)
        }
        benchmark.stopMeasurement()
        blackHole(counted)
        precondition(counted > 0, "no edges were decoded")
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
