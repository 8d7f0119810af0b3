import ArgumentParser
import Foundation
import NeedleCore
import NeedledClient
import NeedledRPC

/// needlectl: the technician's CLI. Exit codes: 0 done, 1 refused by the daemon, 2 usage,
/// 3 records that do not verify, 69 daemon unavailable, 76 a result that is not the documented API.
@main
struct Needlectl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needlectl",
        abstract: "Control a microneedling pen through needled.",
        discussion:
            "Exit codes: 0 done, 1 refused by the daemon, 2 usage error, 3 records that do not verify, 69 daemon unavailable, 76 an answer that is not the documented API.",
        subcommands: [
            Status.self, Info.self, Home.self, Arm.self, Start.self, Stop.self, EStop.self, Reset.self,
            Depth.self, Speed.self, Session.self, Records.self, Cartridge.self, Fault.self, Faults.self, Watch.self,
            Metrics.self, Sim.self,
        ])

    static func main() {
        do {
            var command = try parseAsRoot(movingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch let error as RPCError {
            let advice = RefusalAdvice.advice(for: error).map { "\n  \($0)" } ?? ""
            FileHandle.standardError.write(Data("needlectl: refused: \(error.message)\(advice)\n".utf8))
            Foundation.exit(1)
        } catch let error as ResultShapeError {
            // The daemon answered, but not as the API documents: a version skew, said as one.
            FileHandle.standardError.write(Data("needlectl: \(error)\n".utf8))
            Foundation.exit(76)
        } catch let error as NeedledClient.Failure {
            FileHandle.standardError.write(Data("needlectl: \(error)\n".utf8))
            Foundation.exit(69)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// `needlectl --socket PATH --json status` and `needlectl status --socket PATH --json` are
/// the same: the global options given before the command move behind it, where each command's
/// `Connection` options read them.
func movingGlobalOptions(_ arguments: [String]) -> [String] {
    var global: [String] = []
    var rest: [String] = []
    var index = 0
    var beforeCommand = true
    while index < arguments.count {
        let argument = arguments[index]
        if beforeCommand && argument == "--socket" && index + 1 < arguments.count {
            global += [argument, arguments[index + 1]]
            index += 2
            continue
        }
        if beforeCommand && (argument.hasPrefix("--socket=") || argument == "--json") {
            global.append(argument)
        } else {
            if !argument.hasPrefix("-") { beforeCommand = false }
            rest.append(argument)
        }
        index += 1
    }
    return rest + global
}

struct Connection: ParsableArguments {
    @Option(
        help: "The daemon's socket (default: /run/needled/needled.sock as root, else $XDG_RUNTIME_DIR/needled.sock).")
    var socket: String?

    @Flag(help: "Print the daemon's JSON result instead of a sentence.")
    var json = false

    var path: String { socket ?? DefaultPaths.socket }

    /// Calls `method` with its params, of the one type the API gives them.
    func call<P: MethodParams>(_ method: APIMethod, _ params: P, timeoutSeconds: Int = 5) throws -> JSONValue {
        try NeedledClient(path: path, timeoutSeconds: timeoutSeconds).call(method, params)
    }

    /// Calls a method that takes no params.
    func call(_ method: APIMethod, timeoutSeconds: Int = 5) throws -> JSONValue {
        try NeedledClient(path: path, timeoutSeconds: timeoutSeconds).call(method)
    }

    /// A caller naming another result type than the API's for `method` is a bug in needlectl.
    private static func expect<Result: MethodResult>(_: Result.Type, from method: APIMethod) {
        precondition(
            method.resultType == Result.self, "\(method.name) answers \(method.resultType), not \(Result.self)")
    }

    /// Calls `method` and reads its result as the API's type for it (`APIMethod.resultType`): a
    /// missing or changed field is a `ResultShapeError` naming it (exit 76).
    func result<P: MethodParams, Result: MethodResult>(
        _ method: APIMethod, _ params: P, as _: Result.Type = Result.self, timeoutSeconds: Int = 5
    ) throws -> Result {
        Self.expect(Result.self, from: method)
        return try Result(method, call(method, params, timeoutSeconds: timeoutSeconds))
    }

    func result<Result: MethodResult>(
        _ method: APIMethod, as _: Result.Type = Result.self, timeoutSeconds: Int = 5
    ) throws -> Result {
        Self.expect(Result.self, from: method)
        return try Result(method, call(method, timeoutSeconds: timeoutSeconds))
    }

    /// Runs a command and prints its result: with --json the daemon's JSON as it came, else
    /// `human`'s sentence from the result read as its type.
    func perform<P: MethodParams, Result: MethodResult>(
        _ method: APIMethod, _ params: P, human: (Result) throws -> String
    ) throws {
        Self.expect(Result.self, from: method)
        let result = try call(method, params)
        print(json ? result.serialized : try human(Result(method, result)))
    }

    func perform<Result: MethodResult>(_ method: APIMethod, human: (Result) throws -> String) throws {
        Self.expect(Result.self, from: method)
        let result = try call(method)
        print(json ? result.serialized : try human(Result(method, result)))
    }
}

extension Connection {
    /// Runs a pen command and says what it did and the phase it left the pen in, read as a
    /// `CommandAnswer` (a drifted answer is an error naming the field, exit 76).
    func command<P: MethodParams>(_ method: APIMethod, _ params: P, verb: String) throws {
        try perform(method, params) { (answer: CommandAnswer) in "\(verb); the pen is \(answer.state.rawValue)." }
    }

    func command(_ method: APIMethod, verb: String) throws {
        try perform(method) { (answer: CommandAnswer) in "\(verb); the pen is \(answer.state.rawValue)." }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the pen's state, depth, speed, cartridge, session and fault.")
    @OptionGroup var connection: Connection
    func run() throws {
        let status = try connection.call(.penStatus)
        guard !connection.json else {
            print(status.serialized)
            return
        }
        let rendered = try StatusText.render(PenStatusResult(.penStatus, status))
        // Which configuration is in force, from daemon.info (a second call; --json keeps pen.status
        // alone). Not answering is said; answering out of shape is the error it is.
        let info: JSONValue? = try? connection.call(.daemonInfo)
        let configuration =
            try info.map { info throws(ResultShapeError) in
                StatusText.configuration(try DaemonInfoResult(.daemonInfo, info))
            }
            ?? "config     unknown (daemon.info did not answer)"
        print([rendered, configuration].joined(separator: "\n"))
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the daemon's version, backend, limits and areas.")
    @OptionGroup var connection: Connection
    func run() throws { try connection.perform(.daemonInfo, human: StatusText.info) }
}

struct Home: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Home the depth axis (needed after power-up and after a fault reset).")
    @OptionGroup var connection: Connection
    func run() throws { try connection.command(.penHome, verb: "Homing") }
}

struct Arm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Arm the pen (needs a session and an accepted cartridge).")
    @OptionGroup var connection: Connection
    func run() throws { try connection.command(.penArm, verb: "Armed") }
}

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the needles (the pen must be armed).")
    @OptionGroup var connection: Connection
    func run() throws { try connection.command(.penStart, verb: "Started") }
}

struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the needles (ramps down; never refused).")
    @OptionGroup var connection: Connection
    func run() throws { try connection.command(.penStop, verb: "Stopping") }
}

struct EStop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estop", abstract: "Emergency stop: motor off now, fault latched.")
    @OptionGroup var connection: Connection
    func run() throws { try connection.command(.penEmergencyStop, verb: "Emergency stop") }
}

struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reset a latched fault (then home again).")
    @OptionGroup var connection: Connection
    func run() throws {
        try connection.command(.penResetFault, verb: "Fault reset; home the pen next")
    }
}

