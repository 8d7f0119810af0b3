import CMalloc
import Foundation
public import Synchronization

/// Carries events from the socket side to the store without ever waiting: a bounded buffer
/// (`capacity`), written in order by one task (one transaction per event: events come at human
/// rates, state changes and commands, not per tick). When the store falls behind, what does not fit
/// is counted and the gap itself is recorded as an event (`recordsLost`), never silent.
public final class EventRecorder: Sendable {
    /// What the recorder writes: a session's event, or one of its 10 Hz telemetry samples.
    public enum Record: Sendable {
        case event(EventRow)
        case telemetry(TelemetrySample)
        /// A fault with its flight recorder window.
        case fault(FaultRecordRow, [FlightSampleRow])
        /// Resumed once everything recorded before it is written (or counted lost).
        case barrier(CheckedContinuation<Void, Never>)

        var sessionID: Int64? {
            switch self {
            case .event(let row): row.sessionID
            case .telemetry(let sample): sample.sessionID
            case .fault(let row, _): row.sessionID
            case .barrier: nil
            }
        }
        var tick: Int64 {
            switch self {
            case .event(let row): row.tick
            case .telemetry(let sample): sample.tick
            case .fault(let row, _): row.tick
            case .barrier: 0
            }
        }
    }

    /// False from the first write the store refused (disk full, size limit, I/O error) until one
    /// succeeds again with `recoveryHeadroomBytes` free behind it. The daemon turns a change into
    /// the latched fault `recordsUnavailable`: a treatment must not go on unrecorded.
    public let writable = Atomic<Bool>(true)
    /// Records written since start (events, telemetry samples, faults), for the metrics.
    public let recordsWritten = Atomic<Int64>(0)
    /// Records that could not be written since start (each gap is recorded as `recordsLost`).
    public var recordsLost: Int64 { lost.total.load(ordering: .relaxed) }

    /// The room the store must have again before a refused write is forgotten: one fault's full
    /// flight window. Without it the records flapped at the limit: a 10 s window was refused,
    /// the next small telemetry row still fitted, the records read writable, a reset was
    /// accepted, and the next fault's window was lost (seen in FlightRecorderTests under load).
    public let recoveryHeadroomBytes: Int64

    private let continuation: AsyncStream<Record>.Continuation
    private let stream: AsyncStream<Record>
    private let store: TreatmentStore
    private let lost = LostCounter()

    public init(store: TreatmentStore, capacity: Int = 4096, recoveryHeadroomBytes: Int64 = 0) {
        self.store = store
        self.recoveryHeadroomBytes = recoveryHeadroomBytes
        (stream, continuation) = AsyncStream.makeStream(of: Record.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    /// Never blocks. False when the buffer was full (the loss is counted and recorded later).
    @discardableResult
    public func record(_ event: EventRow) -> Bool { record(.event(event)) }

    @discardableResult
    public func record(_ sample: TelemetrySample) -> Bool { record(.telemetry(sample)) }

    @discardableResult
    public func record(_ fault: FaultRecordRow, window: [FlightSampleRow]) -> Bool {
        record(.fault(fault, window))
    }

    private func record(_ record: Record) -> Bool {
        switch continuation.yield(record) {
        case .enqueued: return true
        case .dropped, .terminated:
            lost.add(sessionID: record.sessionID, tick: record.tick)
            return false
        @unknown default: return false
        }
    }

    /// Writes until `finish()`; run it as a task for the daemon's life.
    public func run() async {
        var batch: [EventRow] = []
        var trimAfterFault = false
        for await record in stream {
            if trimAfterFault {
                // A fault's window (10,000 rows) was copied, written and freed: give the memory back
                // to the system rather than keep it resident (mlockall) for the daemon's life.
                trimAfterFault = false
                malloc_trim(0)
            }
            if case .telemetry(let sample) = record {
                do {
                    try await store.append([sample])
                    recordsWritten.add(1, ordering: .relaxed)
                    await wrote()
                } catch {
                    writable.store(false, ordering: .releasing)
                    lost.add(sessionID: sample.sessionID, tick: sample.tick)
                }
                continue
            }
            if case .fault(let row, let window) = record {
                do {
                    _ = try await store.saveFault(row, samples: window)
                    recordsWritten.add(1, ordering: .relaxed)
                    await wrote()
                    trimAfterFault = true
                } catch {
                    writable.store(false, ordering: .releasing)
                    lost.add(sessionID: row.sessionID, tick: row.tick)
                }
                continue
            }
            if case .barrier(let waiter) = record {
                waiter.resume()
                continue
            }
            guard case .event(let event) = record else { continue }
            batch.append(event)
            if let gap = lost.take() {
                batch.append(
                    EventRow(
                        sessionID: gap.sessionID, tick: gap.tick, wallTime: Date(), kind: "recordsLost",
                        detailJSON: "{\"count\":\(gap.count)}"))
            }
            do {
                try await store.append(batch)
                recordsWritten.add(Int64(batch.count), ordering: .relaxed)
                await wrote()
            } catch {
                writable.store(false, ordering: .releasing)
                lost.add(sessionID: batch.first?.sessionID, tick: batch.first?.tick ?? 0, count: batch.count)
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    public func finish() { continuation.finish() }

    /// Returns once every record taken before the call is written or counted lost: a session's
    /// close waits for its last events, so that they are chained before the seal.
    public func written() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            switch continuation.yield(.barrier(waiter)) {
            case .enqueued: break
            // The buffer is full (bufferingOldest drops the newest: this barrier) or closed.
            case .dropped, .terminated: waiter.resume()
            @unknown default: waiter.resume()
            }
        }
    }

    /// A write succeeded: after a refused one, the records count as writable again only with
    /// `recoveryHeadroomBytes` free.
    private func wrote() async {
        guard !writable.load(ordering: .acquiring) else { return }
        guard let headroom = try? await store.headroomBytes(), headroom >= recoveryHeadroomBytes else { return }
        writable.store(true, ordering: .releasing)
    }
}

/// Events that could not be recorded, until the gap is written.
final class LostCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var sessionID: Int64?
    private var tick: Int64 = 0
    /// Every record counted lost since start (`count` is only the gap not yet written).
    let total = Atomic<Int64>(0)

    func add(sessionID: Int64?, tick: Int64, count: Int = 1) {
        total.add(Int64(count), ordering: .relaxed)
        lock.withLock {
            if self.count == 0 {
                self.sessionID = sessionID
                self.tick = tick
            }
            self.count += count
        }
    }

    func take() -> (count: Int, sessionID: Int64?, tick: Int64)? {
        lock.withLock {
            guard count > 0 else { return nil }
            defer { count = 0 }
            return (count, sessionID, tick)
        }
    }
}
