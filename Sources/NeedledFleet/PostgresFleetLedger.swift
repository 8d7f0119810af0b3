import Logging
import NIOSSL
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// The fleet ledger on the clinic's PostgreSQL (postgres-nio, TLS with the fleet's CA and the
/// pen's client certificate). Every question has a deadline: a server that is stopped, slow or
/// gone is `FleetError.unreachable` after it, never a caller left waiting. Runs as a `Service`
/// (the client's connection pool lives in `run`).
public final class PostgresFleetLedger: FleetLedger, Service {
    let client: PostgresClient
    let role: String
    let deadline: Duration
    let logger: Logger

    /// `deadline`: how long one question may take, connecting included.
    public init(settings: FleetConnectionSettings, deadline: Duration = .seconds(3), logger: Logger) throws {
        client = PostgresClient(configuration: try Self.clientConfiguration(settings), backgroundLogger: logger)
        role = settings.role
        self.deadline = deadline
        self.logger = logger
    }

    /// A postgres-nio client configuration for `settings`: TLS required, the server verified against
    /// the fleet's CA, the pen's certificate shown (also the owner's, to migrate the schema).
    public static func clientConfiguration(_ settings: FleetConnectionSettings) throws -> PostgresClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(settings.caPath)
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(settings.certificatePath).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: settings.keyPath, format: .pem))
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.role, password: settings.password,
            database: settings.database, tls: .require(tls))
        configuration.options.connectTimeout = settings.connectTimeout
        configuration.options.maximumConnections = 2
        return configuration
    }

    /// The connection pool, until the service group shuts down (or the task is cancelled).
    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.client.run() }
    }

    public func bind(serial: String, session: String) async throws(FleetError) -> FleetVerdict {
        let (client, logger, role) = (self.client, self.logger, self.role)
        return try await ask {
            // One row per serial: of two pens inserting at once, the server lets exactly one in.
            var inserted = 0
            for try await _ in try await client.query(
                """
                INSERT INTO cartridge_binding (serial, session) VALUES (\(serial), \(session))
                ON CONFLICT (serial) DO NOTHING RETURNING serial
                """, logger: logger
            ).decode(String.self) {
                inserted += 1
            }
            if inserted == 1 { return .bound }
            guard let existing = try await Self.binding(of: serial, client: client, logger: logger) else {
                throw FleetError.refused("cartridge \(serial) was neither bound nor found")
            }
            return existing.pen == role && existing.session == session ? .boundAlready : .reused(existing)
        }
    }

    public func binding(of serial: String) async throws(FleetError) -> CartridgeBinding? {
        let (client, logger) = (self.client, self.logger)
        return try await ask { try await Self.binding(of: serial, client: client, logger: logger) }
    }

    public func reportConflict(_ binding: CartridgeBinding, session: String) async throws(FleetError) {
        let (client, logger) = (self.client, self.logger)
        try await ask {
            for try await _ in try await client.query(
                """
                INSERT INTO cartridge_conflict (serial, bound_pen, bound_session, other_session)
                VALUES (\(binding.serial), \(binding.pen), \(binding.session), \(session)) ON CONFLICT DO NOTHING
                """, logger: logger)
            {}
        }
    }

    public func conflictsOnOwnBindings() async throws(FleetError) -> [CartridgeConflict] {
        let (client, logger, role) = (self.client, self.logger, self.role)
        return try await ask {
            var conflicts: [CartridgeConflict] = []
            for try await (serial, session, otherPen, otherSession) in try await client.query(
                """
                SELECT serial, bound_session, other_pen::text, other_session FROM cartridge_conflict
                WHERE bound_pen = \(role) ORDER BY found_at, serial LIMIT 1000
                """, logger: logger
            ).decode((String, String, String, String).self) {
                conflicts.append(
                    CartridgeConflict(
                        binding: CartridgeBinding(serial: serial, pen: role, session: session), otherPen: otherPen,
                        otherSession: otherSession))
            }
            return conflicts
        }
    }

    static func binding(of serial: String, client: PostgresClient, logger: Logger) async throws -> CartridgeBinding? {
        for try await (pen, session) in try await client.query(
            "SELECT pen::text, session FROM cartridge_binding WHERE serial = \(serial)", logger: logger
        ).decode((String, String).self) {
            return CartridgeBinding(serial: serial, pen: pen, session: session)
        }
        return nil
    }

    /// `question` within the deadline; what went wrong as a `FleetError`. The caller is answered
    /// at the deadline even if the question is still out (a stopped server answers nothing, and
    /// postgres-nio's query need not heed cancellation): it is cancelled and left to end alone.
    func ask<Answer: Sendable>(
        _ question: @escaping @Sendable () async throws -> Answer
    ) async throws(FleetError) -> Answer {
        let deadline = self.deadline
        let answer = FirstAnswer<Answer>()
        let outcome = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Answer, FleetError>, Never>) in
            answer.waiting(continuation)
            let timer = Task {
                try? await Task.sleep(for: deadline)
                guard !Task.isCancelled else { return }
                if answer.give(.failure(.unreachable("no answer within \(deadline)"))) { answer.cancelQuestion() }
            }
            answer.asking(
                Task {
                    defer { timer.cancel() }
                    do {
                        answer.give(.success(try await question()))
                    } catch let error as FleetError {
                        answer.give(.failure(error))
                    } catch let error as PSQLError {
                        answer.give(.failure(Self.fleetError(error)))
                    } catch {
                        answer.give(.failure(.unreachable("\(error)")))
                    }
                })
        }
        return try outcome.get()
    }

    /// A refusal the server gave (with its SQLSTATE), or a connection that failed.
    static func fleetError(_ error: PSQLError) -> FleetError {
        if let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "no message"
            return .refused("\(message) (SQLSTATE \(state))")
        }
        return .unreachable("\(error.code)")
    }
}

/// The first of two answers (the question's, the deadline's) resumes the caller; the other is
/// dropped. The caller is waiting before either can come (`waiting` is called first).
final class FirstAnswer<Answer: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Result<Answer, FleetError>, Never>?>(nil)
    private let question = Mutex<Task<Void, Never>?>(nil)

    func waiting(_ continuation: CheckedContinuation<Result<Answer, FleetError>, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func asking(_ task: Task<Void, Never>) {
        question.withLock { $0 = task }
    }

    /// The deadline's: the question is cancelled and left to end alone.
    func cancelQuestion() {
        question.withLock { $0 }?.cancel()
    }

    /// True when this was the first answer.
    @discardableResult
    func give(_ outcome: Result<Answer, FleetError>) -> Bool {
        let waiting = continuation.withLock { state in
            defer { state = nil }
            return state
        }
        waiting?.resume(returning: outcome)
        return waiting != nil
    }
}
