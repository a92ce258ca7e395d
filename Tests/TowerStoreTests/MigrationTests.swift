import Foundation
import GRDB
import Testing
import TowerCore
import TowerTestSupport

@testable import TowerStore

/// A database written before the inbox kept body digests and bodies apart is migrated in
/// place: every delivery keeps its body, and the new constraints hold from then on.
@Suite struct MigrationTests {
    @Test func inboxBodiesMoveToTheirOwnTableAndKeepEveryByte() async throws {
        let directory = TemporaryDirectory.make("migration")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(SQLiteStore.fileName).path)
        try Migrations.migrator.migrate(queue, upTo: "v6-inbox-outcome")
        let body = Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO webhook_inbox (delivery_id, source, event, body, received_at, processed_at, expires_at, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: ["github-old", "github", "ping", body, at, at, at.addingTimeInterval(3600), "pong"])
            try db.execute(
                sql: "INSERT INTO webhook_inbox (delivery_id, source, event, body, received_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: ["jira-pending", "jira", "jira:issue_created", Data("{}".utf8), at, at.addingTimeInterval(3600)])
        }
        try queue.close()

        let store = try SQLiteStore(directory: directory)
        let all = try await store.deliveries(limit: 10)
        #expect(all.map(\.id).sorted() == ["github-old", "jira-pending"])
        #expect(all.first { $0.id == "github-old" }?.body == body)
        #expect(all.first { $0.id == "github-old" }?.outcome == "pong")
        #expect(try await store.pendingDeliveries(limit: 10).map(\.id) == ["jira-pending"])
        // The migrated rows have no digest; new ones do, and a replay of one is refused.
        let replay = WebhookDelivery(id: "github-new", source: "github", event: "ping", body: body, receivedAt: at, bodyDigest: "github-x")
        #expect(try await store.enqueueDeliveries([replay, WebhookDelivery(id: "github-again", source: "github", event: "ping", body: body, receivedAt: at, bodyDigest: "github-x")]) == [true, false])
        // A swept delivery takes its body with it.
        _ = try await store.sweepExpired(now: at.addingTimeInterval(7200))
        let bodies = try await store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_bodies") ?? -1 }
        #expect(bodies == 2)
    }

    /// Every task newest first is read in an index's order, not sorted: with thousands of tasks
    /// the sort spilled to a temporary file under the readers' small page cache, which cost the
    /// console's first screen tens of milliseconds.
    @Test func allTasksNewestFirstNeedNoSort() throws {
        let queue = try DatabaseQueue(path: TemporaryDirectory.make("plan").appendingPathComponent("t.sqlite").path)
        try Migrations.migrator.migrate(queue)
        let plan = try queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT \(Rows.taskReadColumns) FROM tasks ORDER BY created_at DESC, id").map { $0["detail"] as String }
        }
        #expect(!plan.joined().contains("TEMP B-TREE") && plan.joined().contains("tasks_by_creation"), "\(plan)")
    }
}
