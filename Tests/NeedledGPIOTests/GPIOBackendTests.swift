import Glibc
import NeedleCore
import NeedledDaemon
import NeedledGPIO
import SystemPackage
import Testing

/// A GPIO chip in memory that records every call, for the backend's logic: request order,
/// polarity, quadrature decoding, output ordering, and failures turned into HardwareStatus.
final class RecordingChip: GPIOChip {
    let label = "needled-pen"
    var deviceExists = true
    var names: [String] = GPIOSettings.Line.allCases.map(\.rawValue)
    var trace: [String] = []
    var levels: [String: Bool] = [:]
    var queuedEdges: [String: [GPIOEdge]] = [:]
    /// The kernel's buffer per line: libgpiod 1.6's 16 by default. Edges queued beyond it are
    /// dropped, as the kernel drops them, and a read that finds it full says so.
    var kernelEventsPerLine = LibgpiodV1Chip.kernelEventsPerLine
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

    @Test("An edge that cannot happen (its partner lost) makes the read untrusted; the next read is trusted again")
    func impossibleEdge() throws {
        let chip = restingChip()
        chip.kernelEventsPerLine = 1024
        var pen = try backend(chip)
        // A↑ then A↑ again: the A↓ between them was lost.
        chip.queuedEdges = [
            "encoder-a": [
                GPIOEdge(rising: true, timestampNanoseconds: 1_000),
                GPIOEdge(rising: true, timestampNanoseconds: 3_000),
            ]
        ]
        #expect(!pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
        chip.queuedEdges = ["encoder-b": [GPIOEdge(rising: true, timestampNanoseconds: 5_000)]]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
    }

    @Test("A tachometer uses encoder-a alone: every edge counts, two rising edges in a row are a loss")
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
        chip.queuedEdges = ["encoder-a": [GPIOEdge(rising: true, timestampNanoseconds: 4_000)]]
        #expect(!pen.readInputs(measuredPeriod: .milliseconds(1)).speedSensorTrusted)
    }

    @Test("The newest edge's age comes from its kernel timestamp against the monotonic clock")
    func newestEdgeAge() throws {
        let chip = restingChip()
        var pen = try GPIOBackend(
            settings: GPIOSettings(), tickPeriod: .milliseconds(1), openChip: { _ throws(GPIOError) in chip },
            monotonicNow: { 10_000_000 })
        chip.queuedEdges = ["encoder-a": [GPIOEdge(rising: true, timestampNanoseconds: 9_600_000)]]
        #expect(pen.readInputs(measuredPeriod: .milliseconds(1)).newestEdgeAge == .microseconds(400))
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
                depthSteps: 0))
        #expect(chip.levels["motor-enable"] == true)
        chip.queuedEdges = [
            "encoder-a": Array(
                repeating: GPIOEdge(rising: true, timestampNanoseconds: 1_000), count: 20)
        ]
        let output = supervisor.tick(pen.readInputs(measuredPeriod: .milliseconds(1)))
        #expect(supervisor.fault?.code == .speedSensorFault)
        pen.writeOutputs(output.outputs)
        #expect(chip.levels["motor-enable"] == false)
    }

    @Test("Turning on, the enable goes last; turning off, it goes first; steps pulse with their direction")
    func outputOrder() throws {
        let chip = restingChip()
        var pen = try backend(chip)
        chip.trace.removeAll()
        pen.writeOutputs(
            PenOutputs(
                motorEnabled: true, brakeEngaged: false, motorDuty: .full, heartbeat: true, stepperEnabled: true,
                depthSteps: 2))
        #expect(chip.trace.last == "set motor-enable=1")
        #expect(
            chip.trace.filter { $0.hasPrefix("set stepper-step") } == [
                "set stepper-step=1", "set stepper-step=0", "set stepper-step=1", "set stepper-step=0",
            ])
        #expect(chip.trace.contains("set stepper-dir=1"))
        chip.trace.removeAll()
        pen.writeOutputs(.safe)
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
