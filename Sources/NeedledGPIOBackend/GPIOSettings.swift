/// Where the pen's hardware is: the GPIO chip by label, its lines by name (or offset), the PWM
/// channel for stroke speed, the temperature sensor and the cartridge's ID chip (Docs/hardware.md).
public struct GPIOSettings: Sendable, Equatable {
    /// The pen's lines, by the names the board's gpio-line-names give them.
    public enum Line: String, CaseIterable, Sendable {
        case motorEnable = "motor-enable"
        case brake
        case motorDirection = "motor-dir"
        case heartbeat
        case stepperStep = "stepper-step"
        case stepperDirection = "stepper-dir"
        case stepperEnable = "stepper-enable"
        case encoderA = "encoder-a"
        case encoderB = "encoder-b"
        case homeSwitch = "home-switch"
        case cartridgePresent = "cartridge-present"
        case driverFault = "driver-fault"
        case emergencyStop = "estop"
    }

    public var chipLabel = "needled-pen"
    /// Offsets that override the lookup by name.
    public var lineOffsets: [Line: UInt32] = [:]
    /// `/sys/class/pwm/pwmchipN`, or nil for a pen without PWM (tests).
    public var pwmChip: String? = nil
    public var pwmChannel = 0
    public var pwmPeriodNanoseconds: Int64 = 50_000
    /// A millidegree file: hwmon `tempN_input` or a thermal zone's `temp`; nil: none fitted.
    public var temperaturePath: String? = nil
    /// A 1-Wire ID chip's id file (`/sys/bus/w1/devices/…/id`); nil: the technician gives the serial.
    public var cartridgeIDPath: String? = nil

    public init() {}
}
