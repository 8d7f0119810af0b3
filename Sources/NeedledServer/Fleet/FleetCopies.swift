import NeedledFleet
import NeedledStore

/// The pen's rows as the fleet's copies, named by the records' ids (the pen's and store's prefix,
/// then `S-0003`, `F-0012`, `E-1234`): unique across pens and stores.
struct FleetCopies {
    let recordIDPrefix: String
    let storeID: String

    func sessionID(_ id: Int64) -> String { recordIDPrefix + SessionRow.displayID(for: id) }
    func eventID(_ id: Int64) -> String { recordIDPrefix + "E-\(id)" }
    func faultID(_ id: Int64) -> String { recordIDPrefix + FaultRecordRow.displayID(for: id) }

    func session(_ rows: FleetSessionRows) -> FleetSessionCopy {
        let session = rows.session
        let id = sessionID(session.id ?? 0)
        return FleetSessionCopy(
            recordID: id, storeID: storeID, area: session.area, cartridge: session.cartridge,
            reference: session.reference, openedAt: session.openedAt, closedAt: session.closedAt ?? "",
            closeReason: session.closeReason ?? "", openedTick: session.openedTick, closedTick: session.closedTick,
            tickPeriodNanoseconds: session.tickPeriodNanoseconds, strokes: session.strokes,
            softwareVersion: session.softwareVersion, limitsJSON: session.limitsJSON,
            configurationSHA256: session.configurationSHA256, sealSHA256: session.sealSHA256,
            links: rows.links.map {
                FleetChainLink(
                    seq: $0.seq, kind: $0.kind, rowID: $0.rowID, subject: $0.subject, rowCount: $0.rowCount,
                    rowsSHA256: $0.rowsSHA256, contentSHA256: $0.contentSHA256, chainSHA256: $0.chainSHA256)
            },
            events: rows.events.map(event), faults: rows.faults.map { fault($0.0, window: $0.1) },
            cartridges: rows.cartridges.map {
                FleetCartridgeCopy(
                    serial: $0.serial, needles: Int64($0.needles), lot: $0.lot, expires: $0.expires,
                    registeredAt: $0.registeredAt, firstUsedAt: $0.firstUsedAt, useEndedAt: $0.useEndedAt,
                    useEndReason: $0.useEndReason)
            })
    }

    func event(_ row: EventRow) -> FleetEventCopy {
        FleetEventCopy(
            recordID: eventID(row.id ?? 0), sessionRecordID: row.sessionID.map(sessionID), tick: row.tick,
            wallTime: row.wallTime, kind: row.kind, detailJSON: row.detailJSON)
    }

    func fault(_ row: FaultRecordRow, window: String) -> FleetFaultCopy {
        FleetFaultCopy(
            recordID: faultID(row.id ?? 0), sessionRecordID: row.sessionID.map(sessionID), code: row.code,
            message: row.message, tick: row.tick, wallTime: row.wallTime,
            tickPeriodNanoseconds: row.tickPeriodNanoseconds, sampleCount: Int64(row.sampleCount),
            flightWindowJSON: window)
    }
}
