import Foundation
import Testing

/// `needled check-config` and the daemon with a config: every wrong key shows the person the
/// file, the line, the key and what is allowed.
@Suite("Configuration")
struct ConfigurationTests {
    func check(_ text: String, _ flags: [String] = []) throws -> (Int32, String) {
        let path = NSTemporaryDirectory() + "needled-check-\(UUID().uuidString.prefix(8)).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, output, _) = try DaemonProcess.run(
            DaemonProcess.binary("needled"), ["check-config"] + flags + [path])
        return (code, output.replacingOccurrences(of: path, with: "CONFIG"))
    }

    @Test("--effective prints every key with its value in force, the defaults filled in, and parses back to itself")
    func effective() throws {
        let file = """
            [pen]
            needle-count = 14
            [limits]
            max-depth-micrometres = 1200
            max-speed-hertz = 140
            [limits.area-max-depth-micrometres]
            cheeks = 800
            [gpio]
            temperature-path = "/sys/class/hwmon/hwmon0/temp1_input"
            """
        let (code, output) = try check(file, ["--effective"])
        #expect(code == 0)
        let lines = output.split(separator: "\n").map(String.init)
        // What the file says, and what it leaves to the defaults, each in its table.
        for line in [
            "[daemon]", "tick-rate-hertz = 1000", "backend = \"simulated\"", "realtime-priority = 80",
            "needle-count = 14", "default-speed-hertz = 100", "retract-on-fault = true",
            "kind = \"quadrature\"", "max-depth-micrometres = 1200", "max-speed-hertz = 140",
            "min-speed-hertz = 25", "max-temperature-millicelsius = 43000", "max-cartridge-use-seconds = 1800",
            "tick-overruns-in-a-row = 5", "temperature-path = \"/sys/class/hwmon/hwmon0/temp1_input\"",
            "max-size-mebibytes = 4096", "keep-telemetry-days = 365", "prune-above-percent = 80",
            "warn-above-percent = 90", "prune-unexported = false", "max-connections = 32", "idle-timeout-seconds = 600",
        ] {
            #expect(lines.contains(line), "no line \(line) in:\n\(output)")
        }
        #expect(lines.contains { $0.hasPrefix("area-max-depth-micrometres = { ") && $0.contains("cheeks = 800") })
        #expect(lines.contains { $0.hasPrefix("# pwm-chip: not set") })
        #expect(lines.first?.hasPrefix("# The configuration in force, read from CONFIG (SHA-256 ") == true)
        // Every key of every table, set or said to be unset: [daemon] 5, [pen] 3, [sensor] 2,
        // [limits] 15, [gpio] 7, [records] 1, [access] 2, [socket] 6, and [fleet] and [metrics]
        // said to be unset.
        let keys = lines.filter { !$0.hasPrefix("#") && !$0.hasPrefix("[") && $0.contains(" = ") }
        let unset = lines.filter { $0.hasPrefix("# ") && ($0.contains(": not set") || $0.contains(": none")) }
        #expect(keys.count + unset.count == 47, "\(keys.count) keys, \(unset.count) unset:\n\(output)")

        // The output is a configuration file of its own, and it says the same again.
        let (againCode, again) = try check(output, ["--effective"])
        #expect(againCode == 0, "\(again)")
        #expect(again.split(separator: "\n").dropFirst(2).map(String.init) == Array(lines.dropFirst(2)))

        // [fleet] with its defaults filled in, and back to itself.
        let fleet = """
            [fleet]
            server = "db.clinic"
            database = "needled_fleet"
            role = "pen_a"
            ca = "/dev/null"
            certificate = "/dev/null"
            key = "/dev/null"
            """
        let (fleetCode, fleetOutput) = try check(fleet, ["--effective"])
        #expect(fleetCode == 0, "\(fleetOutput)")
        let fleetLines = fleetOutput.split(separator: "\n").map(String.init)
        for line in [
            "[fleet]", "server = \"db.clinic:5432\"", "role = \"pen_a\"", "offline-cartridges = \"refuse\"",
            "answer-timeout-milliseconds = 2000",
        ] {
            #expect(fleetLines.contains(line), "no line \(line) in:\n\(fleetOutput)")
        }
        let (_, fleetAgain) = try check(fleetOutput, ["--effective"])
        #expect(fleetAgain.split(separator: "\n").dropFirst(2).map(String.init) == Array(fleetLines.dropFirst(2)))

        // A file with an error prints the error, not a configuration.
        let (badCode, bad) = try check("[limits]\nmax-speed-hertz = 400\n", ["--effective"])
        #expect(badCode == 1)
        #expect(
            bad == "CONFIG:2: limits.max-speed-hertz: 400 Hz is outside the allowed range 1 Hz to 150 Hz.\n", "\(bad)")
    }

    @Test("A valid file passes")
    func valid() throws {
        let (code, output) = try check(
            """
            [daemon]
            tick-rate-hertz = 500
            [pen]
            needle-count = 14
            default-speed-hertz = 110
            [limits]
            max-depth-micrometres = 1200
            [limits.area-max-depth-micrometres]
            cheeks = 800
            """)
        #expect(code == 0)
        #expect(output == "CONFIG: OK\n")
    }

    @Test(
        "Every error, each with its line, at once",
        arguments: [
            (
                "[limits]\nmax-depth-micrometres = 3500\n",
                "CONFIG:2: limits.max-depth-micrometres: 3.50 mm is outside the allowed range 0.00 mm to 3.00 mm.\n"
            ),
            (
                "[limits]\nmax-speed-hertz = 200\n",
                "CONFIG:2: limits.max-speed-hertz: 200 Hz is outside the allowed range 1 Hz to 150 Hz.\n"
            ),
            (
                "[limits]\nmax-depth-micrometres = \"deep\"\n",
                "CONFIG:2: limits.max-depth-micrometres: must be a whole number.\n"
            ),
            (
                "[limits]\nmax-depht-micrometres = 1000\n",
                "CONFIG:2: limits.max-depht-micrometres: unknown key; allowed: max-depth-micrometres, area-max-depth-micrometres, max-speed-hertz, min-speed-hertz, speed-ramp-hertz-per-second, overspeed-margin-hertz, stall-timeout-milliseconds, depth-following-error-tolerance-micrometres, max-temperature-millicelsius, max-continuous-run-seconds, max-session-length-minutes, max-cartridge-use-seconds, arm-timeout-seconds, homing-timeout-milliseconds, tick-overruns-in-a-row.\n"
            ),
            (
                "[limits]\nmax-cartridge-use-seconds = 5\n",
                "CONFIG:2: limits.max-cartridge-use-seconds: 5 s is outside the allowed range 10 s to 120 min.\n"
            ),
            (
                "[records]\nmax-size-mebibytes = 0\n",
                "CONFIG:2: records.max-size-mebibytes: 0 is outside the allowed range 1 to 1048576.\n"
            ),
            (
                "[records]\nmax-size = 10\n",
                "CONFIG:2: records.max-size: unknown key; allowed: max-size-mebibytes, keep-telemetry-days, prune-above-percent, warn-above-percent, prune-unexported.\n"
            ),
            (
                "[limits.area-max-depth-micrometres]\nlips = 200\n",
                "CONFIG:2: limits.area-max-depth-micrometres.lips: unknown area; the areas are forehead, periorbital, nose, cheeks, perioral, neck, decolletage, scalp, scars, stretchMarks.\n"
            ),
            (
                "[limits.area-max-depth-micrometres]\nscars = 2000\n",
                "CONFIG:2: limits.area-max-depth-micrometres.scars: The scars limit of 2.00 mm must be between 0.00 mm and the maximum depth of 1.50 mm.\n"
            ),
            ("[daemon]\nbackend = \"usb\"\n", "CONFIG:2: daemon.backend: must be \"simulated\" or \"gpio\".\n"),
            (
                "[daemon]\ntick-rate-hertz = 50\n",
                "CONFIG:2: daemon.tick-rate-hertz: 50 is outside the allowed range 100 to 5000.\n"
            ),
            ("[pen]\nretract-on-fault = 1\n", "CONFIG:2: pen.retract-on-fault: must be true or false.\n"),
            (
                "[pen]\ndefault-speed-hertz = 20\n",
                "CONFIG:2: pen.default-speed-hertz: 20 Hz is outside the speed limits 25 Hz to 150 Hz.\n"
            ),
            (
                "[motor]\npower = 3\n",
                "CONFIG:1: motor: unknown key; the tables are [daemon], [pen], [sensor], [limits], [gpio], [records], [access], [socket], [fleet] and [metrics].\n"
            ),
            ("[limits\n", "CONFIG:1: syntax: "),
            (
                "[limits]\nmax-depth-micrometres = 99999999\n",
                "CONFIG:2: limits.max-depth-micrometres: 99999999 is outside the allowed range 0.00 mm to 3.00 mm.\n"
            ),
            (
                "[limits]\nmax-speed-hertz = -2000000\n",
                "CONFIG:2: limits.max-speed-hertz: -2000000 is outside the allowed range 1 Hz to 150 Hz.\n"
            ),
            (
                // What a power cut during a save can leave: the parser read up to the NUL only.
                "[limits]\nmax-depth-micrometres = 1000\n\u{0}anything at all = [",
                "CONFIG:3: file: holds a NUL byte, so it is cut short or damaged (a power cut during a save leaves zeros); nothing of it is used. Restore it from a copy and check it with `needled check-config`.\n"
            ),
            (String(repeating: "\u{0}", count: 4096), "CONFIG:1: file: holds a NUL byte"),
            (
                "[limits]\nmax-speed-hertz = 200\n[pen]\nneedle-count = 0\n",
                "CONFIG:2: limits.max-speed-hertz: 200 Hz is outside the allowed range 1 Hz to 150 Hz.\nCONFIG:4: pen.needle-count: 0 is outside the allowed range 1 to 100.\n"
            ),
        ])
    func errors(text: String, expected: String) throws {
        let (code, output) = try check(text)
        #expect(code == 1)
        #expect(output.hasPrefix(expected), "got: \(output)")
    }

    @Test("A file that is not UTF-8 is refused with the line of its first bad byte")
    func notUTF8() throws {
        let path = NSTemporaryDirectory() + "needled-check-\(UUID().uuidString.prefix(8)).toml"
        // Latin-1 "é" (0xE9) on line 3, as an editor set to another encoding saves it.
        var bytes = Array("[pen]\nneedle-count = 12\n# caf".utf8)
        bytes += [0xE9] + Array("\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, output, _) = try DaemonProcess.run(DaemonProcess.binary("needled"), ["check-config", path])
        #expect(code == 1)
        #expect(
            output
                == "\(path):3: file: is not UTF-8 text from this line on; nothing of it is used. Save it as UTF-8 and check it with `needled check-config`.\n"
        )
    }

    @Test("The daemon refuses to start on a bad config, and names the error")
    func daemonRefusesBadConfig() throws {
        let path = NSTemporaryDirectory() + "needled-bad-\(UUID().uuidString.prefix(8)).toml"
        try "[limits]\nmax-speed-hertz = 999\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, _, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needled"), ["--config", path, "--socket", NSTemporaryDirectory() + "never.sock"])
        #expect(code == 78)
        #expect(
            errors.contains("\(path):2: limits.max-speed-hertz: 999 Hz is outside the allowed range 1 Hz to 150 Hz."))
    }

    @Test("A configured limit is in force: daemon.info reports it and setDepth obeys it")
    func configuredLimit() throws {
        let daemon = try DaemonProcess(config: "[limits]\nmax-depth-micrometres = 800\n")
        let info = try daemon.call("daemon.info")
        #expect(info["limits"]?["maxDepthMicrometres"] == .int(800))
        #expect(info["backend"] == "simulated")
        _ = try daemon.call("pen.home")
        try daemon.waitFor { $0["state"] == "ready" }
        let error = try daemon.error("pen.setDepth", .object([("micrometres", 900)]))
        #expect(error?.code == -32001)
        #expect(error?.message == "Depth 0.90 mm is outside the limit maxDepth; allowed 0.00 mm to 0.80 mm.")
    }

    @Test("The configured speed sensor is in force: daemon.info reports it, the simulated pen turns it")
    func configuredSensor() throws {
        let daemon = try DaemonProcess(config: "[sensor]\nkind = \"tachometer\"\npulses-per-revolution = 3\n")
        let info = try daemon.call("daemon.info")
        #expect(info["pen"]?["speedSensor"] == .object([("kind", "tachometer"), ("pulsesPerRevolution", 3)]))
        try daemon.startTreatment()
        // 3 pulses a revolution (6 edges), timed by their edges: the speed reaches the target.
        let running = try daemon.waitFor { ($0["speedHertz"]?.number ?? 0) > 115 }
        #expect(running["state"] == "running")
    }

    @Test("needled's own usage errors")
    func daemonUsage() throws {
        let (code, _, errors) = try DaemonProcess.run(DaemonProcess.binary("needled"), ["--backend", "usb"])
        #expect(code != 0)
        #expect(errors.contains("--backend must be simulated or gpio, not usb."))
        let long = "/tmp/" + String(repeating: "n", count: 103) + ".sock"
        let (longCode, _, longErrors) = try DaemonProcess.run(DaemonProcess.binary("needled"), ["--socket", long])
        #expect(longCode == 64)
        #expect(
            longErrors.contains(
                "--socket must be a path of 1 to 107 bytes (a Unix socket's limit), not 113 bytes."))
    }
}

