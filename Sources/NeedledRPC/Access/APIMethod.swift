/// Every method of the API (Docs/api.md), one case each: its name on the wire and the role it
/// needs. The role is an exhaustive switch, so a method added without one does not compile; the
/// daemon's dispatch switches over these cases, so a method without a handler does not compile
/// either, and a name that is not a case reaches no handler (-32601). Declaration order is
/// `rpc.listMethods`' order.
public enum APIMethod: String, CaseIterable, Sendable {
    case daemonInfo = "daemon.info"
    case daemonStats = "daemon.stats"
    case daemonMetrics = "daemon.metrics"
    case listMethods = "rpc.listMethods"
    case penStatus = "pen.status"
    case penHome = "pen.home"
    case penArm = "pen.arm"
    case penStart = "pen.start"
    case penStop = "pen.stop"
    case penEmergencyStop = "pen.emergencyStop"
    case penResetFault = "pen.resetFault"
    case penSetDepth = "pen.setDepth"
    case penSetSpeed = "pen.setSpeed"
    case sessionOpen = "session.open"
    case sessionClose = "session.close"
    case sessionAcceptCartridge = "session.acceptCartridge"
    case sessionList = "session.list"
    case sessionGet = "session.get"
    case cartridgeRegister = "cartridge.register"
    case cartridgeList = "cartridge.list"
    case cartridgeGet = "cartridge.get"
    case sessionTelemetry = "session.telemetry"
    case telemetrySubscribe = "telemetry.subscribe"
    case telemetryUnsubscribe = "telemetry.unsubscribe"
    case eventsSubscribe = "events.subscribe"
    case eventsUnsubscribe = "events.unsubscribe"
    case faultList = "fault.list"
    case faultGet = "fault.get"
    case sessionVerify = "session.verify"
    case recordsVerify = "records.verify"
    case sessionExport = "session.export"
    case recordsExport = "records.export"
    case simInjectFault = "sim.injectFault"
    case simClearFault = "sim.clearFault"

    /// The least role that may call the method. Reading, and stopping the pen, is anyone's who
    /// may connect (stopping is always safe, and whoever watches a treatment must be able to);
    /// moving the needles and changing the records is the operator's.
    public var role: AccessRole {
        switch self {
        case .daemonInfo, .daemonStats, .daemonMetrics, .listMethods, .penStatus, .penStop, .penEmergencyStop,
            .sessionList,
            .sessionGet, .sessionTelemetry, .cartridgeList, .cartridgeGet, .telemetrySubscribe,
            .telemetryUnsubscribe, .eventsSubscribe, .eventsUnsubscribe, .faultList, .faultGet, .sessionVerify,
            .recordsVerify, .sessionExport, .recordsExport:
            .readOnly
        case .penHome, .penArm, .penStart, .penResetFault, .penSetDepth, .penSetSpeed, .sessionOpen, .sessionClose,
            .sessionAcceptCartridge, .cartridgeRegister, .simInjectFault, .simClearFault:
            .operator
        }
    }

    /// The part of the daemon that answers the method (an exhaustive switch: a method added
    /// without one does not compile, and the daemon's dispatch routes by it).
    public var domain: APIDomain {
        switch self {
        case .daemonInfo, .daemonStats, .daemonMetrics, .listMethods: .daemon
        case .penStatus, .penHome, .penArm, .penStart, .penStop, .penEmergencyStop, .penResetFault, .penSetDepth,
            .penSetSpeed:
            .pen
        case .sessionOpen, .sessionClose, .sessionAcceptCartridge: .session
        case .sessionList, .sessionGet, .sessionTelemetry, .sessionVerify, .recordsVerify, .sessionExport,
            .recordsExport:
            .sessionRecords
        case .cartridgeRegister, .cartridgeList, .cartridgeGet: .cartridges
        case .faultList, .faultGet: .faultRecords
        case .telemetrySubscribe, .telemetryUnsubscribe, .eventsSubscribe, .eventsUnsubscribe: .subscriptions
        case .simInjectFault, .simClearFault: .simulator
        }
    }

