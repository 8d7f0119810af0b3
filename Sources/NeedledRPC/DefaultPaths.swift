import Foundation

/// Where needled and needlectl look when not told (one place, so the two always agree).
public enum DefaultPaths {
    public static let configuration = "/etc/needled/needled.toml"

    /// `/run/needled/needled.sock` for root, otherwise `$XDG_RUNTIME_DIR/needled.sock`
    /// (or `/tmp/needled-UID.sock` when XDG_RUNTIME_DIR is unset).
    public static var socket: String {
        if getuid() == 0 { return "/run/needled/needled.sock" }
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/needled.sock"
        }
        return "/tmp/needled-\(getuid()).sock"
    }

    /// `/var/lib/needled` for root, otherwise `$XDG_STATE_HOME/needled` (or `~/.local/state/needled`).
    public static var stateDirectory: String {
        if getuid() == 0 { return "/var/lib/needled" }
        let environment = ProcessInfo.processInfo.environment
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/needled" }
        return (environment["HOME"] ?? "/tmp") + "/.local/state/needled"
    }
}
