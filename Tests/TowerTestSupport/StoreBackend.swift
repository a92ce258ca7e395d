import Foundation
import Synchronization
import Logging
import PostgresNIO
import TowerCore
import TowerStore

/// The store backends a suite written once runs against: SQLite (a file in a temporary
/// directory) and PostgreSQL (a fresh database on the tests' private server).
public enum StoreBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    /// A new, empty, migrated store of this backend.
    public func makeStore(_ label: String = "store") async throws -> any Store {
        switch self {
        case .sqlite: try SQLiteStore(directory: TemporaryDirectory.make(label).appendingPathComponent("state"))
        case .postgres: try await PostgresStore.open(url: try await TestPostgres.freshDatabase(label), maximumConnections: 4)
        }
    }
}

/// The tests' PostgreSQL: the server `scripts/test` started (`TOWER_TEST_POSTGRES_URL`), or one
/// started here through `scripts/postgres start` when a test runs without it (the script reuses
/// a running one). Each test gets a database of its own.
public enum TestPostgres {
    private static let cached = Mutex<String?>(nil)

    /// The server's URL (the `postgres` database, trusted login on loopback).
    public static func adminURL() throws -> String {
        try cached.withLock { url in
            if let url { return url }
            if let given = ProcessInfo.processInfo.environment["TOWER_TEST_POSTGRES_URL"], !given.isEmpty {
                url = given
                return given
            }
            let started = try script("start")
            url = started
            return started
        }
    }

    /// The same database through the server's Unix socket (reachable from a process in a
    /// network namespace of its own, which has no route to the host's loopback).
    public static func socketURL(for url: String) throws -> String {
        let directory = try script("socket")
        let location = try PostgresLocation(url: url)
        return "postgres://\(location.user)@/\(location.database)?host=\(directory)&port=\(location.port)"
    }

    /// What `scripts/postgres COMMAND` prints (its one line), or an error naming its exit.
    private static func script(_ command: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/postgres")
        process.arguments = [command]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !line.isEmpty else {
            throw StoreError.cannotOpen(path: "scripts/postgres", reason: "scripts/postgres \(command) failed (exit \(process.terminationStatus))")
        }
        return line
    }

    /// A new database on the tests' server; returns its URL.
    public static func freshDatabase(_ label: String = "t") async throws -> String {
        let admin = try adminURL()
        let name = "tower_\(label.lowercased().filter { $0.isLetter || $0.isNumber })_\(UUID().uuidString.prefix(8).lowercased())"
        try await execute("CREATE DATABASE \(name)", on: admin)
        return replacingDatabase(in: admin, with: name)
    }

    /// Runs one statement (no binds) on the database a URL names.
    public static func execute(_ sql: String, on url: String) async throws {
        let location = try PostgresLocation(url: url)
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: location.host, port: location.port, username: location.user, password: location.password, database: location.database, tls: .disable),
            id: 1, logger: Logger(label: "tower.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "tower.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })).collect()
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// The first column of the first row of a query, as a number (counts in the tests).
    public static func count(_ sql: String, on url: String) async throws -> Int {
        let location = try PostgresLocation(url: url)
        let logger = Logger(label: "tower.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: location.host, port: location.port, username: location.user, password: location.password, database: location.database, tls: .disable),
            id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int.self) { return value }
        return 0
    }

    /// The same URL naming another database (and, optionally, another login).
    public static func replacingDatabase(in url: String, with database: String, user: String? = nil, password: String? = nil) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + database
        if let user { components.user = user }
        if let password { components.password = password }
        return components.string!
    }
}
