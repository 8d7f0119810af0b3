import Glibc
public import NeedleCore
public import NeedledGPIO
public import NeedledLoop
public import NeedledUdev

/// The real pen through the kernel's GPIO character device (libgpiod), the PWM class and sysfs
/// sensors. Lines are requested once at start, inputs first and the motor enable last, so that
/// it is released first. Every call in the tick is an ioctl or a pread/pwrite on a descriptor
/// opened at start; nothing allocates. A failing call becomes `HardwareStatus` (`lost` for ENODEV,
/// else `ioError`), which the supervisor latches as a fault in the same tick.
///
/// Polarity: `estop` and `driver-fault` are active-low (a broken wire reads as pressed / faulted);
/// the other inputs are active-high. Docs/hardware.md has the wiring.
public struct GPIOBackend: PenBackend {
    private var chip: any GPIOChip
    private var lines: [GPIOSettings.Line: GPIOLine]
    private let settings: GPIOSettings
    /// Kernel uevents for GPIO chips, watched on a thread of its own.
    private let monitor: GPIOChipMonitor?
    private var removalsSeen = 0
    private var generationSeen = 0
    /// The chip went away: every call is skipped and the status is `lost` until it is back.
    private var chipLost = false
    private let pwm: PWMChannel?
    private let temperatureSensor: SysfsAttribute?
    private let cartridgeID: SysfsAttribute?
    private let period: Nanoseconds

    /// The speed sensor's edges, decoded in the order the kernel saw them.
    private var decoder: SpeedSensorDecoder
    /// Each sensor line's edges read from the kernel, into storage allocated once: room for the
    /// largest kernel buffer (libgpiod 2.x: 1,024 events), so a read is never cut short by ours.
    private var readA: [GPIOEdge]
    private var readB: [GPIOEdge]
    /// Each line's edges read but not yet decoded (`SpeedSensorDecoder.take`: newer than what
    /// the other line is known to be complete to), oldest first; the fresh read is appended.
    private var queueA: [GPIOEdge]
    private var queueB: [GPIOEdge]
    private var queuedA = 0
    private var queuedB = 0
    /// CLOCK_MONOTONIC, the clock the kernel stamps edges with (injected by tests).
    private let monotonicNow: @Sendable () -> Int64
    private var status: HardwareStatus = .ok
    private var lastTemperature = MilliCelsius.degrees(25)
    private var ticksUntilTemperature = 0
    private var cartridgeWasPresent = false
    public private(set) var cartridgeSerial: CartridgeSerial?

    /// The most edges one read takes from a line: libgpiod 2.x's largest kernel buffer.
    public static let edgesPerReadMax = 1024
    /// The most edges a line may hold back, waiting for the other line (two full reads). More
    /// means the other line has gone quiet while this one runs: the count is not trusted.
    public static let edgesQueuedMax = 2 * edgesPerReadMax

    /// `openChip` is the real lookup (udev, then libgpiod); tests pass a fake chip and a clock.
    public init(
        settings: GPIOSettings, sensor: SpeedSensor = .default, tickPeriod: Nanoseconds,
        monitor: GPIOChipMonitor? = nil,
        openChip: (GPIOSettings) throws(GPIOError) -> any GPIOChip = GPIOBackend.openChip,
        monotonicNow: @escaping @Sendable () -> Int64 = GPIOBackend.monotonicNanoseconds
    ) throws(GPIOStartError) {
        let chip: any GPIOChip
        do { chip = try openChip(settings) } catch { throw .gpio(error) }
        let requested: [GPIOSettings.Line: GPIOLine]
        do { requested = try Self.requestLines(chip, settings, sensor: sensor) } catch { throw .gpio(error) }
        let levels: (a: Bool, b: Bool)
        do { levels = try Self.sensorLevels(chip, requested) } catch {
            chip.releaseAll()
            throw .gpio(error)
        }
        do throws(SysfsError) {
            if let path = settings.pwmChip {
                pwm = try PWMChannel(
                    chip: path, channel: settings.pwmChannel, periodNanoseconds: settings.pwmPeriodNanoseconds)
            } else {
                pwm = nil
            }
            temperatureSensor = try settings.temperaturePath.flatMap { path throws(SysfsError) in
                try SysfsAttribute(path: path, writable: false)
            }
            cartridgeID = try settings.cartridgeIDPath.flatMap { path throws(SysfsError) in
                try SysfsAttribute(path: path, writable: false)
            }
        } catch {
            chip.releaseAll()
            throw .sysfs(error)
        }
        self.chip = chip
        self.lines = requested
        self.settings = settings
        self.period = tickPeriod
        self.decoder = SpeedSensorDecoder(sensor: sensor, levelA: levels.a, levelB: levels.b)
        let empty = GPIOEdge(rising: false, timestampNanoseconds: 0)
        let lines = sensor.isQuadrature ? 1 : 0
        self.readA = Array(repeating: empty, count: Self.edgesPerReadMax)
        self.readB = Array(repeating: empty, count: Self.edgesPerReadMax * lines)
        self.queueA = Array(repeating: empty, count: Self.edgesQueuedMax)
        self.queueB = Array(repeating: empty, count: Self.edgesQueuedMax * lines)
        self.monotonicNow = monotonicNow
        self.monitor = monitor
        removalsSeen = monitor?.removals.load(ordering: .acquiring) ?? 0
        generationSeen = monitor?.generation.load(ordering: .acquiring) ?? 0
    }

