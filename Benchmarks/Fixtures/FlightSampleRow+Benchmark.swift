public import NeedledStore

extension FlightSampleRow {
    /// One flight sample of a pen treating (120 strokes/s, 0.8 mm) with every field filled, as
    /// the GPIO backend writes them: what the records' benchmarks store, the same in each.
    public static func benchmarkSample(tick: Int64) -> FlightSampleRow {
        FlightSampleRow(
            tick: tick, state: "running", hardware: "gpio", encoderCount: tick * 2,
            measuredPeriodNanoseconds: 8_345_123, temperatureMillicelsius: 34_875, homeSwitch: false,
            cartridgePresent: true, driverFault: false, emergencyStop: false, motorEnabled: true, brakeEngaged: false,
            motorDutyPpm: 412_345, heartbeat: tick % 2 == 0, stepperEnabled: true, depthSteps: 1_600,
            depthMicrometres: 800, depthTargetMicrometres: 800, speedMillihertz: 119_800,
            speedTargetMillihertz: 120_000, rampedSpeedMillihertz: 120_000)
    }
}
