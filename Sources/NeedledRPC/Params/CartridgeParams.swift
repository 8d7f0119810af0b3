/// `cartridge.register`: a cartridge by the serial printed on it, its needle count (1 to 100),
/// and its lot and expiry date (YYYY-MM-DD) where the box gives them.
public struct CartridgeRegisterParams: MethodParams {
    public static let keys = ["serial", "needles", "lot", "expires"]
    public var serial: String
    public var needles: Int64
    public var lot: String?
    public var expires: String?

    public init(serial: String, needles: Int64, lot: String? = nil, expires: String? = nil) {
        self.serial = serial
        self.needles = needles
        self.lot = lot
        self.expires = expires
    }

    public init(reading params: RPCParams) throws(RPCError) {
        serial = try params.requiredString("serial", meaning: "the serial printed on the cartridge")
        guard !serial.isEmpty, serial.utf8.count <= Self.serialBytesMax else {
            throw .invalidParams("\"serial\" must be 1 to \(Self.serialBytesMax) characters.")
        }
        needles = try params.requiredInteger("needles", meaning: "the cartridge's needle count, 1 to 100")
        guard (1...100).contains(needles) else {
            throw .invalidParams("\"needles\" must be from 1 to 100, not \(needles).")
        }
        lot = try params.optionalString("lot", meaning: "the manufacturer's lot")
        expires = try params.optionalString("expires", meaning: "the expiry date, YYYY-MM-DD")
        if let expires, expires.count != 10 || expires.split(separator: "-").count != 3 {
            throw .invalidParams("\"expires\" must be a date as YYYY-MM-DD, not \"\(expires)\".")
        }
    }

    /// The longest serial the ledger and an ID chip hold (the loop's `CartridgeSerial.bytesMax`;
    /// a test keeps the two equal).
    public static let serialBytesMax = 24

    public var json: JSONValue? {
        var members: [(String, JSONValue)] = [("serial", .string(serial)), ("needles", .int(needles))]
        if let lot { members.append(("lot", .string(lot))) }
        if let expires { members.append(("expires", .string(expires))) }
        return .object(members)
    }
}

/// `cartridge.get`: one cartridge, by its serial.
public struct CartridgeGetParams: MethodParams {
    public static let keys = ["serial"]
    public var serial: String

    public init(serial: String) { self.serial = serial }

    public init(reading params: RPCParams) throws(RPCError) {
        serial = try params.requiredString("serial", meaning: "the cartridge's serial")
    }

    public var json: JSONValue? { .object([("serial", .string(serial))]) }
}
