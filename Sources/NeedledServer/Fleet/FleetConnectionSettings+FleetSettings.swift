package import NeedledConfig
package import NeedledFleet

extension FleetConnectionSettings {
    /// How a pen connects, from its `[fleet]` and the password of its credential: the answer
    /// timeout bounds the connection too (a server that does not answer is an unreachable one).
    package init(_ settings: FleetSettings, password: String) {
        self.init(
            host: settings.host, port: settings.port, database: settings.database, role: settings.role,
            caPath: settings.caPath, certificatePath: settings.certificatePath, keyPath: settings.keyPath,
            password: password, connectTimeout: settings.answerTimeout)
    }
}
