import Foundation
import Testing

@testable import NeedleCore

/// The state machine, exhaustively (issue 18, item 6): every phase × homed × session × cartridge
/// that commands can reach, × every command, against the rules of Docs/architecture.md's
/// "Commands accepted by state" — and that table against the code, so neither can drift.
@Suite("The state machine's table")
struct StateMachineTableTests {
    enum SessionState: String, CaseIterable, Sendable { case none, accepted, notAccepted }

    struct Situation: CustomStringConvertible {
        let phase: PenPhase
        let homed: Bool
        let session: SessionState
        let cartridgePresent: Bool
        var description: String {
            "\(phase), \(homed ? "homed" : "not homed"), session \(session), cartridge \(cartridgePresent ? "in" : "out")"
        }
    }

    /// A pen brought to `situation` by commands and inputs alone, or nil where no sequence of
    /// them leads (armed without a session, homing while homed, …: a command on the way refused).
    static func pen(in situation: Situation) -> TestPen? {
        do {
            return try reach(situation)
        } catch {
            return nil
        }
    }

    static func reach(_ situation: Situation) throws -> TestPen? {
        var pen = TestPen()
        pen.inputs.cartridgePresent = true
        pen.tick()
        let motion: Set<PenPhase> = [.ready, .armed, .running, .stopping]
        if situation.homed || motion.contains(situation.phase) { try pen.homeToReady() }
        if situation.session != .none { try pen.supervisor.handle(.openSession(.cheeks)) }
        if situation.session == .notAccepted {
            pen.inputs.cartridgePresent = false
            pen.tick()
            pen.inputs.cartridgePresent = true
            pen.tick()
        }
        switch situation.phase {
        case .idle, .ready: break
        case .homing: try pen.supervisor.handle(.home)
        case .armed: try pen.supervisor.handle(.arm)
        case .running, .stopping:
            try pen.supervisor.handle(.arm)
            try pen.supervisor.handle(.start)
            pen.ticks(50)
            if situation.phase == .stopping {
                try pen.supervisor.handle(.stop)
                pen.ticks(5)
            }
        case .fault:
            try pen.supervisor.handle(.emergencyStop)
            pen.ticks(300)  // the motor still for the reset's hold
        }
        pen.inputs.cartridgePresent = situation.cartridgePresent
        pen.tick(followSwitch: situation.phase != .homing)
        let reached =
            pen.supervisor.phase == situation.phase && pen.supervisor.homed == situation.homed
            && (pen.supervisor.session == nil) == (situation.session == .none)
            && (pen.supervisor.session.map { $0.cartridgeAccepted } ?? true) == (situation.session != .notAccepted)
        return reached ? pen : nil
    }

    static let commands: [PenCommand] = [
        .home, .arm, .start, .stop, .emergencyStop, .resetFault, .setDepth(Micrometres(500)),
        .setSpeed(Hertz(100)), .openSession(.cheeks), .closeSession, .acceptCartridge,
    ]

    /// Docs/architecture.md's rules, as a predicate: whether `command` is accepted in `s`.
    static func accepted(_ command: PenCommand, in s: Situation) -> Bool {
        let faulted = s.phase == .fault
        switch command {
        case .stop, .emergencyStop: return true
        case .home: return [.idle, .ready].contains(s.phase)
        case .arm: return s.phase == .ready && s.session == .accepted && s.cartridgePresent
        case .start: return s.phase == .armed
        case .resetFault: return faulted
        case .setDepth, .setSpeed: return [.ready, .armed, .running].contains(s.phase)
        case .openSession:
            return [.idle, .homing, .ready].contains(s.phase) && s.cartridgePresent && s.session == .none
        case .closeSession: return [.idle, .homing, .ready, .fault].contains(s.phase) && s.session != .none
        case .acceptCartridge:
            return [.idle, .homing, .ready, .fault].contains(s.phase) && s.session != .none && s.cartridgePresent
        }
    }

    @Test(
        "Every reachable phase × homed × session × cartridge, every command: accepted exactly as the table says; a refusal changes nothing"
    )
    func everyCombination() throws {
        var reached = 0
        var phasesReached = Set<PenPhase>()
        for phase in PenPhase.allCases {
            for homed in [false, true] {
                for session in SessionState.allCases {
                    for cartridgePresent in [false, true] {
                        let situation = Situation(
                            phase: phase, homed: homed, session: session, cartridgePresent: cartridgePresent)
                        guard let pen = Self.pen(in: situation) else { continue }
                        reached += 1
                        phasesReached.insert(phase)
                        for command in Self.commands {
                            var copy = pen
                            let before = copy.supervisor
                            let expected = Self.accepted(command, in: situation)
                            do {
                                try copy.supervisor.handle(command)
                                #expect(expected, "\(command) was accepted in \(situation)")
                            } catch {
                                #expect(!expected, "\(command) was refused in \(situation): \(error.message)")
                                #expect(copy.supervisor == before, "refused \(command) changed the pen in \(situation)")
                                if !command.kind.allowedPhases.contains(phase) {
                                    let kind = command.kind
                                    let named: Bool =
                                        switch error {
                                        case .invalidState(let refused, let state, let allowed):
                                            refused == kind && state == phase && allowed == kind.allowedPhases
                                        case .faultLatched(let refused, _):
                                            refused == kind && Self.faulted(phase) && kind.isMotion
                                        default: false
                                        }
                                    #expect(named, "\(command) in \(situation): \(error)")
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(phasesReached == Set(PenPhase.allCases), "every phase is reached")
        #expect(reached >= 20, "\(reached) situations")
    }

    static func faulted(_ phase: PenPhase) -> Bool { phase == .fault }

    static func set(_ phases: [PenPhase]) -> PenPhaseSet {
        var set = PenPhaseSet()
        for phase in phases { set.insert(phase) }
        return set
    }

    @Test("Docs/architecture.md's \"accepted in\" column is each command's allowed phases, for every command")
    func documentedTable() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Docs/architecture.md"), encoding: .utf8)
        guard let start = text.range(of: "Commands accepted by state:") else {
            Issue.record("no \"Commands accepted by state\" table")
            return
        }
        var documented: [CommandKind: PenPhaseSet] = [:]
        for line in text[start.upperBound...].split(separator: "\n").dropFirst(2) {
            guard line.hasPrefix("|") else { break }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            let phases: PenPhaseSet =
                cells[1] == "any"
                ? Self.set(PenPhase.allCases)
                : Self.set(
                    cells[1].split(separator: ",").compactMap {
                        PenPhase(rawValue: $0.trimmingCharacters(in: .whitespaces))
                    })
            for name in cells[0].split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let kind = CommandKind(rawValue: trimmed) else {
                    Issue.record("the table names \(trimmed), which is no command")
                    continue
                }
                documented[kind] = phases
            }
        }
        for kind in CommandKind.allCases {
            #expect(documented[kind] == kind.allowedPhases, "\(kind.rawValue): the table and allowedPhases differ")
        }
    }
}
