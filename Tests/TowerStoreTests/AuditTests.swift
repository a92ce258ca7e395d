import Foundation
import GRDB
import Testing
import TowerCore
import TowerTestSupport

@testable import TowerStore

/// The audit trail on both backends: every decision with who, where, when, the note and the plan
/// version; every effect with its key; append-only in the database itself; swept by age.
@Suite struct AuditTests {
    /// A store of `backend`, and a way to run raw SQL on its database (as an intruder would).
    func open(_ backend: StoreBackend) async throws -> (any Store, @Sendable (String) async throws -> Void) {
        switch backend {
        case .sqlite:
            let store = try SQLiteStore(directory: TemporaryDirectory.make("audit").appendingPathComponent("state"))
            return (store, { sql in _ = try await store.write { db in try db.execute(sql: sql) } })
        case .postgres:
            let url = try await TestPostgres.freshDatabase("audit")
            return (try await PostgresStore.open(url: url, maximumConnections: 4), { sql in try await TestPostgres.execute(sql, on: url) })
        }
    }


    @Test(arguments: StoreBackend.allCases) func decisionsAndEffectsAreKeptInOrderWithTheirChannels(_ backend: StoreBackend) async throws {
        let (store, _) = try await open(backend)
        // Whole seconds: SQLite keeps milliseconds, PostgreSQL microseconds.
        let t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 3_600).rounded(.down))
        let plan = PlanVersion(hash: "a1b2c3", blobs: ["svc": "f00d"], edit: PlanVersion.Edit(repository: "acme/svc", commit: "0123456789ab", subject: "Narrow the scope"))
        let approved = try await seedAwaitingApproval(store, ticket: "AUD-1", plan: plan, at: t0).id
        let rejected = try await seedAwaitingApproval(store, ticket: "AUD-2", at: t0).id
        let alice = Actor(user: "alice", channel: .console), bob = Actor(user: "U123BOB", channel: .slackButton), carol = Actor(user: "carol", channel: .cli)

        _ = try await store.decide(taskId: approved, decision: .approved, actor: alice, reason: "looks right", at: t0.addingTimeInterval(60))
        _ = try await store.decide(taskId: rejected, decision: .rejected, actor: bob, reason: "wrong repository", at: t0.addingTimeInterval(120))
        // A second decision on the same plan is answered with the first and is no decision.
        _ = try await store.decide(taskId: rejected, decision: .approved, actor: carol, reason: nil, at: t0.addingTimeInterval(150))
        var failed = TowerTask.new(ticketId: "AUD-3", title: "AUD-3", description: "", source: .cli, now: t0)
        failed.status = .failed
        failed.failedStep = .execution
        try await store.insertTask(failed, event: nil, actor: carol)
        _ = try await store.retry(taskId: failed.id, actor: carol, at: t0.addingTimeInterval(180))
        _ = try await store.setFrozen(true, actor: alice, at: t0.addingTimeInterval(240))
        _ = try await store.setFrozen(false, actor: alice, at: t0.addingTimeInterval(300))
        try await store.setGlobalTaskLimit(3, actor: carol, at: t0.addingTimeInterval(360))
        try await store.recordOutbox(
            OutboxMessage(taskId: approved, service: "slack", target: "#eng", kind: "approval", text: "Plan ready", status: .notSent,
                          error: "Slack is not configured", at: t0.addingTimeInterval(400), key: "\(approved)/planning/0/slack-approval"))

        let trail = try await store.auditTrail(since: nil, taskId: nil, limit: nil)
        #expect(trail.map(\.action) == ["approve", "reject", "retry", "freeze", "unfreeze", "limit", "slack_approval"])
        #expect(trail.map(\.channel) == ["console", "slack_button", "cli", "console", "console", "cli", "slack"])
        #expect(trail.map(\.user) == ["alice", "U123BOB", "carol", "alice", "alice", "carol", "tower"])
        #expect(trail[0].note == "looks right" && trail[0].planVersion == "a1b2c3 (acme/svc@01234567 (\"Narrow the scope\"))" && trail[0].taskId == approved)
        #expect(trail[1].note == "wrong repository" && trail[1].planVersion == nil)
        #expect(trail[2].detail == "resumes at execution")
        #expect(trail[5].detail == "at most 3 tasks at once across workers")
        #expect(trail[6].kind == .effect && trail[6].key == "\(approved)/planning/0/slack-approval" && trail[6].detail == "#eng: not_sent (Slack is not configured)")
        #expect(trail.map(\.at) == [60, 120, 180, 240, 300, 360, 400].map { t0.addingTimeInterval(Double($0)) })
        let sequences = trail.compactMap(\.sequence)
        #expect(sequences == sequences.sorted() && sequences.count == trail.count)

        // Filters: one task's rows; since a time; the latest few, still oldest first.
        #expect(try await store.auditTrail(since: nil, taskId: approved, limit: nil).map(\.action) == ["approve", "slack_approval"])
        #expect(try await store.auditTrail(since: t0.addingTimeInterval(300), taskId: nil, limit: nil).map(\.action) == ["unfreeze", "limit", "slack_approval"])
        #expect(try await store.auditTrail(since: nil, taskId: nil, limit: 2).map(\.action) == ["limit", "slack_approval"])
    }

    @Test(arguments: StoreBackend.allCases) func theDatabaseRefusesToChangeOrRemoveARecentRow(_ backend: StoreBackend) async throws {
        let (store, raw) = try await open(backend)
        _ = try await store.setFrozen(true, actor: Actor(user: "alice", channel: .console), at: Date())
        await #expect(throws: (any Error).self) { try await raw("UPDATE audit SET \(backend == .postgres ? "\"user\"" : "user") = 'mallory'") }
        await #expect(throws: (any Error).self) { try await raw("DELETE FROM audit") }
        // The sweep never goes below 30 days, whatever it is asked.
        let report = try await store.sweepExpired(now: Date(), auditRetention: 0)
        #expect(report.auditRows == 0)
        #expect(try await store.auditTrail(since: nil, taskId: nil, limit: nil).map(\.user) == ["alice"])
    }

    @Test(arguments: StoreBackend.allCases) func theSweepRemovesRowsPastTheirRetentionAndSaysSo(_ backend: StoreBackend) async throws {
        let (store, raw) = try await open(backend)
        let old = Date().addingTimeInterval(-500 * 86_400)
        let stamp = backend == .sqlite ? "'\(old.stored)'" : "'\(ISO8601DateFormatter().string(from: old))'"
        let user = backend == .postgres ? "\"user\"" : "user"
        try await raw("INSERT INTO audit (at, kind, action, \(user), channel) VALUES (\(stamp), 'decision', 'approve', 'old', 'cli')")
        _ = try await store.setFrozen(true, actor: Actor(user: "recent", channel: .console), at: Date())
        let kept = try await store.sweepExpired(now: Date(), auditRetention: 600 * 86_400)
        #expect(kept.auditRows == 0)
        let report = try await store.sweepExpired(now: Date())
        #expect(report.auditRows == 1)
        #expect(report.summary == "swept 1 audit row")
        #expect(try await store.auditTrail(since: nil, taskId: nil, limit: nil).map(\.user) == ["recent"])
    }

    /// No code path changes an audit row: every statement of the product that names the table
    /// inserts into it, reads it, or is the sweep's delete by age.
    @Test func noStatementOfTheProductUpdatesOrDeletesAnAuditRow() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        let statement = try NSRegularExpression(pattern: #"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO|DROP\s+TABLE|ALTER\s+TABLE|TRUNCATE)\s+"?audit\b"#, options: [.caseInsensitive])
        var found: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in statement.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let start = text.index(text.startIndex, offsetBy: match.range.location)
                let line = text[start...].prefix { $0 != "\n" }
                found.append("\(file.lastPathComponent): \(line)")
            }
        }
        let writes = found.filter { !$0.contains("INSERT INTO audit") }
        #expect(found.filter { $0.contains("INSERT INTO audit") }.count == 2, "one insert per backend: \(found)")
        #expect(writes.count == 2 && writes.allSatisfy { $0.contains("DELETE FROM audit WHERE at < ") }, "\(writes)")
        // The GRDB query interface is not used on the table either.
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(!text.contains(#"Table("audit")"#), "\(file.lastPathComponent)")
        }
    }
}
