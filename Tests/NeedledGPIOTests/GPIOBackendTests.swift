import Glibc
import NeedleCore
import NeedledGPIO
import NeedledGPIOBackend
import NeedledLoop
import Synchronization
import SystemPackage
import Testing

/// A GPIO chip in memory that records every call, for the backend's logic: request order,
/// polarity, quadrature decoding, output ordering, and failures turned into HardwareStatus.
final class RecordingChip: GPIOChip {
    let label = "needled-pen"
    var deviceExists = true
    var names: [String] = GPIOSettings.Line.allCases.map(\.rawValue)
    var trace: [String] = [] {
        didSet { if echo, let line = trace.last { print(line) } }
    }
    /// Prints every traced call as it happens (an exit test reads what the child did).
    var echo = false
    var levels: [String: Bool] = [:]
    var queuedEdges: [String: [GPIOEdge]] = [:]
    /// The kernel's buffer per line: uAPI v1's 16 (libgpiod 1.6) by default. Edges queued beyond
    /// it are dropped, as the kernel drops them, and a read that finds it full says so.
    var kernelEventsPerLine = 16
    var failNext: Errno?
    private var requested: [GPIOLine] = []

    func offset(ofLineNamed name: String) -> UInt32? { names.firstIndex(of: name).map { UInt32($0) } }

    func requestOutput(offset: UInt32, name: String, initial: Bool) throws(GPIOError) -> GPIOLine {
        trace.append("request-output \(name)=\(initial ? 1 : 0)")
        levels[name] = initial
        return remember(name, offset)
    }

    func requestInput(offset: UInt32, name: String, edges: Bool, pullDown: Bool) throws(GPIOError) -> GPIOLine {
        trace.append("request-input \(name)\(edges ? " edges" : "")")
        return remember(name, offset)
    }

    private func remember(_ name: String, _ offset: UInt32) -> GPIOLine {
        let line = GPIOLine(name: name, offset: offset, handle: requested.count)
        requested.append(line)
        return line
    }

    func set(_ line: GPIOLine, _ value: Bool) throws(GPIOError) {
        try failIfAsked(line, "set")
        trace.append("set \(line.name)=\(value ? 1 : 0)")
        levels[line.name] = value
    }

    func get(_ line: GPIOLine) throws(GPIOError) -> Bool {
        try failIfAsked(line, "get")
        return levels[line.name] ?? false
    }

    func readEdges(_ line: GPIOLine, into buffer: inout [GPIOEdge]) throws(GPIOError) -> GPIOEdgeRead {
        let kept = (queuedEdges[line.name] ?? []).prefix(kernelEventsPerLine)
        for (index, edge) in kept.enumerated() { buffer[index] = edge }
        queuedEdges[line.name] = []
        return GPIOEdgeRead(count: kept.count, mayHaveLost: kept.count >= kernelEventsPerLine)
    }

    func releaseAll() {
        for line in requested.reversed() { trace.append("release \(line.name)") }
        requested.removeAll()
    }

    private func failIfAsked(_ line: GPIOLine, _ call: String) throws(GPIOError) {
        guard let errno = failNext else { return }
        failNext = nil
        throw GPIOError(.ioFailed(line: line.name), call: call, errno: errno)
    }
}

