#if canImport(Glibc)
    import Glibc
#endif

/// When the loop has a CPU of its own (`[daemon] cpu`), the daemon's other threads (the event
/// loop, the concurrency pool, the records writer) are kept off it, as `isolcpus` keeps other
/// processes off it on a board: their wake-ups and softirqs then land on the other CPUs instead
/// of between the loop's timer and its thread. Threads created later inherit their creator's
/// CPUs, so moving the threads that exist when the loop starts moves the ones to come too.
enum LoopCPUReservation {
    /// Moves every thread of the process but the caller onto the CPUs it may use other than
    /// `cpu`. Returns how many were moved, or nil when there is no other CPU to move them to.
    static func keepOtherThreads(offCPU cpu: Int) -> Int? {
        // The caller (the loop) is pinned to `cpu` by now; the process may use the CPUs of its
        // main thread (whose id is the process's), which nothing has narrowed.
        var others = cpu_set_t()
        guard linuxSchedGetAffinity(getpid(), MemoryLayout<cpu_set_t>.size, &others) == 0 else { return nil }
        let hadOthers = withUnsafeMutableBytes(of: &others) { bytes -> Bool in
            guard cpu / 8 < bytes.count else { return false }
            bytes[cpu / 8] &= ~UInt8(1 << (cpu % 8))
            return bytes.contains { $0 != 0 }
        }
        guard hadOthers, let own = Self.ownThreadID(), let tasks = opendir("/proc/self/task") else { return nil }
        defer { closedir(tasks) }
        var moved = 0
        while let entry = readdir(tasks) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let thread = pid_t(name), thread != own else { continue }
            if linuxSchedSetAffinity(thread, MemoryLayout<cpu_set_t>.size, &others) == 0 { moved += 1 }
        }
        return moved
    }

    /// The calling thread's kernel id, from /proc/thread-self (→ "PID/task/TID").
    private static func ownThreadID() -> pid_t? {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { pid_t($0) }
    }
}

/// glibc's `sched_getaffinity`, hidden from Swift behind _GNU_SOURCE in the headers.
@_silgen_name("sched_getaffinity")
private func linuxSchedGetAffinity(_ pid: pid_t, _ size: Int, _ set: UnsafeMutablePointer<cpu_set_t>) -> Int32
