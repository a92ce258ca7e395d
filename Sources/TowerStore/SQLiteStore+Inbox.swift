import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func enqueueDeliveries(_ deliveries: [WebhookDelivery]) async throws -> [Bool] {
        try await write { db in
            let row = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO webhook_inbox (delivery_id, source, event, received_at, processed_at, expires_at, body_digest, trace_parent)
                    VALUES (?, ?, ?, ?, NULL, ?, ?, ?)
                    """)
            let body = try db.cachedStatement(sql: "INSERT INTO webhook_bodies (delivery_id, body) VALUES (?, ?)")
            return try deliveries.map { delivery in
                try row.execute(arguments: [
                    delivery.id, delivery.source, delivery.event, delivery.receivedAt,
                    delivery.receivedAt.addingTimeInterval(WebhookDelivery.retention), delivery.bodyDigest, delivery.traceParent,
                ])
                guard db.changesCount == 1 else { return false }
                try body.execute(arguments: [delivery.id, delivery.body])
                return true
            }
        }
    }

    public func markDeliveriesProcessed(_ outcomes: [(id: String, outcome: String?)], at: Date) async throws {
        try await write { db in
            let statement = try db.cachedStatement(
                sql: "UPDATE webhook_inbox SET processed_at = ?, expires_at = ?, outcome = ? WHERE delivery_id = ? AND processed_at IS NULL")
            for (id, outcome) in outcomes {
                try statement.execute(arguments: [at, at.addingTimeInterval(WebhookDelivery.retention), outcome, id])
            }
        }
    }

    public func pendingDeliveries(limit: Int) async throws -> [WebhookDelivery] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM webhook_inbox JOIN webhook_bodies USING (delivery_id) WHERE processed_at IS NULL ORDER BY received_at, delivery_id LIMIT ?",
                arguments: [limit]
            ).map(Rows.delivery)
        }
    }

    /// Plans waiting for a decision, and the oldest undecided request among them (both backends).
    static let approvalsWaitingSQL = """
        SELECT COUNT(DISTINCT t.id), MIN(a.requested_at) FROM tasks t
        JOIN approvals a ON a.task_id = t.id AND a.decision IS NULL
        WHERE t.status = 'awaiting_approval'
        """

    public func metrics() async throws -> StoreMetrics {
        try await read { db in
            var metrics = StoreMetrics()
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM tasks GROUP BY status") {
                metrics.tasksByStatus[row["status"]] = row["n"]
            }
            metrics.pendingDeliveries = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_inbox WHERE processed_at IS NULL") ?? 0
            if let row = try Row.fetchOne(db, sql: Self.approvalsWaitingSQL) {
                metrics.approvalsWaiting = row[0]
                metrics.oldestApprovalRequestedAt = row[1]
            }
            if let row = try Row.fetchOne(db, sql: "SELECT COALESCE(SUM(input_tokens), 0) AS i, COALESCE(SUM(output_tokens), 0) AS o FROM llm_calls") {
                metrics.inputTokens = row["i"]
                metrics.outputTokens = row["o"]
            }
            let midnight = Calendar.utc.startOfDay(for: Date())
            for (since, keyPath) in [(nil, \StoreMetrics.spend), (midnight, \StoreMetrics.today)] as [(Date?, WritableKeyPath<StoreMetrics, Spend>)] {
                if let row = try Row.fetchOne(
                    db, sql: "SELECT \(Spend.sums) FROM llm_calls WHERE (? IS NULL OR at >= ?)", arguments: [since, since])
                {
                    metrics[keyPath: keyPath] = Spend(row: row)
                }
            }
            return metrics
        }
    }

    public func deliveries(limit: Int) async throws -> [WebhookDelivery] {
        try await read { db in
            try Rows.all(db, sql: "SELECT * FROM webhook_inbox JOIN webhook_bodies USING (delivery_id) ORDER BY received_at DESC, delivery_id LIMIT ?", arguments: [limit], Rows.delivery)
        }
    }

    public func redeliver(id: String, actor: Actor, at: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE webhook_inbox SET processed_at = NULL, outcome = NULL, expires_at = ? WHERE delivery_id = ?",
                arguments: [at.addingTimeInterval(WebhookDelivery.retention), id])
            guard db.changesCount == 1 else { return false }
            try db.insertAudit(.decision("redeliver", taskId: nil, by: actor, at: at, detail: "delivery \(id)"))
            return true
        }
    }
}

extension Spend {
    /// A spend from a row summed with ``Spend/sums``.
    init(row: Row) {
        self.init(dollars: row["d"], calls: row["n"], unpriced: row["u"], replayed: row["r"])
    }
}