@Suite("The GPIO backend on a host without the pen's chip")
struct GPIOStartTests {
    @Test("needled --backend gpio without the chip: a clear error naming the label, exit 69")
    func chipMissing() throws {
        let path = NSTemporaryDirectory() + "needled-gpio-\(UUID().uuidString.prefix(8)).toml"
        try "[gpio]\nchip-label = \"no-such-pen\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, _, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needled"),
            ["--config", path, "--backend", "gpio", "--socket", NSTemporaryDirectory() + "never-gpio.sock"])
        #expect(code == 69)
        #expect(errors.contains("cannot start: No GPIO chip labelled \"no-such-pen\"."))
    }

    @Test(
        "[gpio] errors name their key",
        arguments: [
            ("[gpio]\nchip-label = 3\n", "CONFIG:2: gpio.chip-label: must be a non-empty string.\n"),
            ("[gpio]\npwm-channel = 99\n", "CONFIG:2: gpio.pwm-channel: 99 is outside the allowed range 0 to 63.\n"),
            (
                "[gpio.lines]\nmotor-enabel = 4\n",
                "CONFIG:2: gpio.lines.motor-enabel: unknown line; the lines are motor-enable, brake, motor-dir, heartbeat, stepper-step, stepper-dir, stepper-enable, encoder-a, encoder-b, home-switch, cartridge-present, driver-fault, estop.\n"
            ),
            ("[gpio.lines]\nestop = -1\n", "CONFIG:2: gpio.lines.estop: must be a line offset from 0 to 1023.\n"),
        ])
    func gpioConfigErrors(text: String, expected: String) throws {
        let path = NSTemporaryDirectory() + "needled-check-\(UUID().uuidString.prefix(8)).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (code, output, _) = try DaemonProcess.run(DaemonProcess.binary("needled"), ["check-config", path])
        #expect(code == 1)
        #expect(output.replacingOccurrences(of: path, with: "CONFIG") == expected)
    }
}
