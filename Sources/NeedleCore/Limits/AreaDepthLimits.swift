/// The maximum depth for each treatment area, in fixed storage so that reading it in the tick
/// never allocates. None is above the global maximum depth (`SafetyLimits.init` checks).
public struct AreaDepthLimits: Sendable, Equatable {
    private var storage: InlineArray<10, Micrometres>

    /// The published chart values (`TreatmentArea.publishedDefaultDepthMax`), each lowered to
    /// `cap` where the configured global maximum is shallower than the chart.
    public static func publishedDefaults(cappedAt cap: Micrometres) -> AreaDepthLimits {
        var limits = AreaDepthLimits(uniform: cap)
        for area in TreatmentArea.allCases {
            limits[area] = min(area.publishedDefaultDepthMax, cap)
        }
        return limits
    }

    public init(uniform depth: Micrometres) {
        storage = InlineArray(repeating: depth)
    }

    public subscript(area: TreatmentArea) -> Micrometres {
        get { storage[area.index] }
        set { storage[area.index] = newValue }
    }

    public static func == (a: Self, b: Self) -> Bool {
        TreatmentArea.allCases.allSatisfy { a[$0] == b[$0] }
    }
}
