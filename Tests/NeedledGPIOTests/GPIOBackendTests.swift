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

    func readEdges(_ line: GPIOLine, into buffer: inout [GPIOEdge]) throws(GPIOError) -> Int {
        let edges = queuedEdges[line.name] ?? []
        for (index, edge) in edges.enumerated() { buffer[index] = edge }
        queuedEdges[line.name] = []
        return edges.count
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