    /// The type of the method's params, which needlectl writes and the daemon reads (an
    /// exhaustive switch: a method added without one does not compile).
    public var paramsType: any MethodParams.Type {
        switch self {
        case .daemonInfo, .daemonMetrics, .listMethods, .penStatus, .penHome, .penArm, .penStart, .penStop,
            .penResetFault,
            .sessionClose, .recordsVerify, .cartridgeList, .telemetryUnsubscribe, .eventsSubscribe, .eventsUnsubscribe:
            NoParams.self
        case .daemonStats: StatsParams.self
        case .penEmergencyStop: EmergencyStopParams.self
        case .penSetDepth: SetDepthParams.self
        case .penSetSpeed: SetSpeedParams.self
        case .sessionOpen: SessionOpenParams.self
        case .sessionAcceptCartridge: AcceptCartridgeParams.self
        case .sessionList: SessionListParams.self
        case .sessionGet, .sessionVerify: SessionParams.self
        case .sessionTelemetry: SessionTelemetryParams.self
        case .sessionExport: SessionExportParams.self
        case .recordsExport: RecordsExportParams.self
        case .cartridgeRegister: CartridgeRegisterParams.self
        case .cartridgeGet: CartridgeGetParams.self
        case .faultList: FaultListParams.self
        case .faultGet: FaultGetParams.self
        case .telemetrySubscribe: TelemetrySubscribeParams.self
        case .simInjectFault, .simClearFault: SimulatorFaultParams.self
        }
    }

    /// The type of the method's result, which the daemon writes and needlectl reads (an
    /// exhaustive switch: a method added without one does not compile).
    public var resultType: any MethodResult.Type {
        switch self {
        case .daemonInfo: DaemonInfoResult.self
        case .daemonStats: StatsResult.self
        case .daemonMetrics: MetricsTextResult.self
        case .listMethods: MethodListResult.self
        case .penStatus: PenStatusResult.self
        case .penHome, .penArm, .penStart, .penStop, .penEmergencyStop, .penResetFault, .penSetDepth, .penSetSpeed:
            CommandAnswer.self
        case .sessionOpen: SessionOpenAnswer.self
        case .sessionClose: SessionCloseAnswer.self
        case .sessionAcceptCartridge: CartridgeAcceptAnswer.self
        case .sessionList: ListResult<SessionRecordResult>.self
        case .sessionGet: SessionDetailResult.self
        case .sessionTelemetry: ListResult<TelemetrySampleResult>.self
        case .sessionVerify: SessionVerdictResult.self
        case .recordsVerify: RecordsVerdictResult.self
        case .sessionExport: FHIRBundleResult.self
        case .recordsExport: RecordsExportPageResult.self
        case .cartridgeRegister, .cartridgeGet: CartridgeRecordResult.self
        case .cartridgeList: ListResult<CartridgeRecordResult>.self
        case .telemetrySubscribe, .telemetryUnsubscribe, .eventsSubscribe, .eventsUnsubscribe: SubscriptionAnswer.self
        case .faultList: ListResult<FaultRecordResult>.self
        case .faultGet: FaultDetailResult.self
        case .simInjectFault, .simClearFault: SimulatedFaultAnswer.self
        }
    }

    /// The method's name on the wire.
    public var name: String { rawValue }
}

/// The parts of the API, each answered by its own small handler in the daemon (Docs/api.md).
public enum APIDomain: String, CaseIterable, Sendable {
    /// What the daemon is and how its loop runs.
    case daemon
    /// The pen's state and commands.
    case pen
    /// The open treatment session.
    case session
    /// The sessions' records: lists, telemetry, verification, export.
    case sessionRecords
    /// The single-use cartridges' ledger.
    case cartridges
    /// The faults' records with their flight windows.
    case faultRecords
    /// Telemetry and event notifications.
    case subscriptions
    /// The simulated pen's injected faults (only with the simulated backend).
    case simulator
}
