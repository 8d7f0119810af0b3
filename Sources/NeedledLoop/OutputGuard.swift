import Glibc
public import NeedleCore

/// What a backend does with outputs that break an `OutputInvariant`: the safe outputs are
/// already written by the caller; the process stops here, loudly, and is never left running on
/// a state the code got wrong. The enable line's pull-down keeps the motor off from then on, and
/// systemd's restart brings the pen back idle (nothing resumes by itself).
public enum OutputGuard {
    /// Writes the reason to standard error (no Foundation, no allocation beyond the message) and
    /// aborts: a core dump for the maker, a non-zero exit for systemd.
    public static func stopProcess(_ breach: OutputInvariant) -> Never {
        let message = "needled: \(breach); the outputs were made safe and the process stops.\n"
        _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        abort()
    }
}

extension PenBackend {
    /// Checks `outputs` against the phase they were computed in, a second time and apart from the
    /// supervisor, before the backend's own write touches a line: a breach writes the safe
    /// outputs and stops the process.
    public mutating func checkBeforeWriting(_ outputs: PenOutputs, phase: PenPhase, faulted: Bool) {
        guard let breach = OutputInvariant.breach(of: outputs, phase: phase, faulted: faulted) else { return }
        writeSafeOutputs()
        OutputGuard.stopProcess(breach)
    }
}
