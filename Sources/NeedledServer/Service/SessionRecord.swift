import NeedleCore
import NeedledStore

/// The open treatment session as the socket side keeps it; its record is in the store.
struct SessionRecord: Sendable {
    let rowID: Int64
    let id: String
    let area: TreatmentArea
    var cartridge: String
    let reference: String?
    let openedAt: String
    let tickPeriodNanoseconds: Int64

    init(row: SessionRow) {
        tickPeriodNanoseconds = row.tickPeriodNanoseconds ?? 1_000_000
        rowID = row.id ?? 0
        id = row.displayID
        area = TreatmentArea(rawValue: row.area) ?? .cheeks
        cartridge = row.cartridge
        reference = row.reference
        openedAt = row.openedAt
    }
}
