public import NeedledStore

/// Everything one session's export needs, read from the store in one go.
public struct SessionRecordSet: Sendable {
    public var session: SessionRow
    public var recordID: String
    public var penID: String?
    public var cartridges: [CartridgeRecord]
    public var telemetry: [TelemetrySample]
    public var faults: [FaultRecordRow]
    public var faultRecordIDPrefix: String

    public init(
        session: SessionRow, recordID: String, penID: String?, cartridges: [CartridgeRecord],
        telemetry: [TelemetrySample], faults: [FaultRecordRow], faultRecordIDPrefix: String
    ) {
        self.session = session
        self.recordID = recordID
        self.penID = penID
        self.cartridges = cartridges
        self.telemetry = telemetry
        self.faults = faults
        self.faultRecordIDPrefix = faultRecordIDPrefix
    }
}
