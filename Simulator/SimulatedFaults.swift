/// The simulated pen's active faults, one bit each. The pen asks several of them every simulated
/// slice; a `Set<SimulatedFault>` hashed the fault's name at each question, a fifth of the fault
/// campaign's time (perf, 2026-12-05). Equal to the set it replaces in what it answers.
public struct SimulatedFaults: Equatable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    private var bits: UInt32 = 0

    public init() {}

    public init(arrayLiteral faults: SimulatedFault...) {
        for fault in faults { insert(fault) }
    }

    public func contains(_ fault: SimulatedFault) -> Bool { bits & Self.bit(fault) != 0 }

    public mutating func insert(_ fault: SimulatedFault) { bits |= Self.bit(fault) }

    public mutating func remove(_ fault: SimulatedFault) { bits &= ~Self.bit(fault) }

    public var isEmpty: Bool { bits == 0 }

    /// The active faults in declaration order.
    public var elements: [SimulatedFault] { SimulatedFault.allCases.filter(contains) }

    public var description: String { "[" + elements.map(\.rawValue).joined(separator: ", ") + "]" }

    /// The fault's bit: its place in the declaration (an exhaustive switch, no lookup).
    private static func bit(_ fault: SimulatedFault) -> UInt32 {
        switch fault {
        case .stall: 1 << 0
        case .encoderLoss: 1 << 1
        case .stepLoss: 1 << 2
        case .cartridgeRemoved: 1 << 3
        case .driverFault: 1 << 4
        case .overTemperature: 1 << 5
        case .runaway: 1 << 6
        case .edgeLoss: 1 << 7
        }
    }
}
