public import NeedleCore

/// `session.open`: the treatment area, the serial of the cartridge in the pen, and the clinic's
/// own reference for the treatment if it keeps one.
public struct SessionOpenParams: MethodParams {
    public static let keys = ["area", "cartridge", "reference"]
    public var area: TreatmentArea
    public var cartridge: String
    public var reference: String?

    public init(area: TreatmentArea, cartridge: String, reference: String? = nil) {
        self.area = area
        self.cartridge = cartridge
        self.reference = reference
    }

    public init(reading params: RPCParams) throws(RPCError) {
        let areaName = try params.requiredString("area", meaning: "the treatment area")
        guard let area = TreatmentArea(rawValue: areaName) else {
            throw .invalidParams(
                "unknown area \"\(areaName)\"; the areas are \(TreatmentArea.allCases.map(\.rawValue).joined(separator: ", "))."
            )
        }
        self.area = area
        cartridge = try params.requiredString("cartridge", meaning: "the serial of the cartridge in the pen")
        reference = try params.optionalString("reference", meaning: "the clinic's reference for the treatment")
    }

    public var json: JSONValue? {
        var members: [(String, JSONValue)] = [("area", .string(area.rawValue)), ("cartridge", .string(cartridge))]
        if let reference { members.append(("reference", .string(reference))) }
        return .object(members)
    }
}

/// `session.acceptCartridge`: the serial of the cartridge now in the pen.
public struct AcceptCartridgeParams: MethodParams {
    public static let keys = ["cartridge"]
    public var cartridge: String

    public init(cartridge: String) { self.cartridge = cartridge }

    public init(reading params: RPCParams) throws(RPCError) {
        cartridge = try params.requiredString("cartridge", meaning: "the serial of the cartridge in the pen")
    }

    public var json: JSONValue? { .object([("cartridge", .string(cartridge))]) }
}
