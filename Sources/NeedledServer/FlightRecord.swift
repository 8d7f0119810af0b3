import NeedleCore
import NeedledConfig
import NeedledLoop
import NeedledStore

/// The flight recorder's samples as the store keeps them, and as `fault.get` shows them.
enum FlightRecord {
    static func row(_ sample: FlightSample) -> FlightSampleRow {
        let inputs = sample.inputs
        let outputs = sample.outputs
        let hardware =
            switch inputs.hardwareStatus {
            case .ok: "ok"
            case .lost: "lost"
            case .ioError: "ioError"
            }
        return FlightSampleRow(
            tick: sample.tick.rawValue, state: sample.phase.rawValue, hardware: hardware,
            encoderCount: inputs.encoderCount, measuredPeriodNanoseconds: inputs.measuredPeriod.rawValue,
            temperatureMillicelsius: Int64(inputs.temperature.rawValue), homeSwitch: inputs.homeSwitchActive,
            cartridgePresent: inputs.cartridgePresent, driverFault: inputs.motorDriverFaultActive,
            emergencyStop: inputs.emergencyStopPressed, motorEnabled: outputs.motorEnabled,
            brakeEngaged: outputs.brakeEngaged, motorDutyPpm: Int64(outputs.motorDuty.partsPerMillion),
            heartbeat: outputs.heartbeat, stepperEnabled: outputs.stepperEnabled,
            depthSteps: Int64(outputs.depthSteps), depthMicrometres: Int64(sample.depth.rawValue),
            depthTargetMicrometres: Int64(sample.depthTarget.rawValue), speedMillihertz: Int64(sample.speed.millihertz),
            speedTargetMillihertz: Int64(sample.speedTarget.millihertz),
            rampedSpeedMillihertz: Int64(sample.rampedSpeedSetpoint.millihertz))
    }
}
