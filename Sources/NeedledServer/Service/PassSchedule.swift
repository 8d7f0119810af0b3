/// When a background service makes its passes (the records' retention, the fleet link): one at
/// start, then every period or as soon as something asks (`wake`), never two at once, until
/// `finish` — off the loop and off the event loop, on the Swift pool.
struct PassSchedule: Sendable {
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    init() {
        // Wakes while a pass runs fold into one more pass after it.
        (wakes, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func wake() { wakeContinuation.yield() }

    func finish() { wakeContinuation.finish() }

    /// Passes until `finish()` (or cancellation).
    func run(every period: Duration, _ pass: () async -> Void) async {
        let ticker = Task { [wakeContinuation] in
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                wakeContinuation.yield()
            }
        }
        defer { ticker.cancel() }
        await pass()
        for await _ in wakes { await pass() }
    }
}