    /// The chip by its label: among the device nodes udev lists, or by libgpiod's own scan where
    /// udev lists none.
    public static func openChip(_ settings: GPIOSettings) throws(GPIOError) -> any GPIOChip {
        let devices = GPIOChipDirectory.chipDevices()
        if devices.isEmpty { return try LibgpiodChip(label: settings.chipLabel) }
        return try LibgpiodChip(label: settings.chipLabel, among: devices)
    }

    public static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// The sensor lines' levels right after their request: where the decoder starts from.
    private static func sensorLevels(
        _ chip: any GPIOChip, _ lines: [GPIOSettings.Line: GPIOLine]
    ) throws(GPIOError) -> (a: Bool, b: Bool) {
        guard let a = lines[.encoderA] else { return (false, false) }
        let levelA = try chip.get(a)
        guard let b = lines[.encoderB] else { return (levelA, false) }
        return (levelA, try chip.get(b))
    }

    /// Every line, by name or configured offset: inputs first, outputs in their safe state, and
    /// the motor enable last (so that it is released first). A tachometer uses `encoder-a` alone.
    private static func requestLines(
        _ chip: any GPIOChip, _ settings: GPIOSettings, sensor: SpeedSensor
    ) throws(GPIOError) -> [GPIOSettings.Line: GPIOLine] {
        var found: [GPIOSettings.Line: UInt32] = [:]
        for line in GPIOSettings.Line.allCases where sensor.isQuadrature || line != .encoderB {
            guard let offset = settings.lineOffsets[line] ?? chip.offset(ofLineNamed: line.rawValue) else {
                throw GPIOError(
                    .lineNotFound(name: line.rawValue, chipLabel: settings.chipLabel), call: "gpiod_chip_find_line",
                    errno: nil)
            }
            found[line] = offset
        }
        var requested: [GPIOSettings.Line: GPIOLine] = [:]
        do {
            for line in [GPIOSettings.Line.encoderA, .encoderB] where found[line] != nil {
                requested[line] = try chip.requestInput(
                    offset: found[line]!, name: line.rawValue, edges: true, pullDown: false)
            }
            for line in [GPIOSettings.Line.homeSwitch, .cartridgePresent, .driverFault, .emergencyStop] {
                requested[line] = try chip.requestInput(
                    offset: found[line]!, name: line.rawValue, edges: false, pullDown: false)
            }
            for (line, initial) in [
                (GPIOSettings.Line.brake, true), (.motorDirection, false), (.heartbeat, false),
                (.stepperStep, false), (.stepperDirection, false), (.stepperEnable, true),
            ] {
                requested[line] = try chip.requestOutput(offset: found[line]!, name: line.rawValue, initial: initial)
            }
            requested[.motorEnable] = try chip.requestOutput(
                offset: found[.motorEnable]!, name: "motor-enable", initial: false)
        } catch {
            chip.releaseAll()
            throw error
        }
        return requested
    }

