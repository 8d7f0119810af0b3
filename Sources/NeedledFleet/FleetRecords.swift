/// A pen's records as the fleet stores them (issue 20, item 3): each closed session whole, with
/// its record chain, so that the fleet's copy is verified against the pen's own hashes; ids are
/// the records' ids, unique across pens and stores (`PEN-…-1-S-0003`), so storing one twice is
/// storing it once.
public struct FleetSessionCopy: Sendable, Equatable {
    public var recordID: String
    public var storeID: String
    public var area: String
    public var cartridge: String
    public var reference: String?
    public var openedAt: String
    public var closedAt: String
    public var closeReason: String
    public var openedTick: Int64?
    public var closedTick: Int64?
    public var tickPeriodNanoseconds: Int64?
    public var strokes: Int64
    public var softwareVersion: String
    public var limitsJSON: String
    public var configurationSHA256: String?
    /// The chain's last hash (nil for sessions recorded before chains).
    public var sealSHA256: String?
    public var links: [FleetChainLink]
    public var events: [FleetEventCopy]
    public var faults: [FleetFaultCopy]
    public var cartridges: [FleetCartridgeCopy]

    public init(
        recordID: String, storeID: String, area: String, cartridge: String, reference: String?, openedAt: String,
        closedAt: String, closeReason: String, openedTick: Int64?, closedTick: Int64?, tickPeriodNanoseconds: Int64?,
        strokes: Int64, softwareVersion: String, limitsJSON: String, configurationSHA256: String?,
        sealSHA256: String?, links: [FleetChainLink], events: [FleetEventCopy], faults: [FleetFaultCopy],
        cartridges: [FleetCartridgeCopy]
    ) {
        self.recordID = recordID
        self.storeID = storeID
        self.area = area
        self.cartridge = cartridge
        self.reference = reference
        self.openedAt = openedAt
        self.closedAt = closedAt
        self.closeReason = closeReason
        self.openedTick = openedTick
        self.closedTick = closedTick
        self.tickPeriodNanoseconds = tickPeriodNanoseconds
        self.strokes = strokes
        self.softwareVersion = softwareVersion
        self.limitsJSON = limitsJSON
        self.configurationSHA256 = configurationSHA256
        self.sealSHA256 = sealSHA256
        self.links = links
        self.events = events
        self.faults = faults
        self.cartridges = cartridges
    }

    /// What the fleet's copy must show to be this session's: its chain's length and last hash,
    /// its seal, its events and faults counted.
    public var fingerprint: FleetCopyFingerprint {
        FleetCopyFingerprint(
            links: Int64(links.count), lastChainSHA256: links.last?.chainSHA256, sealSHA256: sealSHA256,
            events: Int64(events.count), faults: Int64(faults.count))
    }
}

/// A session's copy, summed up: equal on the pen and in the fleet, or the copy is not the pen's.
public struct FleetCopyFingerprint: Sendable, Equatable, CustomStringConvertible {
    public var links: Int64
    public var lastChainSHA256: String?
    public var sealSHA256: String?
    public var events: Int64
    public var faults: Int64

    public init(links: Int64, lastChainSHA256: String?, sealSHA256: String?, events: Int64, faults: Int64) {
        self.links = links
        self.lastChainSHA256 = lastChainSHA256
        self.sealSHA256 = sealSHA256
        self.events = events
        self.faults = faults
    }

    public var description: String {
        "\(links) links ending \(lastChainSHA256?.prefix(12) ?? "nil"), seal \(sealSHA256?.prefix(12) ?? "nil"), \(events) events, \(faults) faults"
    }
}

public struct FleetChainLink: Sendable, Equatable {
    public var seq: Int64
    public var kind: String
    public var rowID: Int64?
    public var subject: String?
    public var rowCount: Int64
    public var rowsSHA256: String?
    public var contentSHA256: String
    public var chainSHA256: String

    public init(
        seq: Int64, kind: String, rowID: Int64?, subject: String?, rowCount: Int64, rowsSHA256: String?,
        contentSHA256: String, chainSHA256: String
    ) {
        self.seq = seq
        self.kind = kind
        self.rowID = rowID
        self.subject = subject
        self.rowCount = rowCount
        self.rowsSHA256 = rowsSHA256
        self.contentSHA256 = contentSHA256
        self.chainSHA256 = chainSHA256
    }
}

public struct FleetEventCopy: Sendable, Equatable {
    public var recordID: String
    public var sessionRecordID: String?
    public var tick: Int64
    public var wallTime: String
    public var kind: String
    public var detailJSON: String

    public init(
        recordID: String, sessionRecordID: String?, tick: Int64, wallTime: String, kind: String, detailJSON: String
    ) {
        self.recordID = recordID
        self.sessionRecordID = sessionRecordID
        self.tick = tick
        self.wallTime = wallTime
        self.kind = kind
        self.detailJSON = detailJSON
    }
}

public struct FleetFaultCopy: Sendable, Equatable {
    public var recordID: String
    public var sessionRecordID: String?
    public var code: String
    public var message: String
    public var tick: Int64
    public var wallTime: String
    public var tickPeriodNanoseconds: Int64
    public var sampleCount: Int64
    /// The flight window: a JSON array of rows, `flight_sample`'s columns in the chain's order.
    public var flightWindowJSON: String

    public init(
        recordID: String, sessionRecordID: String?, code: String, message: String, tick: Int64, wallTime: String,
        tickPeriodNanoseconds: Int64, sampleCount: Int64, flightWindowJSON: String
    ) {
        self.recordID = recordID
        self.sessionRecordID = sessionRecordID
        self.code = code
        self.message = message
        self.tick = tick
        self.wallTime = wallTime
        self.tickPeriodNanoseconds = tickPeriodNanoseconds
        self.sampleCount = sampleCount
        self.flightWindowJSON = flightWindowJSON
    }
}

public struct FleetCartridgeCopy: Sendable, Equatable {
    public var serial: String
    public var needles: Int64
    public var lot: String?
    public var expires: String?
    public var registeredAt: String
    public var firstUsedAt: String?
    public var useEndedAt: String?
    public var useEndReason: String?

    public init(
        serial: String, needles: Int64, lot: String?, expires: String?, registeredAt: String, firstUsedAt: String?,
        useEndedAt: String?, useEndReason: String?
    ) {
        self.serial = serial
        self.needles = needles
        self.lot = lot
        self.expires = expires
        self.registeredAt = registeredAt
        self.firstUsedAt = firstUsedAt
        self.useEndedAt = useEndedAt
        self.useEndReason = useEndReason
    }
}

/// What the fleet did with a session's copy.
public enum FleetCopyOutcome: Sendable, Equatable {
    /// Stored now, and read back equal.
    case stored
    /// Held already (sent before, its answer lost), and equal.
    case heldAlready
}
