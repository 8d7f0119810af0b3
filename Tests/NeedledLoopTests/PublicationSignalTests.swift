import NeedleCore
import NeedledLoop
import NeedledSimulatedBackend
import Testing

/// The loop rings the socket side when a tick published what a client waits for, and only then
/// (issue 19, item 7): a reply, an event, a stop applied ring; a tick that only pushed its
/// snapshot does not, so an idle daemon's event loop sleeps.
@Suite("The loop's publication signal")
struct PublicationSignalTests {
    static func loop() -> (ControlLoop<SimulatedBackend>, LoopChannels) {
        let channels = LoopChannels()
        let loop = ControlLoop(supervisor: Supervisor(), backend: SimulatedBackend(seed: 3), channels: channels)
        return (loop, channels)
    }

    @Test("Idle ticks push snapshots and do not ring")
    func idleTicksDoNotRing() {
        let (loop, channels) = Self.loop()
        #expect(channels.published.isAvailable)
        for _ in 0..<100 { loop.tick(measuredPeriod: .milliseconds(1)) }
        #expect(channels.snapshots.count == 100)
        #expect(!channels.published.isSignalled)
    }

    @Test("The tick that answers a request rings; so does one whose event comes from the pen alone; waiting clears it")
    func repliesAndEventsRing() {
        let (loop, channels) = Self.loop()
        loop.tick(measuredPeriod: .milliseconds(1))
        channels.requests.push(LoopEnvelope(requestID: 1, request: .pen(.home)))
        loop.tick(measuredPeriod: .milliseconds(1))
        #expect(channels.replies.count == 1)
        #expect(channels.published.isSignalled)
        #expect(channels.published.wait())
        #expect(!channels.published.isSignalled)
        while channels.replies.pop() != nil {}
        while channels.events.pop() != nil {}
        // Homing ends some ticks later with an event no request asked for: that tick rings.
        var ticks = 0
        while !channels.published.isSignalled && ticks < 10_000 {
            loop.tick(measuredPeriod: .milliseconds(1))
            ticks += 1
        }
        #expect(channels.published.isSignalled, "no ring in \(ticks) ticks")
        #expect(channels.events.count > 0)
        #expect(channels.replies.count == 0)
    }

    @Test("A stop through the stop lane rings in the tick that applies it")
    func stopsRing() {
        let (loop, channels) = Self.loop()
        loop.tick(measuredPeriod: .milliseconds(1))
        _ = channels.stops.request(.emergencyStop, at: 0)
        loop.tick(measuredPeriod: .milliseconds(1))
        #expect(channels.published.isSignalled)
    }

    @Test("Signals coalesce into one wake; a signal after the wait wakes again; stopWaiting ends the waiter")
    func coalescing() {
        let signal = PublicationSignal()
        signal.signal()
        signal.signal()
        signal.signal()
        #expect(signal.wait())
        #expect(!signal.isSignalled)
        signal.signal()
        #expect(signal.isSignalled)
        #expect(signal.wait())
        signal.stopWaiting()
        #expect(!signal.wait())
    }
}
