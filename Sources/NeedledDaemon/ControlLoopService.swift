public import Logging
public import NeedledLoop
public import ServiceLifecycle

/// Runs the control loop's thread for the service group. Graceful shutdown only sets the loop's
/// stop flag; the loop itself ramps the motor down and leaves the outputs safe before it ends.
public final class ControlLoopService<Backend: PenBackend>: Service, @unchecked Sendable {
    private let loop: ControlLoop<Backend>
    private let logger: Logger

    public init(loop: ControlLoop<Backend>, logger: Logger) {
        self.loop = loop
        self.logger = logger
    }

    public func run() async throws {
        try loop.start()
        logger.info("control loop running", metadata: ["period": "\(loop.period)"])
        for _ in 0..<200 {  // the thread reports what the OS granted before its first tick
            if let report = loop.realtimeReport.withLock({ $0 }) {
                if report.isComplete {
                    logger.info("real-time: \(report)")
                } else {
                    logger.warning("real-time not fully granted (running on): \(report)")
                }
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let loop = self.loop
        await withGracefulShutdownHandler {
            // Cancellation without a graceful shutdown still stops the motor.
            await withTaskCancellationHandler {
                await loop.waitUntilFinished()
            } onCancel: {
                loop.requestStop()
            }
        } onGracefulShutdown: {
            loop.requestStop()
        }
        loop.requestStop()
        await loop.waitUntilFinished()
        logger.info("control loop stopped; outputs safe")
    }
}
