import NeedleCore
import NeedledLoop
import Synchronization

/// One line for `systemctl status` (systemd's STATUS=): the pen's state, its session and fault,
/// and whether the records can be written. Built on the event loop when one of those changes;
/// read by the systemd notifier from its own thread.
final class StatusLine: Sendable {
    private let line = Mutex<String>("pen idle")
    private let summarized = Mutex<Summarized?>(nil)

    private struct Summarized: Equatable {
        var phase: PenPhase
        var fault: FaultCode?
        var session: Int64?
        var recordsWritable: Bool
    }

    var text: String { line.withLock { $0 } }

    func update(_ status: PenStatus, session: SessionRecord?, recordsWritable: Bool) {
        let key = Summarized(
            phase: status.phase, fault: status.fault?.code, session: session?.rowID, recordsWritable: recordsWritable)
        let changed = summarized.withLock { previous -> Bool in
            if previous == key { return false }
            previous = key
            return true
        }
        guard changed else { return }
        var text = "pen \(status.phase.rawValue)"
        if let session { text += ", session \(session.id) on \(session.area.rawValue)" }
        if let fault = status.fault { text += ", fault \(fault.code.rawValue)" }
        if !recordsWritable { text += ", records cannot be written" }
        line.withLock { $0 = text }
    }
}
