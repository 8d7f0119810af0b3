#if canImport(Glibc)
    import Glibc
#endif

/// What the loop thread asks of the OS before its first tick, as cyclictest does: SCHED_FIFO at a
/// priority, all memory locked, optionally one CPU, and `/dev/cpu_dma_latency` held at 0 (the CPU
/// stays out of deep idle states, whose exit latency would otherwise land on every wake-up).
public struct RealtimeSettings: Sendable, Equatable {
    /// SCHED_FIFO priority 1–99; 0 leaves the thread in the normal scheduler.
    public var priority: Int32 = 80
    /// Pin the loop thread to this CPU, and keep the daemon's other threads off it; nil: any.
    public var cpu: Int? = nil
    public var lockMemory = true
    public var holdDMALatency = true

    public init() {}
}

/// What the loop thread actually got. Running unprivileged (development, simulation) gets none of
/// it: the daemon says so once at start and runs on.
public struct RealtimeReport: Sendable, Equatable, CustomStringConvertible {
    public var scheduler: String
    public var memoryLocked: Bool
    public var cpu: String
    public var dmaLatencyHeld: Bool

    public var isComplete: Bool { scheduler.hasPrefix("SCHED_FIFO") && memoryLocked && dmaLatencyHeld }

    public var description: String {
        "scheduler \(scheduler), memory \(memoryLocked ? "locked" : "not locked"), CPU \(cpu), "
            + "cpu_dma_latency \(dmaLatencyHeld ? "held at 0" : "not held")"
    }
}

/// Applies the settings to the calling thread. Returns the report and the descriptor holding
/// `/dev/cpu_dma_latency` (to close when the loop ends; -1 when not held).
func applyRealtime(_ settings: RealtimeSettings) -> (RealtimeReport, Int32) {
    var scheduler = "SCHED_OTHER (not asked)"
    if settings.priority > 0 {
        var parameter = sched_param(sched_priority: settings.priority)
        let result = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameter)
        scheduler =
            result == 0
            ? "SCHED_FIFO \(settings.priority)"
            : "SCHED_OTHER (SCHED_FIFO refused: \(String(cString: strerror(result))); give CAP_SYS_NICE or LimitRTPRIO)"
    }
    // MCL_ONFAULT (Linux 4.4+): lock pages as they are touched instead of faulting in every
    // mapping at once; without it each thread stack and malloc arena becomes resident (127 MiB
    // RSS measured), with it the footprint is what the daemon uses. Pages touched before the
    // first tick stay locked; nothing is allocated after it.
    let mclOnFault: Int32 = 4
    let locked = settings.lockMemory && mlockall(MCL_CURRENT | MCL_FUTURE | mclOnFault) == 0
    var cpuText = "any"
    if let cpu = settings.cpu {
        var set = cpu_set_t()
        withUnsafeMutableBytes(of: &set) { bytes in
            if cpu / 8 < bytes.count { bytes[cpu / 8] |= UInt8(1 << (cpu % 8)) }
        }
        // sched_setaffinity(0, …) applies to the calling thread on Linux.
        let result = linuxSchedSetAffinity(0, MemoryLayout<cpu_set_t>.size, &set)
        if result == 0 {
            let moved = LoopCPUReservation.keepOtherThreads(offCPU: cpu)
            cpuText = moved.map { "\(cpu) (the loop's alone: \($0) other threads kept off it)" } ?? "\(cpu)"
        } else {
            cpuText = "any (CPU \(cpu) refused: \(String(cString: strerror(errno))))"
        }
    }
    var descriptor: Int32 = -1
    if settings.holdDMALatency {
        descriptor = open("/dev/cpu_dma_latency", O_WRONLY)
        if descriptor >= 0 {
            var zero: Int32 = 0
            if write(descriptor, &zero, 4) != 4 {
                close(descriptor)
                descriptor = -1
            }
        }
    }
    return (
        RealtimeReport(scheduler: scheduler, memoryLocked: locked, cpu: cpuText, dmaLatencyHeld: descriptor >= 0),
        descriptor
    )
}

/// glibc's `sched_setaffinity`, hidden from Swift behind _GNU_SOURCE in the headers.
@_silgen_name("sched_setaffinity")
func linuxSchedSetAffinity(_ pid: pid_t, _ size: Int, _ set: UnsafePointer<cpu_set_t>) -> Int32
