import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import TowerCore

/// The shared store: Tower's state in a PostgreSQL database, for workers and consoles on several
/// hosts (`TOWER_STORE_URL=postgres://…`). It holds the same tables as ``SQLiteStore`` and keeps
/// the same promises: every method is one transaction, and every change that races is a
/// conditional update or takes the row's lock first (`SELECT … FOR UPDATE`), always the task's
/// row before anything else of that task, so two writers cannot deadlock.
///
/// Connections come from postgres-nio's pool, which runs in a swift-service-lifecycle
/// `ServiceGroup` owned by the store until ``shutdown()``.
public final class PostgresStore: Store {
    /// The server and database, without the password.
    public let location: PostgresLocation
    let client: PostgresClient
    let logger: Logger
    private let group: ServiceGroup
    private let running: Task<Void, Never>
    private let commitCounter = CommitCounter()
    /// The engine's task updates, written many to a transaction.
    let groupCommit = PostgresGroupCommit()

    /// Connects, migrates the schema (under an advisory lock, so several hosts may start at
    /// once) and starts the pool. An unreachable server, a refused login or a missing database
    /// is said here in one clear line, never with the password.
    /// - Parameter maximumConnections: the pool's size for this process.
    public static func open(url: String, maximumConnections: Int = 8, logger: Logger? = nil) async throws -> PostgresStore {
        let location = try PostgresLocation(url: url)
        let logger = logger ?? Logger(label: "tower.store", factory: { _ in SwiftLogNoOpLogHandler() })
        _ = try await migrate(location, logger: logger)
        return PostgresStore(location: location, maximumConnections: maximumConnections, logger: logger)
    }

    /// Brings the schema up to date; returns the migrations applied (none when it was current).
    /// Safe from several hosts at once: one migrates while the others wait on the lock.
    public static func migrate(url: String) async throws -> [String] {
        try await migrate(PostgresLocation(url: url), logger: Logger(label: "tower.store", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func migrate(_ location: PostgresLocation, logger: Logger) async throws -> [String] {
        try await withConnection(location, logger: logger) { connection in
            let known = Set(PostgresMigrations.all.map(\.name))
            let unknown = try await PostgresMigrations.applied(connection, logger: logger).filter { !known.contains($0) }
            guard unknown.isEmpty else {
                throw StoreError.cannotOpen(
                    path: location.description,
                    reason: "its schema has migrations this tower does not know (\(unknown.joined(separator: ", "))): a newer tower migrated it; upgrade this one")
            }
            return try await PostgresMigrations.migrate(connection, logger: logger)
        }
    }

    /// One connection of its own, closed after `body` (migrations, checks, LISTEN).
    static func withConnection<T>(
        _ location: PostgresLocation, logger: Logger, applicationName: String = "tower", _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection: PostgresConnection
        do {
            var configuration = try location.connectionConfiguration()
            configuration.options.additionalStartupParameters = [("application_name", applicationName)]
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw PostgresFailure.store(error, location: location)
        }
        do {
            let value = try await body(connection)
            try? await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw PostgresFailure.store(error, location: location)
        }
    }

    private init(location: PostgresLocation, maximumConnections: Int, logger: Logger) {
        self.location = location
        self.logger = logger
        client = PostgresClient(configuration: location.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        group = ServiceGroup(services: [client], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        let group = group
        running = Task { try? await group.run() }
    }

    /// Closes the pool's connections (a clean stop; a process that just exits loses nothing).
    public func shutdown() async {
        await group.triggerGracefulShutdown()
        await running.value
    }

    /// Write transactions committed through this instance (for benchmarks and health).
    public var commitCount: Int { commitCounter.count }

    /// Runs `body` in one transaction; a failure rolls everything back.
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            let value = try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            commitCounter.increment()
            return value
        } catch {
            throw PostgresFailure.store(error, location: location)
        }
    }

    /// A write that shares its transaction with the others queued meanwhile
    /// (``PostgresGroupCommit``): the engine's task updates. Refused for a cancelled caller.
    func batchedWrite<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try Task.checkCancellation()
        do {
            return try await groupCommit.write(body) { run in
                try await self.client.withTransaction(logger: self.logger) { connection in try await run(connection) }
                self.commitCounter.increment()
            }
        } catch {
            throw PostgresFailure.store(error, location: location)
        }
    }

    /// Runs `body` on a pooled connection outside a transaction (reads).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostgresFailure.store(error, location: location)
        }
    }
}

/// PostgreSQL's errors as Tower says them. postgres-nio keeps a server's message out of its
/// error's description (it may hold data); this reads the fields that are safe to show (the SQL
/// state, the server's message, the connection's failure) and names the server without its
/// password. Tower's own errors pass through unchanged.
enum PostgresFailure: Error {
    /// The listening connection closed or stopped answering (it is made again).
    case listenEnded

    static func store(_ error: any Error, location: PostgresLocation) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        // A transaction's error: what went wrong inside it (a refused update) is the caller's
        // answer; a failed BEGIN or COMMIT is the server's.
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError {
                return store(inner, location: location)
            }
        }
        guard let psql = error as? PSQLError else {
            return StoreError.cannotOpen(path: location.description, reason: String(describing: error))
        }
        return StoreError.cannotOpen(path: location.description, reason: reason(psql))
    }

    static func reason(_ error: PSQLError) -> String {
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            let message = info[.message] ?? "server error"
            switch state {
            case "28P01", "28000": return "the server refused the login (\(message)) [\(state)]"
            case "3D000": return "no such database (\(message)) [\(state)]"
            case "57P03", "57P01": return "the server is starting or shutting down (\(message)) [\(state)]"
            default: return "\(message) [\(state)]"
            }
        }
        switch error.code {
        case .connectionError:
            let cause = error.underlying.map { String(describing: $0) } ?? "no answer"
            if cause.contains("CERTIFICATE_VERIFY_FAILED") {
                return "TLS: the server's certificate could not be verified against the system's authorities and the host name (sslmode=verify-full)"
            }
            return "cannot connect (\(cause))"
        case .authMechanismRequiresPassword: return "the server asks for a password and the URL has none"
        case .sslUnsupported: return "the server does not offer TLS and the URL requires it (sslmode)"
        case .serverClosedConnection, .uncleanShutdown: return "the server closed the connection"
        case .poolClosed: return "the store was shut down"
        default: return "PostgreSQL: \(error.code)"
        }
    }
}

extension PostgresConnection {
    /// Every row of a query, random-access (small results: the store never streams).
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs a statement and returns how many rows it returned (`RETURNING` counts changes).
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        try await self.query(query, logger: logger).collect().count
    }

    /// The first column of the first row, if any.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self, logger: Logger) async throws -> T? {
        guard let row = try await self.query(query, logger: logger).collect().first else { return nil }
        return try row.makeRandomAccess()[0].decode(T.self)
    }

    /// The first column of every row.
    func values<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self, logger: Logger) async throws -> [T] {
        try await self.query(query, logger: logger).collect().map { try $0.makeRandomAccess()[0].decode(T.self) }
    }
}

extension PostgresRandomAccessRow {
    /// A column by name, decoded.
    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }
}
