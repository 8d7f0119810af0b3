import Testing

@testable import NeedleCore

/// The outputs' last line of defence, on its own (it is never reached through a correct core):
/// every phase × motor enabled or not × fault or not × each way the motor can be unsafe.
@Suite("The output invariant")
struct OutputInvariantTests {
    static func outputs(enabled: Bool, braked: Bool, duty: Duty) -> PenOutputs {
        PenOutputs(
            motorEnabled: enabled, brakeEngaged: braked, motorDuty: duty, heartbeat: false, stepperEnabled: true,
            depthSteps: 0)
    }

    @Test("The motor enabled outside running and stopping is a breach in every phase; inside them it is not")
    func motorEnabled() {
        let driven = Self.outputs(enabled: true, braked: false, duty: Duty(uncheckedPartsPerMillion: 400_000))
        for phase in PenPhase.allCases {
            let expected: OutputInvariant? = phase.motorMayRun ? nil : .motorEnabledOutsideRunning(phase)
            #expect(OutputInvariant.breach(of: driven, phase: phase, faulted: false) == expected, "\(phase)")
            #expect(OutputInvariant.breach(of: .safe, phase: phase, faulted: false) == nil, "\(phase)")
        }
    }

    @Test("With a fault latched the motor must be disabled, braked and at zero duty: each alone is a breach")
    func faulted() {
        let unsafe = [
            Self.outputs(enabled: false, braked: false, duty: .off),
            Self.outputs(enabled: false, braked: true, duty: Duty(uncheckedPartsPerMillion: 1)),
        ]
        for outputs in unsafe {
            #expect(OutputInvariant.breach(of: outputs, phase: .fault, faulted: true) == .faultedWithMotorNotSafe)
            #expect(OutputInvariant.breach(of: outputs, phase: .fault, faulted: false) == nil, "no fault: not judged")
        }
        #expect(OutputInvariant.breach(of: .safe, phase: .fault, faulted: true) == nil)
        #expect(
            OutputInvariant.breach(
                of: Self.outputs(enabled: true, braked: false, duty: .off), phase: .stopping, faulted: true)
                == .faultedWithMotorNotSafe)
    }
}
