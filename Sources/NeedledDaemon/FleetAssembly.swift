import Logging
import NeedledConfig
import NeedledFleet
import NeedledServer
import NeedledStore
import ServiceLifecycle

/// `[fleet]` made into the daemon's parts: the ledger on the fleet's PostgreSQL (its connection
/// pool a service of its own) and the link that asks it and catches up with it. A password or a
/// TLS file that cannot be read stops the start, before anything moves.
struct FleetAssembly {
    let link: FleetLink
    let services: [ServiceGroupConfiguration.ServiceConfiguration]

    init(
        settings: FleetSettings, store: TreatmentStore, identity: PenIdentity?, clock: any WallClock, logger: Logger
    ) throws {
        let password: String
        do {
            password = try FleetPassword.read()
        } catch {
            throw DaemonError.fleetUnavailable(error.description)
        }
        guard let identity else {
            throw DaemonError.fleetUnavailable("the fleet names sessions by the pen's identity, which is not known")
        }
        let ledger: PostgresFleetLedger
        do {
            ledger = try PostgresFleetLedger(
                settings: FleetConnectionSettings(settings, password: password), deadline: settings.answerTimeout,
                logger: logger)
        } catch {
            throw DaemonError.fleetUnavailable(
                "[fleet]: the TLS files cannot be used (ca \(settings.caPath), certificate \(settings.certificatePath), key \(settings.keyPath)): \(error)"
            )
        }
        link = FleetLink(
            ledger: ledger, store: store, settings: settings, identity: identity, clock: clock, logger: logger)
        services = [.init(service: ledger), .init(service: FleetLinkRunner(link: link))]
        logger.notice(
            "fleet: pen \(settings.role) on \(settings.host):\(settings.port)/\(settings.database), offline-cartridges = \(settings.offlineCartridges.rawValue)"
        )
    }
}

/// Runs the fleet link's passes for the service group until shutdown.
struct FleetLinkRunner: Service {
    let link: FleetLink

    func run() async throws {
        await withGracefulShutdownHandler {
            await link.run()
        } onGracefulShutdown: {
            link.finish()
        }
    }
}