    /// Follows the chip's comings and goings: a removal of our device node makes it lost; a chip
    /// added while lost is opened again with every line in its safe state. (Re-opening allocates:
    /// it happens only on a hot-plug, with the pen already faulted.)
    private mutating func followHotPlug() {
        guard let monitor else { return }
        let removals = monitor.removals.load(ordering: .acquiring)
        if removals != removalsSeen {
            removalsSeen = removals
            if !chip.deviceExists { chipLost = true }
        }
        let generation = monitor.generation.load(ordering: .acquiring)
        guard generation != generationSeen else { return }
        generationSeen = generation
        guard chipLost, let reopened = try? Self.openChip(settings),
            let requested = try? Self.requestLines(reopened, settings, sensor: decoder.sensor),
            let levels = try? Self.sensorLevels(reopened, requested)
        else { return }
        chip.releaseAll()
        chip = reopened
        lines = requested
        chipLost = false
        decoder.resynchronize(levelA: levels.a, levelB: levels.b)
        queuedA = 0  // edges from the chip that went away say nothing about the new one
        queuedB = 0
    }

    public var name: String { "gpio" }
    public var temperature: MilliCelsius { lastTemperature }

    public mutating func readInputs(measuredPeriod: Nanoseconds) -> PenInputs {
        followHotPlug()
        status = chipLost ? .lost : .ok
        guard !chipLost else {
            return PenInputs(
                encoderCount: decoder.count, homeSwitchActive: false, cartridgePresent: false,
                motorDriverFaultActive: false, emergencyStopPressed: false, temperature: lastTemperature,
                measuredPeriod: measuredPeriod, hardwareStatus: .lost)
        }
        let readAt = monotonicNow()
        let sensorTrusted = readSensor(at: readAt)
        let newestEdgeAge = decoder.newestEdgeTimestamp.map { Nanoseconds(max(0, readAt - $0)) } ?? .zero
        // Every edge up to the decoder's horizon is in the count; later ones may be in flight.
        let horizon = decoder.completeUntil
        let edgesCompleteAge =
            decoder.newestEdgeTimestamp == nil || horizon == .min
            ? .zero : Nanoseconds(min(newestEdgeAge.rawValue, max(0, readAt - horizon)))
        let home = level(.homeSwitch)
        let cartridge = level(.cartridgePresent)
        let driverFault = !level(.driverFault)  // active-low
        let emergencyStop = !level(.emergencyStop)  // active-low: a cut wire is a pressed button
        readTemperature()
        if cartridge != cartridgeWasPresent {
            cartridgeWasPresent = cartridge
            readCartridgeID(present: cartridge)
        }
        return PenInputs(
            encoderCount: decoder.count, newestEdgeAge: newestEdgeAge, edgesCompleteAge: edgesCompleteAge,
            speedSensorTrusted: sensorTrusted,
            homeSwitchActive: home, cartridgePresent: cartridge,
            motorDriverFaultActive: driverFault, emergencyStopPressed: emergencyStop, temperature: lastTemperature,
            measuredPeriod: measuredPeriod, hardwareStatus: status)
    }

    public mutating func writeOutputs(_ outputs: PenOutputs, phase: PenPhase, faulted: Bool) {
        checkBeforeWriting(outputs, phase: phase, faulted: faulted)
        guard !chipLost else { return }
        if !outputs.motorEnabled { set(.motorEnable, false) }  // off first when turning off
        set(.brake, outputs.brakeEngaged)
        if let pwm {
            do {
                try pwm.setOnTime(outputs.motorDuty.onTime(ofPeriod: Nanoseconds(pwm.periodNanoseconds)).rawValue)
            } catch { status = .ioError }
        }
        set(.heartbeat, outputs.heartbeat)
        set(.stepperEnable, outputs.stepperEnabled)
        if outputs.depthSteps != 0 {
            set(.stepperDirection, outputs.depthSteps > 0)
            for _ in 0..<abs(outputs.depthSteps) {
                set(.stepperStep, true)
                set(.stepperStep, false)
            }
        }
        if outputs.motorEnabled { set(.motorEnable, true) }  // on last when turning on
    }

    public mutating func elapse(_ duration: Nanoseconds) {}

    public mutating func handle(_ request: BackendRequest) -> Bool { false }

    public mutating func writeSafeOutputs() {
        set(.motorEnable, false)
        set(.brake, true)
        set(.heartbeat, false)
        pwm?.off()
        chip.releaseAll()  // the enable line first; its pull-down keeps it low
    }

