import Foundation
import NeedleCore
import NeedledLoop
import Synchronization
import Testing

/// The flight recorder in process (issue 19, item 6): a fault keeps exactly the ticks that led to
/// it, oldest first, however far the ring has wrapped; recording goes on while the window waits;
/// a window not yet taken is never overwritten, and a second fault meanwhile is counted lost;
/// and all of it holds with the loop recording on one thread while the socket side takes windows
/// on another.
@Suite("FlightRecorder")
struct FlightRecorderRingTests {
    /// A ring of eight ticks: 1 ms ticks, an 8 ms window.
    static func recorder() -> FlightRecorder {
        FlightRecorder(tickPeriod: .milliseconds(1), window: .milliseconds(8))
    }

    static func sample(_ tick: Int64) -> FlightSample {
        var sample = FlightSample.empty
        sample.tick = TickIndex(tick)
        sample.depth = Micrometres(Int32(tick % 1000))
        return sample
    }

    static func ticks(_ window: FlightWindow?) -> [Int64] { window?.samples.map(\.tick.rawValue) ?? [] }

    @Test("The window is the last ticks before the fault, oldest first, at every point of the ring's wrap")
    func lastTicksInOrder() {
        for recorded in 0...25 {
            let recorder = Self.recorder()
            #expect(recorder.capacity == 8)
            for tick in 0..<Int64(recorded) { recorder.record(Self.sample(tick)) }
            #expect(recorder.takeFrozenWindow() == nil, "no fault, no window")
            recorder.freeze(fault: Fault(code: .overspeed, tick: TickIndex(Int64(recorded) - 1)))
            let window = recorder.takeFrozenWindow()
            let expected = Array(Int64(max(0, recorded - 8))..<Int64(recorded))
            #expect(Self.ticks(window) == expected, "after \(recorded) ticks")
            #expect(window?.samples.allSatisfy { $0.depth == Micrometres(Int32($0.tick.rawValue)) } == true)
            #expect(window?.fault.code == .overspeed)
            #expect(recorder.takeFrozenWindow() == nil, "a window is taken once")
        }
    }

    @Test("Recording goes on while a window waits; the next window holds only the ticks after the last fault")
    func recordingGoesOn() {
        let recorder = Self.recorder()
        for tick: Int64 in 0..<20 { recorder.record(Self.sample(tick)) }
        recorder.freeze(fault: Fault(code: .emergencyStop, tick: TickIndex(19)))
        for tick: Int64 in 20..<23 { recorder.record(Self.sample(tick)) }
        #expect(recorder.hasFrozenWindow)
        #expect(Self.ticks(recorder.takeFrozenWindow()) == Array(12..<20), "untouched by the ticks after it")
        #expect(!recorder.hasFrozenWindow)
        recorder.freeze(fault: Fault(code: .stall, tick: TickIndex(22)))
        #expect(Self.ticks(recorder.takeFrozenWindow()) == [20, 21, 22])
        #expect(recorder.windowsLost.load(ordering: .relaxed) == 0)
    }

    @Test("A second fault before the first window is taken: counted lost, the first window kept whole")
    func secondFaultWhileTheFirstWaits() {
        let recorder = Self.recorder()
        for tick: Int64 in 0..<10 { recorder.record(Self.sample(tick)) }
        recorder.freeze(fault: Fault(code: .overspeed, tick: TickIndex(9)))
        for tick: Int64 in 10..<30 { recorder.record(Self.sample(tick)) }
        recorder.freeze(fault: Fault(code: .stall, tick: TickIndex(29)))
        #expect(recorder.windowsLost.load(ordering: .relaxed) == 1)
        let window = recorder.takeFrozenWindow()
        #expect(window?.fault.code == .overspeed)
        #expect(Self.ticks(window) == Array(2..<10))
    }

    @Test("Two threads: the loop records and faults at full speed, the socket side takes windows; each is whole")
    func twoThreads() throws {
        let recorder = Self.recorder()
        let done = Atomic<Bool>(false)
        let faults = 20_000
        let loop = Thread {
            var tick: Int64 = 0
            for fault in 0..<faults {
                // 3 to 12 ticks between faults: some windows partly filled, some wrapped.
                for _ in 0..<(3 + fault % 10) {
                    recorder.record(Self.sample(tick))
                    tick += 1
                }
                recorder.freeze(fault: Fault(code: .overspeed, tick: TickIndex(tick - 1)))
            }
            done.store(true, ordering: .releasing)
        }
        loop.start()
        var taken = 0
        var broken: [String] = []
        while true {
            let finished = done.load(ordering: .acquiring)
            if let window = recorder.takeFrozenWindow() {
                taken += 1
                let ticks = Self.ticks(window)
                let contiguous = zip(ticks, ticks.dropFirst()).allSatisfy { $1 == $0 + 1 }
                let whole = window.samples.allSatisfy { $0.depth == Micrometres(Int32($0.tick.rawValue % 1000)) }
                if !contiguous || !whole || ticks.last != window.fault.tick.rawValue || ticks.count > 8
                    || ticks.isEmpty
                {
                    broken.append("\(window.fault.tick): \(ticks)")
                }
            } else if finished {
                break
            }
        }
        #expect(broken.count == 0, "\(broken.prefix(5))")
        #expect(taken + Int(recorder.windowsLost.load(ordering: .relaxed)) == faults, "each fault kept or counted")
        #expect(taken > 0)
    }
}
