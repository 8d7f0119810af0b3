import NeedleCore
import NeedledConfig
import NeedledLoop
import NeedledMetrics
import NeedledRPC

/// What the socket side knows of the pen: the loop's newest snapshot, the open session, the limits
/// in force and the records' health as last told. The status object is built from them once per
/// change and shared by every `pen.status` and telemetry notification until the next one
/// (thousands of readers a second, one tick apart). Confined to the service's event loop.
final class PenView: @unchecked Sendable {
    var latest = LoopSnapshot.initial { didSet { statusCache = nil } }
    var session: SessionRecord? { didSet { statusCache = nil } }
    /// The limits the loop enforces (after a reload, the stricter part at once; all of it at rest).
    var limitsInForce: SafetyLimits { didSet { statusCache = nil } }
    /// Reloaded limits that loosen something, waiting for the pen to be at rest.
    var limitsPending = false
    /// The file the configuration in force was read from (at start, then each accepted reload).
    var configurationSource: ConfigurationSource?
    /// What the loop was last told about the records' health.
    var recordsWritableTold = true { didSet { statusCache = nil } }
    var recordsFillTold = RecordsRetentionService.Fill() { didSet { statusCache = nil } }
    /// Where the pen stands with the fleet, as `FleetLink` last said (nil: no `[fleet]`).
    var fleet: FleetStatusResult? { didSet { statusCache = nil } }
    /// A `session.open` is between its fleet check and its record (with a fleet only: the
    /// binding names the session before the store numbers it, so one opens at a time).
    var sessionOpening = false
    /// What the metrics count as the socket side goes (answers, faults, sessions, strokes).
    var tally = PenTally()
    private var statusCache: JSONValue?

    init(limits: SafetyLimits, source: ConfigurationSource?) {
        self.limitsInForce = limits
        self.configurationSource = source
    }

    /// `pen.status`'s object, serialised once per change.
    var status: JSONValue {
        if let statusCache { return statusCache }
        let status = JSONValue.preserialized(
            PenStatusResult(
                latest, session: session, limits: limitsInForce, recordsWritable: recordsWritableTold,
                recordsFill: recordsFillTold, fleet: fleet
            ).json.serialized)
        statusCache = status
        return status
    }
}