    // MARK: Inputs

    private mutating func level(_ line: GPIOSettings.Line) -> Bool {
        guard let handle = lines[line] else { return false }
        do { return try chip.get(handle) } catch {
            note(error)
            return false
        }
    }

    private mutating func set(_ line: GPIOSettings.Line, _ value: Bool) {
        guard let handle = lines[line] else { return }
        do { try chip.set(handle, value) } catch { note(error) }
    }

    /// A failed call: the chip gone (ENODEV, or its device node vanished) is `lost` until it
    /// returns; anything else is an I/O error for this tick.
    private mutating func note(_ error: GPIOError) {
        if error.errno?.rawValue == ENODEV || error.errno?.rawValue == ENXIO || !chip.deviceExists {
            status = .lost
            chipLost = true
        } else if status != .lost {
            status = .ioError
        }
    }

    /// Reads every queued edge of the sensor's lines and decodes them in the kernel's order.
    /// Returns false when the count cannot be trusted: the kernel may have dropped edges, or an
    /// edge came that the sensor cannot make (its partner was lost).
    private mutating func readSensor(at readAt: Int64) -> Bool {
        decoder.beginRead()
        var fromA = GPIOEdgeRead.none
        var fromB = GPIOEdgeRead.none
        var failure: GPIOError?
        do throws(GPIOError) {
            if let a = lines[.encoderA] { fromA = try chip.readEdges(a, into: &readA) }
            if let b = lines[.encoderB] { fromB = try chip.readEdges(b, into: &readB) }
        } catch {
            failure = error
        }
        if let failure { note(failure) }
        let keptA = Self.append(readA, fromA.count, to: &queueA, queued: &queuedA)
        let keptB = Self.append(readB, fromB.count, to: &queueB, queued: &queuedB)
        let taken = decoder.take(
            a: queueA, count: queuedA, b: queueB, count: queuedB, completeBefore: readAt - period.rawValue,
            period: period.rawValue)
        Self.drop(taken.takenA, from: &queueA, queued: &queuedA)
        Self.drop(taken.takenB, from: &queueB, queued: &queuedB)
        return !fromA.mayHaveLost && !fromB.mayHaveLost && keptA && keptB && decoder.impossibleEdges == 0
    }

    /// Appends a read to a line's queue; false when it did not fit (edges dropped).
    private static func append(_ read: [GPIOEdge], _ count: Int, to queue: inout [GPIOEdge], queued: inout Int) -> Bool
    {
        let fitting = min(count, queue.count - queued)
        for index in 0..<fitting { queue[queued + index] = read[index] }
        queued += fitting
        return fitting == count
    }

    /// Removes the first `taken` edges of a line's queue, keeping the rest in order.
    private static func drop(_ taken: Int, from queue: inout [GPIOEdge], queued: inout Int) {
        precondition(taken >= 0 && taken <= queued, "took more edges than were queued")
        guard taken > 0 else { return }
        for index in 0..<(queued - taken) { queue[index] = queue[index + taken] }
        queued -= taken
    }

    /// hwmon sensors can take milliseconds (I²C): read ten times a second, not every tick.
    private mutating func readTemperature() {
        guard let temperatureSensor else { return }
        ticksUntilTemperature -= 1
        guard ticksUntilTemperature <= 0 else { return }
        ticksUntilTemperature = Int(100_000_000 / max(1, period.rawValue))
        do {
            lastTemperature = MilliCelsius(Int32(clamping: try temperatureSensor.readInteger()))
        } catch {
            status = .ioError
        }
    }

    private mutating func readCartridgeID(present: Bool) {
        guard present, let cartridgeID else {
            cartridgeSerial = nil
            return
        }
        var bytes = InlineArray<32, UInt8>(repeating: 0)
        guard let count = try? cartridgeID.readBytes(into: &bytes), count > 0 else {
            cartridgeSerial = nil
            return
        }
        cartridgeSerial = CartridgeSerial(bytes: bytes, count: count)
    }
}

public enum GPIOStartError: Error, CustomStringConvertible {
    case gpio(GPIOError)
    case sysfs(SysfsError)

    public var description: String {
        switch self {
        case .gpio(let error): error.description
        case .sysfs(let error): error.description
        }
    }
}
