import PenSimulator
import Testing

/// The simulated pen's active faults as bits answer what the `Set<SimulatedFault>` they replace
/// answered: each fault its own bit, inserted and removed alone, in any order.
@Suite("SimulatedFaults")
struct SimulatedFaultsTests {
    @Test("Each fault alone is contained alone", arguments: SimulatedFault.allCases)
    func eachFaultItsOwnBit(fault: SimulatedFault) {
        var faults = SimulatedFaults()
        faults.insert(fault)
        #expect(SimulatedFault.allCases.filter(faults.contains) == [fault])
        #expect(faults.elements == [fault])
        faults.remove(fault)
        #expect(faults.isEmpty)
    }

    @Test("Inserting and removing in a random order answers as a Set does")
    func asASetDoes() {
        var random = SplitMix64(seed: 19)
        var bits = SimulatedFaults()
        var set = Set<SimulatedFault>()
        var differences: [String] = []
        for step in 0..<10_000 {
            let fault = SimulatedFault.allCases[Int(random.next() % UInt64(SimulatedFault.allCases.count))]
            if random.next() % 2 == 0 {
                bits.insert(fault)
                set.insert(fault)
            } else {
                bits.remove(fault)
                set.remove(fault)
            }
            if bits.elements != SimulatedFault.allCases.filter(set.contains) {
                differences.append("step \(step): \(bits) where the set holds \(set)")
            }
        }
        #expect(differences.isEmpty, "\(differences.prefix(3))")
        #expect([SimulatedFault.stall, .edgeLoss] as SimulatedFaults == [.edgeLoss, .stall])
    }
}