struct Depth: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the needle depth, with its unit: 0.5mm or 500um.")
    @OptionGroup var connection: Connection
    @Argument(help: "The depth with its unit, e.g. 0.5mm or 500um.") var depth: String
    var value: DepthArgument { DepthArgument(argument: depth)! }
    func validate() throws {
        guard DepthArgument(argument: depth) != nil else {
            throw ValidationError("'\(depth)' is not a depth with its unit: write 0.5mm or 500um.")
        }
    }
    func run() throws {
        try connection.command(
            .penSetDepth, SetDepthParams(micrometres: value.micrometres),
            verb: "Depth set to \(millimetres(value.micrometres))")
    }
}

struct Speed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Set the stroke rate, with its unit: 120hz.")
    @OptionGroup var connection: Connection
    @Argument(help: "Strokes per second with the unit, e.g. 120hz.") var speed: String
    var value: SpeedArgument { SpeedArgument(argument: speed)! }
    func validate() throws {
        guard SpeedArgument(argument: speed) != nil else {
            throw ValidationError("'\(speed)' is not a stroke rate with its unit: write 120hz.")
        }
    }
    func run() throws {
        let params = SetSpeedParams(hertz: value.hertz)
        let number = params.json?["hertz"]?.serialized ?? ""
        try connection.command(.penSetSpeed, params, verb: "Speed set to \(number) Hz")
    }
}

