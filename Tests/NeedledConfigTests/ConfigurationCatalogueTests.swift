import Foundation
import NeedledConfig
import Testing

/// The configuration catalogue: every key of needled.toml with a wrong value (wrong type, out of
/// range, unknown), each with the exact line a person reads from `needled check-config`, from
/// the loader itself (in-process: the file read whole, then parsed). A file with any error is not
/// used at all: check-config exits 1 with these lines (ConfigurationTests, through the process),
/// the daemon refuses to start with it, and a reload with it keeps the running configuration
/// (SystemdTests).
@Suite("Configuration catalogue: every key, every wrong value")
struct ConfigurationCatalogueTests {
    @Test(
        "Each wrong value gets its line, key and allowed range",
        arguments: [
            (
                "[daemon]\ntick-rate-hertz = \"fast\"\n",
                "CONFIG:2: daemon.tick-rate-hertz: must be a whole number from 100 to 5000.\n"
            ),
            (
                "[daemon]\ntick-rate-hertz = 6000\n",
                "CONFIG:2: daemon.tick-rate-hertz: 6000 is outside the allowed range 100 to 5000.\n"
            ),
            ("[daemon]\nbackend = 3\n", "CONFIG:2: daemon.backend: must be \"simulated\" or \"gpio\".\n"),
            (
                "[daemon]\nsimulator-seed = -1\n",
                "CONFIG:2: daemon.simulator-seed: -1 is outside the allowed range 0 to 2147483647.\n"
            ),
            (
                "[daemon]\nrealtime-priority = 100\n",
                "CONFIG:2: daemon.realtime-priority: 100 is outside the allowed range 0 to 99.\n"
            ),
            ("[daemon]\ncpu = -2\n", "CONFIG:2: daemon.cpu: -2 is outside the allowed range -1 to 1023.\n"),
            (
                "[daemon]\ncolor = 1\n",
                "CONFIG:2: daemon.color: unknown key; allowed: tick-rate-hertz, backend, simulator-seed, realtime-priority, cpu.\n"
            ),
            ("[pen]\nneedle-count = 101\n", "CONFIG:2: pen.needle-count: 101 is outside the allowed range 1 to 100.\n"),
            (
                "[pen]\ndefault-speed-hertz = 151\n",
                "CONFIG:2: pen.default-speed-hertz: 151 is outside the allowed range 1 to 150.\n"
            ),
            ("[pen]\nretract-on-fault = \"yes\"\n", "CONFIG:2: pen.retract-on-fault: must be true or false.\n"),
            (
                "[limits]\nmax-depth-micrometres = -5\n",
                "CONFIG:2: limits.max-depth-micrometres: -0.005 mm is outside the allowed range 0.00 mm to 3.00 mm.\n"
            ),
            (
                "[limits]\nmin-speed-hertz = 0\n",
                "CONFIG:2: limits.min-speed-hertz: 0 Hz is outside the allowed range 1 Hz to 150 Hz.\n"
            ),
            (
                "[limits]\nmax-speed-hertz = 151\n",
                "CONFIG:2: limits.max-speed-hertz: 151 Hz is outside the allowed range 1 Hz to 150 Hz.\n"
            ),
            (
                "[limits]\nspeed-ramp-hertz-per-second = 0\n",
                "CONFIG:2: limits.speed-ramp-hertz-per-second: 0 Hz/s is outside the allowed range 10 Hz/s to 10000 Hz/s.\n"
            ),
            (
                "[limits]\noverspeed-margin-hertz = 0\n",
                "CONFIG:2: limits.overspeed-margin-hertz: 0 Hz is outside the allowed range 1 Hz to 30 Hz.\n"
            ),
            (
                "[limits]\nstall-timeout-milliseconds = 0\n",
                "CONFIG:2: limits.stall-timeout-milliseconds: 0 s is outside the allowed range 20 ms to 2 s.\n"
            ),
            (
                "[limits]\ndepth-following-error-tolerance-micrometres = 0\n",
                "CONFIG:2: limits.depth-following-error-tolerance-micrometres: 0.00 mm is outside the allowed range 0.001 mm to 0.20 mm.\n"
            ),
            (
                "[limits]\nmax-temperature-millicelsius = 60000\n",
                "CONFIG:2: limits.max-temperature-millicelsius: 60.0 °C is outside the allowed range 20.0 °C to 48.0 °C.\n"
            ),
            (
                "[limits]\nmax-continuous-run-seconds = 0\n",
                "CONFIG:2: limits.max-continuous-run-seconds: 0 s is outside the allowed range 1 s to 60 min.\n"
            ),
            (
                "[limits]\nmax-session-length-minutes = 500\n",
                "CONFIG:2: limits.max-session-length-minutes: 500 min is outside the allowed range 1 min to 120 min.\n"
            ),
            (
                "[limits]\nmax-cartridge-use-seconds = 8000\n",
                "CONFIG:2: limits.max-cartridge-use-seconds: 8000 s is outside the allowed range 10 s to 120 min.\n"
            ),
            (
                "[limits]\narm-timeout-seconds = 0\n",
                "CONFIG:2: limits.arm-timeout-seconds: 0 s is outside the allowed range 1 s to 5 min.\n"
            ),
            (
                "[limits]\nhoming-timeout-milliseconds = 0\n",
                "CONFIG:2: limits.homing-timeout-milliseconds: 0 s is outside the allowed range 100 ms to 1 min.\n"
            ),
            (
                "[limits]\ntick-overruns-in-a-row = 0\n",
                "CONFIG:2: limits.tick-overruns-in-a-row: 0 is outside the allowed range 1 to 1000.\n"
            ),
            (
                "[limits]\narea-max-depth-micrometres = 5\n",
                "CONFIG:2: limits.area-max-depth-micrometres: must be a table of area = micrometres.\n"
            ),
            ("[sensor]\nkind = \"hall\"\n", "CONFIG:2: sensor.kind: must be \"quadrature\" or \"tachometer\".\n"),
            (
                "[sensor]\ncounts-per-revolution = 2048\n",
                "CONFIG:2: sensor.counts-per-revolution: 2048 is outside the allowed range 4 to 1024.\n"
            ),
            (
                "[sensor]\ncounts-per-revolution = 10\n",
                "CONFIG:2: sensor.counts-per-revolution: 10 is not a multiple of 4 (a quadrature cycle is 4 counts).\n"
            ),
            (
                "[sensor]\npulses-per-revolution = 2\n",
                "CONFIG:2: sensor.pulses-per-revolution: is for kind = \"tachometer\"; a quadrature encoder takes counts-per-revolution.\n"
            ),
            (
                "[sensor]\nkind = \"tachometer\"\npulses-per-revolution = 0\n",
                "CONFIG:3: sensor.pulses-per-revolution: 0 is outside the allowed range 1 to 64.\n"
            ),
            (
                "[sensor]\nkind = \"tachometer\"\ncounts-per-revolution = 12\n",
                "CONFIG:3: sensor.counts-per-revolution: is for kind = \"quadrature\"; a tachometer takes pulses-per-revolution.\n"
            ),
            ("[gpio]\nchip-label = \"\"\n", "CONFIG:2: gpio.chip-label: must be a non-empty string.\n"),
            ("[gpio]\npwm-chip = 7\n", "CONFIG:2: gpio.pwm-chip: must be a non-empty string.\n"),
            ("[gpio]\npwm-channel = 64\n", "CONFIG:2: gpio.pwm-channel: 64 is outside the allowed range 0 to 63.\n"),
            (
                "[gpio]\npwm-period-nanoseconds = 10\n",
                "CONFIG:2: gpio.pwm-period-nanoseconds: 10 is outside the allowed range 1000 to 100000000.\n"
            ),
            ("[gpio]\ntemperature-path = false\n", "CONFIG:2: gpio.temperature-path: must be a non-empty string.\n"),
            ("[gpio]\ncartridge-id-path = \"\"\n", "CONFIG:2: gpio.cartridge-id-path: must be a non-empty string.\n"),
            ("[gpio]\nlines = 3\n", "CONFIG:2: gpio.lines: must be a table of line-name = offset.\n"),
            (
                "[gpio]\nspeed = 1\n",
                "CONFIG:2: gpio.speed: unknown key; allowed: chip-label, lines, pwm-chip, pwm-channel, pwm-period-nanoseconds, temperature-path, cartridge-id-path.\n"
            ),
            (
                "[gpio.lines]\nmotor-enable = -1\n",
                "CONFIG:2: gpio.lines.motor-enable: must be a line offset from 0 to 1023.\n"
            ),
            (
                "[gpio.lines]\nlaser = 4\n",
                "CONFIG:2: gpio.lines.laser: unknown line; the lines are motor-enable, brake, motor-dir, heartbeat, stepper-step, stepper-dir, stepper-enable, encoder-a, encoder-b, home-switch, cartridge-present, driver-fault, estop.\n"
            ),
            (
                "[records]\nmax-size-mebibytes = \"big\"\n",
                "CONFIG:2: records.max-size-mebibytes: must be a whole number from 1 to 1048576.\n"
            ),
            (
                "[records]\nkeep-telemetry-days = -1\n",
                "CONFIG:2: records.keep-telemetry-days: -1 is outside the allowed range 0 to 36500.\n"
            ),
            (
                "[records]\nprune-above-percent = 100\n",
                "CONFIG:2: records.prune-above-percent: 100 is outside the allowed range 10 to 99.\n"
            ),
            (
                "[records]\nwarn-above-percent = 70\n",
                "CONFIG:2: records.warn-above-percent: 70 must be above prune-above-percent (80): pruning keeps the records below that, and the warning is for when it cannot.\n"
            ),
            (
                "[records]\nprune-unexported = \"yes\"\n",
                "CONFIG:2: records.prune-unexported: must be true or false.\n"
            ),
            (
                "[access]\noperator-group = \"no-such-group\"\n",
                "CONFIG:2: access.operator-group: no group \"no-such-group\" on this host (create it with groupadd, or fix the name).\n"
            ),
            (
                "[access]\nread-only-group = true\n",
                "CONFIG:2: access.read-only-group: must be a group name (e.g. \"needled-view\") or a numeric group id.\n"
            ),
            (
                "[access]\noperator-group = 0\n",
                "CONFIG:2: access.operator-group: gid 0 (root) cannot be an access group; root may always operate.\n"
            ),
            (
                "[access]\nread-only-group = \"root\"\n",
                "CONFIG:2: access.read-only-group: \"root\" is gid 0 (root); it cannot be an access group, root may always operate.\n"
            ),
            // Found by fuzz-config: toml++ aborted the process on these (a reload would have
            // killed the daemon); now they are errors like any other.
            (
                "[?]\n",
                "CONFIG:1: syntax: a table name cannot begin with '?'; write [name] with letters, digits, - and _, or quote it.\n"
            ),
            (
                "[pen]\nneedle-count = 12\n[[ =]]\n",
                "CONFIG:3: syntax: a table name cannot begin with '='; write [name] with letters, digits, - and _, or quote it.\n"
            ),
            (
                "[gpio]\n[\nchip-label = \"pen\"\n",
                "CONFIG:2: syntax: the table name is missing after '['; write [name] with letters, digits, - and _, or quote it.\n"
            ),
            (
                "\u{FEFF}[\u{03}\n",
                "CONFIG:1: syntax: a table name cannot begin with U+3; write [name] with letters, digits, - and _, or quote it.\n"
            ),
            // A combining mark after '[' made one Swift Character of the two and hid the header
            // from the guard, which now reads code points, as the parser does.
            (
                "[\u{0316}pen]\n",
                "CONFIG:1: syntax: a table name cannot begin with U+316; write [name] with letters, digits, - and _, or quote it.\n"
            ),
            (
                "[pen]\r\nneedle-count = 12\r\n[\r\n",
                "CONFIG:3: syntax: the table name is missing after '['; write [name] with letters, digits, - and _, or quote it.\n"
            ),
            (
                "[\u{01}]\n",
                "CONFIG:1: syntax: a table name cannot begin with U+1; write [name] with letters, digits, - and _, or quote it.\n"
            ),
            // Found by fuzz-config: a session length of 0 trapped in the continuous run's check
            // (its range ends at the session length), killing the daemon.
            (
                "[limits]\nmax-session-length-minutes = 0\n",
                "CONFIG:2: limits.max-session-length-minutes: 0 s is outside the allowed range 1 min to 120 min.\n"
            ),
            // Found by fuzz-config: an empty key was named by nothing ("CONFIG:1: : unknown
            // key"); a key that is not bare is now quoted as TOML would write it.
            (
                "'' = ''\n",
                "CONFIG:1: \"\": unknown key; the tables are [daemon], [pen], [sensor], [limits], [gpio], [records], [access], [socket], [fleet] and [metrics].\n"
            ),
            (
                "[pen]\n\"needle count\" = 12\n",
                "CONFIG:2: pen.\"needle count\": unknown key; allowed: needle-count, default-speed-hertz, retract-on-fault.\n"
            ),
            (
                "[gpio.lines]\n'' = 3\n",
                "CONFIG:2: gpio.lines.\"\": unknown line; the lines are motor-enable, brake, motor-dir, heartbeat, stepper-step, stepper-dir, stepper-enable, encoder-a, encoder-b, home-switch, cartridge-present, driver-fault, estop.\n"
            ),
            ("[access]\noperator-group = -3\n", "CONFIG:2: access.operator-group: -3 is not a group id.\n"),
            (
                "[access]\nadmin-group = \"x\"\n",
                "CONFIG:2: access.admin-group: unknown key; allowed: operator-group, read-only-group.\n"
            ),
            (
                "[socket]\nmax-connections = 0\n",
                "CONFIG:2: socket.max-connections: 0 is outside the allowed range 1 to 1024.\n"
            ),
            (
                "[socket]\nmax-line-bytes = 100\n",
                "CONFIG:2: socket.max-line-bytes: 100 is outside the allowed range 1024 to 16777216.\n"
            ),
            (
                "[socket]\nmax-in-flight = 2000\n",
                "CONFIG:2: socket.max-in-flight: 2000 is outside the allowed range 1 to 1024.\n"
            ),
            (
                "[socket]\nidle-timeout-seconds = 5\n",
                "CONFIG:2: socket.idle-timeout-seconds: 5 is outside the allowed range 10 to 86400.\n"
            ),
            (
                "[socket]\nline-timeout-seconds = 0\n",
                "CONFIG:2: socket.line-timeout-seconds: 0 is outside the allowed range 1 to 600.\n"
            ),
            (
                "[socket]\nslow-reader-timeout-seconds = 601\n",
                "CONFIG:2: socket.slow-reader-timeout-seconds: 601 is outside the allowed range 1 to 600.\n"
            ),
            (
                fleet("\nserver = \"db.clinic:99999\""),
                "CONFIG:2: fleet.server: \"db.clinic:99999\" is not host or host:port (a port from 1 to 65535).\n"
            ),
            (
                fleet("\ndatabase = \"\""),
                "CONFIG:2: fleet.database: must be a non-empty string: the fleet's database.\n"
            ),
            (
                fleet("\nrole = 7"),
                "CONFIG:2: fleet.role: must be a non-empty string: this pen's login role on the fleet's server.\n"
            ),
            (
                fleet("\nca = \"/nonexistent/ca.pem\""),
                "CONFIG:2: fleet.ca: /nonexistent/ca.pem cannot be read (missing, or no permission): the PEM file of the CA that signed the server's certificate.\n"
            ),
            (
                fleet("\ncertificate = \"/nonexistent/pen.pem\""),
                "CONFIG:2: fleet.certificate: /nonexistent/pen.pem cannot be read (missing, or no permission): this pen's client certificate (PEM).\n"
            ),
            (
                fleet("\nkey = \"/nonexistent/pen.key\""),
                "CONFIG:2: fleet.key: /nonexistent/pen.key cannot be read (missing, or no permission): this pen's client key (PEM).\n"
            ),
            (
                fleet("\noffline-cartridges = \"trust\""),
                "CONFIG:2: fleet.offline-cartridges: must be \"refuse\" or \"local\".\n"
            ),
            (
                fleet("\nanswer-timeout-milliseconds = 50"),
                "CONFIG:2: fleet.answer-timeout-milliseconds: 50 is outside the allowed range 100 to 10000.\n"
            ),
            (
                fleet("\npassword = \"hunter2\""),
                "CONFIG:2: fleet.password: the fleet's password is never kept in needled.toml; give it as systemd's credential \"fleet-password\" (LoadCredential= in needled.service, Docs/operations.md).\n"
            ),
            (
                "[fleet]\nserver = \"db\"\ndatabase = \"f\"\nrole = \"pen_a\"\nca = \"/dev/null\"\nkey = \"/dev/null\"\n",
                "CONFIG:1: fleet.certificate: is required in [fleet]: this pen's client certificate (PEM).\n"
            ),
            (
                fleet("\nport = 5432"),
                "CONFIG:2: fleet.port: unknown key; allowed: server, database, role, ca, certificate, key, offline-cartridges, answer-timeout-milliseconds.\n"
            ),
            ("fleet = 3\n", "CONFIG:1: fleet: must be a table ([fleet]).\n"),
            (
                "[metrics]\nlisten = 9469\n",
                "CONFIG:2: metrics.listen: must be an IP address and a port, such as \"127.0.0.1:9469\" or \"[::1]:9469\".\n"
            ),
            (
                "[metrics]\nlisten = \"127.0.0.1:70000\"\n",
                "CONFIG:2: metrics.listen: \"127.0.0.1:70000\": the port must be a number from 1 to 65535; must be an IP address and a port, such as \"127.0.0.1:9469\" or \"[::1]:9469\".\n"
            ),
            (
                "[metrics]\nlisten = \"pen.local:9469\"\n",
                "CONFIG:2: metrics.listen: \"pen.local:9469\": \"pen.local\" is not an IP address; must be an IP address and a port, such as \"127.0.0.1:9469\" or \"[::1]:9469\".\n"
            ),
            (
                "[metrics]\nport = 9469\n",
                "CONFIG:2: metrics.port: unknown key; allowed: listen.\n"
            ),
            ("metrics = \"on\"\n", "CONFIG:1: metrics: must be a table ([metrics]).\n"),
            (
                "[socket]\nbacklog = 5\n",
                "CONFIG:2: socket.backlog: unknown key; allowed: max-connections, max-line-bytes, max-in-flight, idle-timeout-seconds, line-timeout-seconds, slow-reader-timeout-seconds.\n"
            ),
        ])
    func wrongValue(text: String, expected: String) throws {
        let path = NSTemporaryDirectory() + "needled-catalogue-\(UUID().uuidString.prefix(8)).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let refused: ConfigurationErrors
        do {
            _ = try ConfigurationLoader.load(path: path)
            Issue.record("the loader took a file with a wrong value")
            return
        } catch {
            refused = error
        }
        #expect(!refused.errors.isEmpty)
        #expect((refused.description + "\n").replacingOccurrences(of: path, with: "CONFIG") == expected)
    }