@Suite("GPIO backend logic (a recording fake chip)")
struct GPIOBackendTests {
    func backend(_ chip: RecordingChip) throws -> GPIOBackend {
        try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip })
    }

    /// A chip with every input at rest: E-stop and driver-fault released (high, active-low).
    func restingChip() -> RecordingChip {
        let chip = RecordingChip()
        chip.levels = ["estop": true, "driver-fault": true, "cartridge-present": true]
        return chip
    }

    @Test("Inputs first, outputs in their safe state, the motor enable requested last")
    func requestOrder() throws {
        let chip = restingChip()
        _ = try backend(chip)
        #expect(chip.trace.first == "request-input encoder-a edges")
        #expect(chip.trace.last == "request-output motor-enable=0")
        #expect(chip.trace.contains("request-output brake=1"))
        #expect(chip.trace.filter { $0.hasPrefix("request-input") }.count == 6)
    }

    @Test("A missing line is named, with the fix")
    func missingLine() {
        let chip = restingChip()
        chip.names = chip.names.filter { $0 != "estop" }
        do {
            _ = try backend(chip)
            Issue.record("started without an estop line")
        } catch {
            #expect(
                String(describing: error)
                    == "GPIO chip \"needled-pen\" has no line named \"estop\": check the board's gpio-line-names, or set its offset in [gpio.lines]."
            )
        }
    }

    @Test("E-stop and driver fault are active-low: a cut wire reads as pressed / faulted")
    func polarity() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        var inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(!inputs.emergencyStopPressed && !inputs.motorDriverFaultActive && inputs.cartridgePresent)
        chip.levels["estop"] = false
        chip.levels["driver-fault"] = false
        inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.emergencyStopPressed && inputs.motorDriverFaultActive)
    }

    @Test("Quadrature edges decode ×4, with direction")
    func quadrature() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        func edge(_ rising: Bool) -> GPIOEdge { GPIOEdge(rising: rising, timestampNanoseconds: 1) }
        // One forward cycle, A leading: A↑ B↑ A↓ B↓, read in one tick per pair.
        chip.queuedEdges = ["encoder-a": [edge(true)], "encoder-b": [edge(true)]]
        _ = pen.readInputs(measuredPeriod: .milliseconds(1))
        chip.queuedEdges = ["encoder-a": [edge(false)], "encoder-b": [edge(false)]]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).encoderCount == 4)
        // Backwards, B leading: B↑ (A low) then A↑ read as separate ticks.
        chip.queuedEdges = ["encoder-b": [edge(true)]]
        _ = pen.readInputs(measuredPeriod: .milliseconds(1))
        chip.queuedEdges = ["encoder-a": [edge(true)]]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).encoderCount == 2)
    }

    /// `cycles` quadrature cycles from (A, B) = (0, 0), one edge every `spacing` ns from `start`,
    /// split by line as the kernel queues them: forward A↑ B↑ A↓ B↓, backward B↑ A↑ B↓ A↓.
    func quadrature(
        cycles: Int, forward: Bool, start: Int64 = 1_000, spacing: Int64 = 1_000
    ) -> (
        a: [GPIOEdge], b: [GPIOEdge]
    ) {
        var a: [GPIOEdge] = []
        var b: [GPIOEdge] = []
        var time = start
        for _ in 0..<cycles {
            for (onA, rising) in forward
                ? [(true, true), (false, true), (true, false), (false, false)]
                : [(false, true), (true, true), (false, false), (true, false)]
            {
                let edge = GPIOEdge(rising: rising, timestampNanoseconds: time)
                if onA { a.append(edge) } else { b.append(edge) }
                time += spacing
            }
        }
        return (a, b)
    }

    @Test("15 quadrature cycles in one tick, interleaved: 60 counts forward, -60 backward")
    func interleavedCycles() throws {
        let chip = restingChip()
        chip.kernelEventsPerLine = 1024  // libgpiod 2.x's largest buffer: nothing dropped
        var pen = try backend(chip)
        let forward = quadrature(cycles: 15, forward: true)
        chip.queuedEdges = ["encoder-a": forward.a, "encoder-b": forward.b]
        let inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.encoderCount == 60)
        #expect(inputs.speedSensorTrusted)
        let backward = quadrature(cycles: 15, forward: false, start: 100_000)
        chip.queuedEdges = ["encoder-a": backward.a, "encoder-b": backward.b]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).encoderCount == 0)
        chip.queuedEdges = ["encoder-a": backward.a, "encoder-b": backward.b].mapValues { edges in
            edges.map { GPIOEdge(rising: $0.rising, timestampNanoseconds: $0.timestampNanoseconds + 200_000) }
        }
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).encoderCount == -60)
    }

    /// Ticks of a motor turning at `hertz` on a `countsPerRevolution` encoder, each `tickNs`
    /// long; returns the last inputs and whether every read was trusted.
    func turn(
        _ pen: inout GPIOBackend, _ chip: RecordingChip, hertz: Int64, countsPerRevolution: Int64,
        ticks: [Int64]
    ) -> (inputs: PenInputs, allTrusted: Bool, counts: Int64) {
        let spacing = 1_000_000_000 / (hertz * countsPerRevolution)
        var time: Int64 = 1_000_000
        var phase = 0  // 0..3: the next edge of the forward cycle
        var total: Int64 = 0
        var allTrusted = true
        var inputs = PenInputs()
        for tickNs in ticks {
            var a: [GPIOEdge] = []
            var b: [GPIOEdge] = []
            let end = time + tickNs
            while time < end {
                let edge = GPIOEdge(rising: phase < 2, timestampNanoseconds: time)
                if phase % 2 == 0 { a.append(edge) } else { b.append(edge) }
                phase = (phase + 1) % 4
                time += spacing
                total += 1
            }
            chip.queuedEdges = ["encoder-a": a, "encoder-b": b]
            inputs = pen.readInputs(measuredPeriod: Nanoseconds(tickNs))
            allTrusted = allTrusted && inputs.speedSensorTrusted
        }
        return (inputs, allTrusted, total)
    }

    @Test("150 strokes/s on a 256-count encoder with ticks 5 ms late: every edge counted (libgpiod 2.x's buffer)")
    func fullRateLateTicks() throws {
        let chip = restingChip()
        chip.kernelEventsPerLine = 1024
        var pen = try GPIOBackend(
            settings: GPIOSettings(), sensor: .quadrature(countsPerRevolution: 256), tickPeriod: .milliseconds(1),
            openChip: { _ throws(GPIOError) in chip })
        let ticks: [Int64] =
            Array(repeating: 1_000_000, count: 20) + [6_000_000] + Array(repeating: 1_000_000, count: 5)
        let result = turn(&pen, chip, hertz: 150, countsPerRevolution: 256, ticks: ticks)
        #expect(result.allTrusted)
        #expect(result.inputs.encoderCount == result.counts)
        #expect(result.counts > 150 * 256 * 30 / 1000)
    }

    @Test("The same encoder on libgpiod 1.6 (16 events a line) overflows the kernel's buffer: never trusted")
    func v1BufferOverflows() throws {
        let chip = restingChip()
        var pen = try GPIOBackend(
            settings: GPIOSettings(), sensor: .quadrature(countsPerRevolution: 256), tickPeriod: .milliseconds(1),
            openChip: { _ throws(GPIOError) in chip })
        let result = turn(&pen, chip, hertz: 150, countsPerRevolution: 256, ticks: [1_000_000])
        #expect(!result.allTrusted, "19 edges a line in a tick: the kernel kept 16 and dropped the rest")
        #expect(result.inputs.encoderCount < result.counts)
    }

    @Test("The default 12-count encoder at 150 strokes/s and a 5 ms late tick fits libgpiod 1.6's buffer")
    func defaultSensorFitsV1() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        let ticks: [Int64] =
            Array(repeating: 1_000_000, count: 20) + [6_000_000] + Array(repeating: 1_000_000, count: 5)
        let result = turn(&pen, chip, hertz: 150, countsPerRevolution: 12, ticks: ticks)
        #expect(result.allTrusted)
        #expect(result.inputs.encoderCount == result.counts)
    }

    @Test("A B edge read a moment after A's read waits for A: lines read one after the other still decode in order")
    func lineReadRace() throws {
        let chip = restingChip()
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { 0 })
        func edge(_ rising: Bool, _ time: Int64) -> GPIOEdge { GPIOEdge(rising: rising, timestampNanoseconds: time) }
        // A forward cycle A↑(1) B↑(2) A↓(3) B↓(4), A↑(5): A's read missed A↓(3), which reached
        // the kernel's queue after A was read and before B was.
        chip.queuedEdges = ["encoder-a": [edge(true, 1)], "encoder-b": [edge(true, 2), edge(false, 4)]]
        var inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.speedSensorTrusted && inputs.encoderCount == 1)
        chip.queuedEdges = ["encoder-a": [edge(false, 3)]]
        inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.speedSensorTrusted && inputs.encoderCount == 3)
        chip.queuedEdges = ["encoder-a": [edge(true, 5)]]
        inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.speedSensorTrusted && inputs.encoderCount == 4)
    }

    @Test("Edges older than a period are complete: nothing waits once the kernel has had a tick to queue them")
    func oldEdgesAreComplete() throws {
        let chip = restingChip()
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { 10_000_000 })
        // A↑ alone at 1 ms, read at 10 ms: B had a whole period to show an earlier edge; none came.
        chip.queuedEdges = ["encoder-a": [GPIOEdge(rising: true, timestampNanoseconds: 1_000_000)]]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).encoderCount == 1)
    }

    @Test("A late sample (two quick edges both read as the later level) is not a loss; one a quiet line keeps is")
    func lateSamplesAndLostEdges() throws {
        let chip = restingChip()
        chip.kernelEventsPerLine = 1024
        // Read long after the edges: every edge is complete, nothing more is on its way.
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { 1_000_000_000 })
        func edge(_ rising: Bool, _ time: Int64) -> GPIOEdge { GPIOEdge(rising: rising, timestampNanoseconds: time) }
        // A↑ A↓ in quick succession, both sampled low by the kernel's interrupt thread: two
        // changes of A (a step forward and back), and the quiet line's sample agrees. Trusted.
        chip.queuedEdges = ["encoder-a": [edge(false, 1_000), edge(false, 2_000)]]
        var inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.speedSensorTrusted && inputs.encoderCount == 0)
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
        // One A edge (A toggles high) sampled low, and then the line stays quiet: the edge that
        // would explain the sample never came; one was lost (an interrupt for two edges).
        chip.queuedEdges = ["encoder-a": [edge(false, 3_000)]]
        inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(!inputs.speedSensorTrusted)
        // The level follows the sample from then on: the next reads are trusted again.
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
    }

    @Test("A sample the next edge explains is not a loss, while that edge is still on its way")
    func lateSampleCorrected() throws {
        let chip = restingChip()
        chip.kernelEventsPerLine = 1024
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { 2_500 })
        func edge(_ rising: Bool, _ time: Int64) -> GPIOEdge { GPIOEdge(rising: rising, timestampNanoseconds: time) }
        // Read 0.5 µs after an A edge sampled low (A toggled high): within a period, so the A↓
        // that made the sample late may still be on its way. Trusted.
        chip.queuedEdges = ["encoder-a": [edge(false, 2_000)]]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
        chip.queuedEdges = ["encoder-a": [edge(false, 2_600)]]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
    }

    /// A quadrature shaft turning forward under a 1 kHz loop: an edge every 100 µs, A and B in
    /// turn, each event sampled at its true level unless `sample` says otherwise; `keep` drops
    /// events (an interrupt for two edges). Returns each read's trust and the final count.
    func turn(
        reads: Int, keep: (Int) -> Bool = { _ in true }, sample: (Int, Bool) -> Bool = { $1 }
    ) throws -> (trusted: [Bool], count: Int64) {
        let chip = restingChip()
        chip.kernelEventsPerLine = 1024
        let now = Atomic<Int64>(0)
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { now.load(ordering: .relaxed) })
        var levelA = false
        var levelB = false
        var trusted: [Bool] = []
        var count: Int64 = 0
        for read in 1...reads {
            var edgesA: [GPIOEdge] = []
            var edgesB: [GPIOEdge] = []
            for edge in ((read - 1) * 10 + 1)...(read * 10) {
                let time = Int64(edge) * 100_000
                if edge % 2 == 1 { levelA.toggle() } else { levelB.toggle() }
                guard keep(edge) else { continue }
                if edge % 2 == 1 {
                    edgesA.append(GPIOEdge(rising: sample(edge, levelA), timestampNanoseconds: time))
                } else {
                    edgesB.append(GPIOEdge(rising: sample(edge, levelB), timestampNanoseconds: time))
                }
            }
            chip.queuedEdges = ["encoder-a": edgesA, "encoder-b": edgesB]
            now.store(Int64(read) * 1_000_000 + 50_000, ordering: .relaxed)
            let inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
            trusted.append(inputs.speedSensorTrusted)
            count = inputs.encoderCount
        }
        return (trusted, count)
    }

    @Test("At speed, a line is never quiet: a late sample the next edge explains is trusted, a lost edge is not")
    func lostEdgeAtSpeed() throws {
        // 200 edges; the newest (B) waits for an A edge after it, as any edge newer than the
        // other line's newest does.
        let clean = try turn(reads: 20)
        #expect(clean.trusted.allSatisfy { $0 } && clean.count == 199)
        // Edge 51 (A) read by its interrupt thread after edge 53 (the next A): sampled low.
        let late = try turn(reads: 20, sample: { edge, level in edge == 51 ? !level : level })
        #expect(late.trusted.allSatisfy { $0 } && late.count == 199)
        // Edges 51 and 53 (both A) in one interrupt: one event at 53's time, sampled at its level.
        // From then on every A event disagrees with the counted level and the count runs back.
        let lost = try turn(reads: 20, keep: { $0 != 51 })
        let firstUntrusted = lost.trusted.firstIndex(of: false)
        #expect(firstUntrusted != nil)
        // The loss is at 5.1 ms (read 6); seen once a whole period of record disagrees: by read 8.
        #expect((firstUntrusted ?? 99) <= 7, "first untrusted read \(firstUntrusted.map { $0 + 1 } ?? -1)")
    }

    @Test("Both lines changing at the same instant is no quadrature step: not trusted")
    func simultaneousChange() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        chip.queuedEdges = [
            "encoder-a": [GPIOEdge(rising: true, timestampNanoseconds: 5_000)],
            "encoder-b": [GPIOEdge(rising: true, timestampNanoseconds: 5_000)],
        ]
        #expect(!pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
    }

    @Test("A tachometer uses encoder-a alone: every edge counts; a sample that stays wrong is a loss")
    func tachometer() throws {
        let chip = restingChip()
        chip.names = chip.names.filter { $0 != "encoder-b" }
        var pen = try GPIOBackend(
            settings: GPIOSettings(), sensor: .tachometer(pulsesPerRevolution: 2), tickPeriod: .milliseconds(1),
            openChip: { _ throws(GPIOError) in chip })
        #expect(!chip.trace.contains { $0.contains("encoder-b") })
        chip.queuedEdges = [
            "encoder-a": [
                GPIOEdge(rising: true, timestampNanoseconds: 1_000),
                GPIOEdge(rising: false, timestampNanoseconds: 2_000),
                GPIOEdge(rising: true, timestampNanoseconds: 3_000),
            ]
        ]
        let inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.encoderCount == 3 && inputs.speedSensorTrusted)
        // A toggles low but is sampled high, and the line stays quiet: an edge went missing.
        chip.queuedEdges = ["encoder-a": [GPIOEdge(rising: true, timestampNanoseconds: 4_000)]]
        #expect(!pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
    }

    @Test("The newest edge's age comes from its kernel timestamp against the monotonic clock")
    func newestEdgeAge() throws {
        let chip = restingChip()
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { 10_000_000 })
        // A↑ at 9.6 ms is decoded (B's newest, 9.7 ms, is later); B↑ waits for A's next edge.
        chip.queuedEdges = [
            "encoder-a": [GPIOEdge(rising: true, timestampNanoseconds: 9_600_000)],
            "encoder-b": [GPIOEdge(rising: true, timestampNanoseconds: 9_700_000)],
        ]
        let inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.encoderCount == 1)
        #expect(inputs.newestEdgeAge == .microseconds(400))
    }

    @Test("The count is complete up to the older line's newest edge, or a period back: silence counts from there")
    func edgesCompleteAge() throws {
        let chip = restingChip()
        let now = Atomic<Int64>(10_000_000)
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { now.load(ordering: .relaxed) })
        chip.queuedEdges = [
            "encoder-a": [GPIOEdge(rising: true, timestampNanoseconds: 9_600_000)],
            "encoder-b": [GPIOEdge(rising: true, timestampNanoseconds: 9_700_000)],
        ]
        var inputs = pen.readInputs(measuredPeriod: .milliseconds(1))
        #expect(inputs.encoderCount == 1 && inputs.edgesCompleteAge == .microseconds(400))
        // Half a millisecond on, nothing new: an A edge after 9.6 ms may still be on its way.
        now.store(10_500_000, ordering: .relaxed)
        inputs = pen.readInputs(measuredPeriod: .microseconds(500))
        #expect(inputs.encoderCount == 1 && inputs.edgesCompleteAge == .microseconds(900))
        // A period after B's edge, it is complete: taken, and the record is whole up to 10 ms.
        now.store(11_000_000, ordering: .relaxed)
        inputs = pen.readInputs(measuredPeriod: .microseconds(500))
        #expect(inputs.encoderCount == 2)
        #expect(inputs.newestEdgeAge == .microseconds(1_300) && inputs.edgesCompleteAge == .milliseconds(1))
    }

    @Test("Lost edges while running: speedSensorFault and the enable low in the tick that reads them")
    func lostEdgesStopTheMotor() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        var supervisor = Supervisor()
        // Running as far as the outputs go: the enable is high.
        pen.writeOutputs(
            PenOutputs(
                motorEnabled: true, brakeEngaged: false, motorDuty: .full, heartbeat: true, stepperEnabled: true,
                depthSteps: 0), phase: .running, faulted: false)
        #expect(chip.levels["motor-enable"] == true)
        chip.queuedEdges = [
            "encoder-a": Array(
                repeating: GPIOEdge(rising: true, timestampNanoseconds: 1_000), count: 20)
        ]
        let output = supervisor.tick(pen.readInputs(measuredPeriod: .milliseconds(1)))
        #expect(supervisor.fault?.code == .speedSensorFault)
        pen.writeOutputs(output.outputs, phase: supervisor.phase, faulted: supervisor.fault != nil)
        #expect(chip.levels["motor-enable"] == false)
    }

    @Test("Outputs that drive the motor while ready are never written: the enable goes low and the process stops")
    func motorOutsideRunningStopsTheProcess() async {
        let result = await #expect(processExitsWith: .signal(SIGABRT), observing: [\.standardOutputContent]) {
            let chip = RecordingChip()
            chip.levels = ["estop": true, "driver-fault": true, "cartridge-present": true]
            chip.echo = true
            var pen = try GPIOBackend(
                settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip })
            print("writing")
            pen.writeOutputs(
                PenOutputs(
                    motorEnabled: true, brakeEngaged: false, motorDuty: .full, heartbeat: true, stepperEnabled: true,
                    depthSteps: 0), phase: .ready, faulted: false)
            print("the process went on")
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        let written = output.components(separatedBy: "writing\n").last ?? ""
        #expect(written.hasPrefix("set motor-enable=0\nset brake=1\n"), "safe outputs first: \(written)")
        #expect(!written.contains("set motor-enable=1"))
        #expect(!written.contains("the process went on"))
    }

    @Test("A fault latched with the motor not safe is a breach too; running and stopping may drive it")
    func invariantTable() {
        let driven = PenOutputs(
            motorEnabled: true, brakeEngaged: false, motorDuty: .full, heartbeat: true, stepperEnabled: true,
            depthSteps: 0)
        for phase in PenPhase.allCases {
            let expected: OutputInvariant? = phase.motorMayRun ? nil : .motorEnabledOutsideRunning(phase)
            #expect(OutputInvariant.breach(of: driven, phase: phase, faulted: false) == expected)
            #expect(OutputInvariant.breach(of: .safe, phase: phase, faulted: true) == nil)
        }
        var unbraked = PenOutputs.safe
        unbraked.brakeEngaged = false
        #expect(OutputInvariant.breach(of: unbraked, phase: .fault, faulted: true) == .faultedWithMotorNotSafe)
        #expect(OutputInvariant.breach(of: unbraked, phase: .ready, faulted: false) == nil)
    }

    @Test("Turning on, the enable goes last; turning off, it goes first; steps pulse with their direction")
    func outputOrder() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        chip.trace.removeAll()
        pen.writeOutputs(
            PenOutputs(
                motorEnabled: true, brakeEngaged: false, motorDuty: .full, heartbeat: true, stepperEnabled: true,
                depthSteps: 2), phase: .running, faulted: false)
        #expect(chip.trace.last == "set motor-enable=1")
        #expect(
            chip.trace.filter { $0.hasPrefix("set stepper-step") } == [
                "set stepper-step=1", "set stepper-step=0", "set stepper-step=1", "set stepper-step=0",
            ])
        #expect(chip.trace.contains("set stepper-dir=1"))
        chip.trace.removeAll()
        pen.writeOutputs(.safe, phase: .stopping, faulted: false)
        #expect(chip.trace.first == "set motor-enable=0")
        #expect(chip.levels["brake"] == true)
    }

    @Test("A vanished chip (ENODEV) reads as lost; another failure as an I/O error")
    func failures() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        chip.failNext = .ioError
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).hardwareStatus == .ioError)
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).hardwareStatus == .ok)
        chip.failNext = Errno(rawValue: ENODEV)
        chip.deviceExists = false
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).hardwareStatus == .lost)
        #expect(
            pen.readInputs(measuredPeriod: .milliseconds(1)).hardwareStatus == .lost,
            "lost stays lost until the chip returns")
    }

    @Test("Stopping leaves the enable low and releases it first")
    func safeRelease() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        chip.trace.removeAll()
        pen.writeSafeOutputs()
        #expect(chip.trace.first == "set motor-enable=0")
        #expect(chip.trace.first { $0.hasPrefix("release") } == "release motor-enable")
        #expect(chip.levels["brake"] == true)
    }
}