struct Session: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open, close, list, show, export and report treatment sessions.",
        subcommands: [Open.self, Close.self, List.self, Show.self, Export.self, Report.self, Verify.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the recorded sessions, newest first.")
        @OptionGroup var connection: Connection
        @Option(help: "At most this many (1 to 1000).") var limit: Int = 20
        func validate() throws {
            guard (1...1000).contains(limit) else {
                throw ValidationError("--limit must be from 1 to 1000, not \(limit).")
            }
        }
        func run() throws {
            try connection.perform(.sessionList, SessionListParams(limit: limit)) {
                (list: ListResult<SessionRecordResult>) in
                guard !list.elements.isEmpty else { return "No sessions recorded." }
                return list.elements.map { session in
                    let closed = session.closedAt.map { "closed \($0)" } ?? "open"
                    let reason = session.closeReason == "interrupted" ? " (interrupted)" : ""
                    return
                        "\(session.id)  \(session.area)  cartridge \(session.cartridge)  opened \(session.openedAt)  \(closed)\(reason)"
                }.joined(separator: "\n")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one session and its recorded events.")
        @OptionGroup var connection: Connection
        @Argument(help: "The session id, e.g. S-0001.") var id: String
        func run() throws {
            try connection.perform(.sessionGet, SessionParams(id: .session(id))) { (detail: SessionDetailResult) in
                let session = detail.session
                var lines = [
                    "session    \(session.id) on \(session.area), cartridge \(session.cartridge)",
                    "opened     \(session.openedAt)",
                    "closed     \(session.closedAt ?? "open")\(session.closeReason.map { " (\($0))" } ?? "")",
                ]
                lines.append("events     \(detail.events.count)")
                for event in detail.events {
                    // The detail is free-form: whatever the event recorded.
                    lines.append("  tick \(event.tick)  \(event.kind)  \(event.detail.serialized)")
                }
                return lines.joined(separator: "\n")
            }
        }
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a session on an area with the inserted cartridge.")
        @OptionGroup var connection: Connection
        @Option(
            help:
                "The treatment area (forehead, periorbital, nose, cheeks, perioral, neck, decolletage, scalp, scars, stretchMarks)."
        )
        var area: String
        @Option(help: "The serial of the cartridge in the pen (needlectl status shows it).") var cartridge: String
        @Option(help: "The clinic's reference for this treatment.") var reference: String?
        var treatmentArea: TreatmentArea { TreatmentArea(rawValue: area)! }
        func validate() throws {
            guard TreatmentArea(rawValue: area) != nil else {
                throw ValidationError(
                    "unknown area \"\(area)\"; the areas are \(TreatmentArea.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
        }
        func run() throws {
            let params = SessionOpenParams(area: treatmentArea, cartridge: cartridge, reference: reference)
            try connection.perform(.sessionOpen, params) { (answer: SessionOpenAnswer) in
                let depth = millimetres(Int64(answer.session.depthMax.rawValue))
                return "Session \(answer.session.id) open on the \(area), depth limit \(depth)."
            }
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close the open session.")
        @OptionGroup var connection: Connection
        func run() throws {
            try connection.perform(.sessionClose) { (answer: SessionCloseAnswer) in
                "Session closed; the pen is \(answer.state.rawValue)."
            }
        }
    }
}

struct Cartridge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register and list single-use cartridges.", subcommands: [Register.self, List.self])

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a cartridge before its first use.")
        @OptionGroup var connection: Connection
        @Argument(help: "The serial printed on the cartridge.") var serial: String
        @Option(help: "The cartridge's needle count.") var needles: Int
        @Option(help: "The manufacturer's lot.") var lot: String?
        @Option(help: "The expiry date, YYYY-MM-DD.") var expires: String?
        func run() throws {
            let params = CartridgeRegisterParams(serial: serial, needles: Int64(needles), lot: lot, expires: expires)
            try connection.perform(.cartridgeRegister, params) { (_: CartridgeRecordResult) in
                "Cartridge \(serial) registered."
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered cartridges.")
        @OptionGroup var connection: Connection
        func run() throws {
            try connection.perform(.cartridgeList) { (list: ListResult<CartridgeRecordResult>) in
                guard !list.elements.isEmpty else { return "No cartridges registered." }
                return list.elements.map { cartridge in
                    let used = cartridge.session.map { "used in \($0)" } ?? "unused"
                    let expires = cartridge.expires.map { "  expires \($0)" } ?? ""
                    return "\(cartridge.serial)  \(cartridge.needles) needles  \(used)\(expires)"
                }.joined(separator: "\n")
            }
        }
    }
}

struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulated pen only: inject or clear a fault.", subcommands: [Fault.self])

    struct Fault: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Inject a fault: stall, encoderLoss, stepLoss, cartridgeRemoved, driverFault, overTemperature, runaway, edgeLoss."
        )
        @OptionGroup var connection: Connection
        @Argument(help: "The fault's name.") var name: String
        @Flag(help: "Clear the fault instead of injecting it.") var clear = false
        func run() throws {
            try connection.perform(clear ? .simClearFault : .simInjectFault, SimulatorFaultParams(fault: name)) {
                (answer: SimulatedFaultAnswer) in
                answer.active ? "Injected simulated fault \(answer.fault)." : "Cleared simulated fault \(answer.fault)."
            }
        }
    }
}

extension JSONValue {
    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): Int64(value)
        default: nil
        }
    }
}
