// Checks NeedledGPIO against a real kernel's gpio-sim chip. Run inside the test VM by
// Scripts/test-gpio-sim: `gpio-selftest LABEL SIM_SYSFS_DIR`. Prints "N passed, N failed".
import Foundation
import NeedledGPIO
import NeedledUdev

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    print("usage: gpio-selftest CHIP_LABEL SIM_SYSFS_DIR")
    exit(2)
}
let label = arguments[1]
let sysfs = arguments[2]
var passed = 0
var failed = 0

@MainActor func check(_ condition: Bool, _ what: String) {
    if condition {
        passed += 1
        print("ok     \(what)")
    } else {
        failed += 1
        print("FAILED \(what)")
    }
}

func simValue(_ offset: UInt32) -> String {
    (try? String(contentsOfFile: "\(sysfs)/sim_gpio\(offset)/value", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
}

func simPull(_ offset: UInt32, up: Bool) {
    try? (up ? "pull-up" : "pull-down").write(
        toFile: "\(sysfs)/sim_gpio\(offset)/pull", atomically: false, encoding: .utf8)
}

// A wrong label: a clear error naming it.
do {
    _ = try LibgpiodChip(label: "no-such-chip")
    check(false, "a wrong label is refused")
} catch {
    check(error.description.hasPrefix("No GPIO chip labelled \"no-such-chip\"."), "a wrong label is refused: \(error)")
}

// libudev lists the chip's device node (no udevd runs in the guest); its label comes from the chip.
let devices = GPIOChipDirectory.chipDevices()
check(devices.contains { $0.hasPrefix("/dev/gpiochip") }, "libudev lists the GPIO chips: \(devices)")
do {
    let found = try LibgpiodChip(label: label, among: devices)
    check(
        found.path.map(devices.contains) == true, "the chip found by label among udev's devices: \(found.path ?? "?")")
} catch {
    check(false, "the chip found by label among udev's devices: \(error)")
}
do {
    _ = try LibgpiodChip(label: "no-such-chip", among: devices)
    check(false, "a wrong label among udev's devices is refused")
} catch {
    check(
        error.description.hasPrefix("No GPIO chip labelled \"no-such-chip\"."),
        "a wrong label among udev's devices is refused")
}

do {
    let chip = try LibgpiodChip(label: label)
    check(chip.label == label, "chip found by its label \(label)")
    let names = [
        "motor-enable", "brake", "motor-dir", "heartbeat", "stepper-step", "stepper-dir", "stepper-enable",
        "encoder-a", "encoder-b", "home-switch", "cartridge-present", "driver-fault", "estop",
    ]
    var offsets: [String: UInt32] = [:]
    for name in names { offsets[name] = chip.offset(ofLineNamed: name) }
    check(
        offsets.values.count == names.count && offsets["motor-enable"] == 0 && offsets["estop"] == 12,
        "every pen line found by name")
    check(chip.offset(ofLineNamed: "not-a-line") == nil, "a missing line name is nil")

    // Outputs, read back through gpio-sim's sysfs value.
    let enable = try chip.requestOutput(offset: offsets["motor-enable"]!, name: "motor-enable", initial: false)
    check(simValue(enable.offset) == "0", "motor-enable requested low")
    try chip.set(enable, true)
    check(simValue(enable.offset) == "1", "motor-enable driven high reads 1 in sysfs")
    try chip.set(enable, false)
    check(simValue(enable.offset) == "0", "motor-enable driven low reads 0 in sysfs")
    do {
        let other = try LibgpiodChip(label: label)
        _ = try other.requestOutput(offset: enable.offset, name: "motor-enable", initial: false)
        check(false, "a line held by us is busy for another requester")
    } catch {
        check(error.description.contains("Another process holds it"), "a held line is busy: \(error)")
    }

    // Inputs: levels and edges with the kernel's timestamps.
    let home = try chip.requestInput(
        offset: offsets["home-switch"]!, name: "home-switch", edges: false, pullDown: false)
    simPull(home.offset, up: true)
    check(try chip.get(home) == true, "home-switch reads the pull-up")
    simPull(home.offset, up: false)
    check(try chip.get(home) == false, "home-switch reads the pull-down")

    let encoder = try chip.requestInput(offset: offsets["encoder-a"]!, name: "encoder-a", edges: true, pullDown: false)
    var edges = Array(repeating: GPIOEdge(rising: false, timestampNanoseconds: 0), count: 1024)
    _ = try chip.readEdges(encoder, into: &edges)  // drain
    check(try chip.readEdges(encoder, into: &edges) == .none, "reading edges never blocks when there are none")
    for _ in 0..<5 {
        simPull(encoder.offset, up: true)
        simPull(encoder.offset, up: false)
    }
    usleep(20_000)
    let read = try chip.readEdges(encoder, into: &edges)
    let count = read.count
    check(count == 10 && !read.mayHaveLost, "ten edges injected through pull reach the encoder path (got \(count))")
    let stamps = edges[0..<count].map { (edge: GPIOEdge) in edge.timestampNanoseconds }
    check(zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 } && (stamps.first ?? 0) > 0, "edge timestamps increase")
    check(edges[0].rising && !edges[1].rising, "edges alternate rising and falling")
    // More edges than the kernel keeps for a line (v1: 16; v2: the 1,024 asked for): the kernel
    // drops some, and the read says so.
    let bufferEdges = LibgpiodChip.kernelEventsPerLine
    for _ in 0..<(bufferEdges / 2 + 4) {
        simPull(encoder.offset, up: true)
        simPull(encoder.offset, up: false)
    }
    let full = try chip.readEdges(encoder, into: &edges)
    check(
        full.count == LibgpiodChip.kernelEventsPerLine && full.mayHaveLost,
        "\(bufferEdges + 8) edges unread (libgpiod \(libgpiodMajorVersion)): the kernel kept \(full.count), and the read says edges may be lost"
    )

    chip.releaseAll()
    check(simValue(enable.offset) == "0", "a released enable line falls to its pull-down")
} catch {
    check(false, "unexpected GPIO error: \(error)")
}

print("\(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
