import Foundation
import Logging
import NeedleCore
import NeedledDaemon
import NeedledLoop
import NeedledSimulatedBackend
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

/// Shutdown in process (issue 19, item 6): the control loop's service under the service group's
/// graceful shutdown (ServiceLifecycleTestKit's trigger, no signal) and under cancellation, with
/// the real loop thread on the simulated pen. The test plays the socket side: requests through the
/// mailbox, answers and events when the loop rings its publication eventfd, never a sleep.
@Suite("Shutdown of the control loop's service", .serialized, .timeLimit(.minutes(5)))
struct ShutdownTests {
    /// The socket side's part of the rings. It blocks on the loop's eventfd, so it runs on a
    /// thread of its own (`drive`), never on the Swift pool's, which the loop's service needs.
    struct SocketSide: Sendable {
        let channels: LoopChannels
        var nextRequestID: UInt32 = 1
        var events: [PenEvent] = []
        var latest = LoopSnapshot.initial

        /// A request through the mailbox; its answer once the loop has rung for it (nil if the
        /// test gave up waiting).
        mutating func request(_ request: LoopRequest) -> LoopOutcome? {
            let id = nextRequestID
            nextRequestID += 1
            precondition(channels.requests.push(LoopEnvelope(requestID: id, request: request)))
            while true {
                takePublications()
                while let reply = channels.replies.pop() {
                    if reply.requestID == id { return reply.outcome }
                }
                guard channels.published.wait() else { return nil }
            }
        }

        mutating func command(_ command: PenCommand) -> Bool {
            guard case .accepted? = request(.pen(command)) else { return false }
            return true
        }

        /// Waits tick by tick (a request answered by each) until the newest snapshot says so.
        mutating func tickUntil(_ condition: (LoopSnapshot) -> Bool) -> Bool {
            while !condition(latest) {
                guard request(.stats(reset: false)) != nil else { return false }
            }
            return true
        }

        mutating func takePublications() {
            while let event = channels.events.pop() { events.append(event) }
            while let snapshot = channels.snapshots.pop() { latest = snapshot }
        }
    }

    /// Runs `body` on a thread of its own and returns the socket side as it left it. A loop that
    /// never rings fails the test by its time limit (generous: on two cores the Swift pool that
    /// starts the loop's service is shared with every other suite's blocking tests).
    static func drive(
        _ side: SocketSide, _ body: @escaping @Sendable (inout SocketSide) -> Bool
    ) async -> (SocketSide, Bool) {
        await withCheckedContinuation { continuation in
            Thread {
                var side = side
                let done = body(&side)
                continuation.resume(returning: (side, done))
            }.start()
        }
    }

    /// What the test tolerates of the host, as the integration tests' daemons do
    /// (IntegrationTests.DaemonProcess.hostJitterTolerance, with the reasons): 50 overruns in a
    /// row, a 150 Hz/s ramp. The test runs beside every other suite on two cores; at the defaults
    /// a stall of the loop thread latched a fault mid-treatment in CI (while the real Prometheus
    /// and two daemons ran beside it), which is the host's timing, not the shutdown under test.
    static let hostJitterTolerance = try! SafetyLimits(speedRamp: HertzPerSecond(150), tickOverrunsInARowMax: 50)

    /// A loop on the simulated pen, and the socket side of its rings.
    static func loop() -> (ControlLoop<SimulatedBackend>, SocketSide) {
        let channels = LoopChannels()
        // The loop thread at the daemon's priority, without locking the test process's memory.
        var realtime = RealtimeSettings()
        realtime.lockMemory = false
        realtime.holdDMALatency = false
        let loop = ControlLoop(
            supervisor: Supervisor(configuration: PenConfiguration(limits: hostJitterTolerance)),
            backend: SimulatedBackend(seed: 7),
            channels: channels, realtime: realtime)
        return (loop, SocketSide(channels: channels))
    }

    /// Home, open a session, arm and start at 120 strokes a second, until the motor is there.
    static func startTreatment(_ side: inout SocketSide) -> Bool {
        side.command(.home) && side.tickUntil { $0.status.phase == .ready } && side.command(.openSession(.cheeks))
            && side.command(.setSpeed(Hertz(120))) && side.command(.arm) && side.command(.start)
            && side.tickUntil { $0.status.speed.millihertz >= 110_000 }
    }

    /// What the end of the loop must leave: the motor ramped down by a stop (the phases running,
    /// stopping, ready; no fault), the outputs safe, the rotor still.
    static func expectStoppedSafely(_ loop: ControlLoop<SimulatedBackend>, _ side: inout SocketSide) {
        side.takePublications()
        #expect(loop.hasFinished)
        #expect(loop.supervisorState.phase == .ready, "ended in \(loop.supervisorState.phase)")
        let changes = side.events.compactMap { event -> PenPhase? in
            if case .stateChanged(_, let to, _) = event { to } else { nil }
        }
        #expect(Array(changes.suffix(2)) == [.stopping, .ready], "\(changes)")
        let faults = side.events.compactMap { event -> FaultCode? in
            if case .faultLatched(let fault) = event { fault.code } else { nil }
        }
        #expect(faults.isEmpty, "faults latched: \(faults)")
        let pen = loop.backendState.pen
        #expect(pen.lastOutputs == .safe)
        #expect(pen.motor.strokeRateHertz < 5, "the rotor at \(pen.motor.strokeRateHertz) strokes/s")
    }

    @Test("A graceful shutdown mid-treatment: the loop ramps the motor down, leaves the outputs safe, and ends")
    func gracefulShutdown() async throws {
        let (loop, socketSide) = Self.loop()
        var side = socketSide
        let service = ControlLoopService(loop: loop, logger: Logger(label: "test"))
        await testGracefulShutdown { trigger in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await service.run() }
                let (driven, treating) = await Self.drive(side, Self.startTreatment)
                side = driven
                #expect(treating, "the treatment did not start: \(side.latest.status)")
                #expect(!loop.hasFinished)
                trigger.triggerGracefulShutdown()
                await group.waitForAll()
            }
        }
        Self.expectStoppedSafely(loop, &side)
    }

    @Test("Cancelled without a graceful shutdown (the group's backstop): the motor still stops the same way")
    func cancellation() async throws {
        let (loop, socketSide) = Self.loop()
        var side = socketSide
        let service = ControlLoopService(loop: loop, logger: Logger(label: "test"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await service.run() }
            let (driven, treating) = await Self.drive(side, Self.startTreatment)
            side = driven
            #expect(treating, "the treatment did not start: \(side.latest.status)")
            group.cancelAll()
            await group.waitForAll()
        }
        Self.expectStoppedSafely(loop, &side)
    }
}
