import NeedleCore
import NeedledLoop
import NeedledSimulatedBackend
import PenSimulator
import Testing

/// Simulator control crosses the loop as a `BackendRequest` the loop does not interpret (issue 19,
/// item 3): each simulated fault is a number there, both ways, and the names `sim.*` takes are
/// the simulator's own, in its order (the wire's error texts list them).
@Suite("Backend requests: the simulator's faults through the loop")
struct BackendRequestTests {
    @Test("Every simulated fault has its own control number, and the number names it back")
    func controlsRoundTrip() {
        let controls = SimulatedFault.allCases.map(\.control)
        #expect(Set(controls).count == SimulatedFault.allCases.count)
        for fault in SimulatedFault.allCases { #expect(SimulatedFault.from(fault.control) == fault) }
        #expect(SimulatedFault.from(UInt8(SimulatedFault.allCases.count)) == nil)
        #expect(SimulatedFault.controlNames == SimulatedFault.allCases.map(\.rawValue))
    }

    @Test("The simulated backend activates and clears a fault by its number; a number no fault has is refused")
    func simulatedBackendHandles() {
        var backend = SimulatedBackend(seed: 3)
        let activated = backend.handle(BackendRequest(.activate, control: SimulatedFault.driverFault.control))
        #expect(activated)
        #expect(backend.pen.activeFaults == [.driverFault])
        let cleared = backend.handle(BackendRequest(.deactivate, control: SimulatedFault.driverFault.control))
        #expect(cleared)
        #expect(backend.pen.activeFaults.isEmpty)
        let unknown = backend.handle(BackendRequest(.activate, control: 200))
        #expect(!unknown)
        #expect(backend.pen.activeFaults.isEmpty)
    }

    @Test("Through the loop: the request is answered accepted, and an unknown control notSimulated")
    func throughTheLoop() {
        let channels = LoopChannels()
        let loop = ControlLoop(supervisor: Supervisor(), backend: SimulatedBackend(seed: 3), channels: channels)
        channels.requests.push(
            LoopEnvelope(
                requestID: 1, request: .backend(BackendRequest(.activate, control: SimulatedFault.stall.control))))
        channels.requests.push(LoopEnvelope(requestID: 2, request: .backend(BackendRequest(.activate, control: 99))))
        loop.tick(measuredPeriod: .milliseconds(1))
        guard case .accepted = channels.replies.pop()?.outcome else {
            Issue.record("a known fault's request was not accepted")
            return
        }
        guard case .notSimulated = channels.replies.pop()?.outcome else {
            Issue.record("an unknown control was not answered notSimulated")
            return
        }
    }
}
