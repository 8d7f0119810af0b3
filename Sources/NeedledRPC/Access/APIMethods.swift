/// The API's methods as lists of names and the access check, all derived from `APIMethod`: one
/// table, so the daemon's dispatch, `rpc.listMethods`, the access check and the docs cannot
/// disagree.
public enum APIMethods {
    /// Methods anyone allowed to connect may call.
    public static let read: [String] = APIMethod.allCases.filter { $0.role == .readOnly }.map(\.name)

    /// Methods that move the needles or change the records: the operator group (and root) only.
    public static let operate: [String] = APIMethod.allCases.filter { $0.role == .operator }.map(\.name)

    /// All methods, in the order `rpc.listMethods` gives them.
    public static let all: [String] = APIMethod.allCases.map(\.name)

    /// Whether `role` may make this request, from the method's own role. A name that is no
    /// method passes here and gets -32601 from dispatch, which has a handler for every case of
    /// `APIMethod` and for nothing else; `daemon.stats {reset: true}` clears the figures a
    /// technician relies on, so it is the operator's.
    public static func allows(_ role: AccessRole, _ request: JSONRPCRequest) -> Bool {
        switch role {
        case .operator: return true
        case .readOnly:
            guard let method = APIMethod(rawValue: request.method) else { return true }
            if method.role == .operator { return false }
            if method == .daemonStats, case .object(let members)? = request.params,
                members.contains(where: { $0.0 == "reset" && $0.1 == .bool(true) })
            {
                return false
            }
            return true
        }
    }
}
