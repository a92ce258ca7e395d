import Foundation
import Logging
import NIOCore
import PostgresNIO

/// LISTEN and NOTIFY: commands and new tasks (`tower_commands`), inbox deliveries
/// (`tower_inbox`) and CI news (`tower_ci`) are notified in the transaction that stores them
/// (PostgreSQL delivers a notification only when that transaction commits), and every worker
/// listens on a dedicated connection of its own (postgres-nio listens only on a
/// `PostgresConnection`, not through the pool).
///
/// The listening connection is watched: when it closes, or a keep-alive query on it fails (a
/// server restarted under it, postgres-nio's issue #601), it is made again with backoff, and
/// the stream says ``StoreWakeUp/listening`` (as it does when it first listens) so that the
/// worker looks at once for what it may have missed.
extension PostgresStore: StoreNotifications {
    static let commandsChannel = "tower_commands"
    static let inboxChannel = "tower_inbox"
    static let ciChannel = "tower_ci"

    public func wakeUps() -> AsyncStream<StoreWakeUp> {
        let location = location, logger = logger
        return AsyncStream { continuation in
            let task = Task {
                var delay: Double = 0.1
                while !Task.isCancelled {
                    do {
                        try await Self.withConnection(location, logger: logger, applicationName: "tower-listen") { connection in
                            delay = 0.1
                            try await Self.supervise(connection, logger: logger, ready: { continuation.yield(.listening) }) { continuation.yield($0) }
                        }
                    } catch {
                        if Task.isCancelled { break }
                    }
                    try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                    delay = min(delay * 2, 5)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func announce(ciNews repository: String, branch: String?, origin: String) async throws {
        let payload = String(decoding: try JSONEncoder().encode(CINewsPayload(repository: repository, branch: branch, origin: origin)), as: UTF8.self)
        _ = try await write { c in try await c.run("SELECT pg_notify(\(Self.ciChannel), \(payload))", logger: logger) }
    }

    /// Listens on `connection` until it closes or stops answering, then throws at once. The
    /// listening runs in a task of its own that is cancelled, not awaited: once the connection
    /// is gone, a LISTEN still waiting for the server's answer may never see its cancellation
    /// answered, and waiting for it would leave this worker deaf to every notification after.
    static func supervise(
        _ connection: PostgresConnection, logger: Logger, ready: @escaping @Sendable () -> Void, deliver: @escaping @Sendable (StoreWakeUp) -> Void
    ) async throws {
        let (ended, end) = AsyncStream<Void>.makeStream()
        connection.closeFuture.whenComplete { _ in end.yield() }
        let listening = Task {
            try? await listen(connection, logger: logger, ended: { end.yield() }, ready: ready, deliver: deliver)
            end.yield()
        }
        defer { listening.cancel() }
        for await _ in ended { break }
        throw PostgresFailure.listenEnded
    }

    /// Listens on every channel of `connection` until it closes or stops answering; says so
    /// through `ended` at once, then throws once its tasks have stopped.
    static func listen(
        _ connection: PostgresConnection, logger: Logger, ended: @escaping @Sendable () -> Void, ready: @escaping @Sendable () -> Void,
        deliver: @escaping @Sendable (StoreWakeUp) -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let channels = [commandsChannel, inboxChannel, ciChannel]
            let subscribed = AsyncStream<Void>.makeStream()
            for channel in channels {
                group.addTask {
                    // LISTEN for as long as the closure runs; UNLISTEN when it ends.
                    try await connection.listen(on: channel) { notifications in
                        subscribed.continuation.yield()
                        for try await notification in notifications {
                            switch channel {
                            case commandsChannel: deliver(.commands)
                            case inboxChannel: deliver(.inbox)
                            default:
                                if let news = try? JSONDecoder().decode(CINewsPayload.self, from: Data(notification.payload.utf8)) {
                                    deliver(.ciNews(repository: news.repository, branch: news.branch, origin: news.origin))
                                }
                            }
                        }
                    }
                    ended()
                    throw PostgresFailure.listenEnded
                }
            }
            group.addTask {
                var count = 0
                for await _ in subscribed.stream {
                    count += 1
                    if count == channels.count { break }
                }
                ready()
                // Keep-alive: a half-open connection (the server restarted, the network cut)
                // answers no query; that ends the listening and it is made again.
                while true {
                    try await Task.sleep(nanoseconds: 2_000_000_000)
                    try await withThrowingTaskGroup(of: Void.self) { probe in
                        probe.addTask { _ = try await connection.query("SELECT 1", logger: logger).collect() }
                        probe.addTask {
                            try await Task.sleep(nanoseconds: 5_000_000_000)
                            throw PostgresFailure.listenEnded
                        }
                        do {
                            try await probe.next()
                        } catch {
                            ended()
                            throw error
                        }
                        probe.cancelAll()
                    }
                }
            }
            group.addTask {
                try await connection.closeFuture.get()
                ended()
                throw PostgresFailure.listenEnded
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// What a CI-news notification carries.
    struct CINewsPayload: Codable {
        var repository: String
        var branch: String?
        var origin: String
    }
}

extension PostgresConnection {
    /// Wakes every listening worker when this transaction commits.
    func notify(_ channel: String, logger: Logger) async throws {
        try await run("SELECT pg_notify(\(channel), '')", logger: logger)
    }
}
