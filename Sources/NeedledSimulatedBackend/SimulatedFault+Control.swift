public import PenSimulator

/// The simulated pen's faults as the backend controls a `BackendRequest` carries through the
/// loop: a number each, by a switch both ways (no table to build, nothing allocated in a tick).
extension SimulatedFault {
    /// The fault's control number.
    public var control: UInt8 {
        switch self {
        case .stall: 0
        case .encoderLoss: 1
        case .stepLoss: 2
        case .cartridgeRemoved: 3
        case .driverFault: 4
        case .overTemperature: 5
        case .runaway: 6
        case .edgeLoss: 7
        }
    }

    /// The fault a control number names; nil for a number no fault has.
    public static func from(_ control: UInt8) -> SimulatedFault? {
        switch control {
        case 0: .stall
        case 1: .encoderLoss
        case 2: .stepLoss
        case 3: .cartridgeRemoved
        case 4: .driverFault
        case 5: .overTemperature
        case 6: .runaway
        case 7: .edgeLoss
        default: nil
        }
    }

    /// Every fault's name, by control number: what `sim.injectFault` and `sim.clearFault` take.
    public static var controlNames: [String] {
        allCases.sorted { $0.control < $1.control }.map(\.rawValue)
    }
}