    /// A `[fleet]` table whose second line is `line` and whose other keys are right (their
    /// files readable), so that the one error is `line`'s.
    static func fleet(_ line: String) -> String {
        let key = line.dropFirst().prefix { $0 != " " }
        let others = [
            ("server", "\"db.clinic:5432\""), ("database", "\"needled_fleet\""), ("role", "\"pen_a\""),
            ("ca", "\"/dev/null\""), ("certificate", "\"/dev/null\""), ("key", "\"/dev/null\""),
        ].filter { $0.0 != key }.map { "\($0.0) = \($0.1)\n" }.joined()
        return "[fleet]" + line + "\n" + others
    }

    @Test("Every key of Docs/api.md's needled.toml has a wrong-value case above")
    func catalogueCoversEveryDocumentedKey() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        let keys = try Self.documentedKeys()
        #expect(keys.count >= 38, "the needled.toml listing in Docs/api.md was not found")
        for key in keys {
            #expect(source.contains("\\n\(key) = "), "no wrong-value case for \(key)")
        }
    }

    /// The keys of the needled.toml listing in Docs/api.md (the areas' and lines' own tables
    /// aside: their names are checked by the unknown-area and unknown-line cases).
    static func documentedKeys() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let api = try String(contentsOf: root.appendingPathComponent("Docs/api.md"), encoding: .utf8)
        guard let listing = api.components(separatedBy: "### needled.toml").dropFirst().first else { return [] }
        var keys: [String] = []
        var table = ""
        for line in listing.components(separatedBy: "```")[1].split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("[") {
                table = String(text.prefix { $0 != "]" }.dropFirst())
                continue
            }
            let bare = text.hasPrefix("# ") ? String(text.dropFirst(2)) : text
            guard let equals = bare.range(of: " = "), !["limits.area-max-depth-micrometres"].contains(table)
            else { continue }
            keys.append(String(bare[..<equals.lowerBound]))
        }
        return keys
    }
}
