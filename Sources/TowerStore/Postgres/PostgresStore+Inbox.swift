import Foundation
import PostgresNIO
import TowerCore

/// The listener's inbox: deliveries stored once (by id, or by body digest for a replay under a
/// fresh id), processed once, and counted for `/metrics`.
extension PostgresStore {
    public func enqueueDeliveries(_ deliveries: [WebhookDelivery]) async throws -> [Bool] {
        try await write { c in
            var fresh: [Bool] = []
            for delivery in deliveries {
                let inserted = try await c.run(
                    """
                    INSERT INTO webhook_inbox (delivery_id, source, event, received_at, processed_at, expires_at, body_digest, trace_parent)
                    VALUES (\(delivery.id), \(delivery.source), \(delivery.event), \(delivery.receivedAt), NULL,
                      \(delivery.receivedAt.addingTimeInterval(WebhookDelivery.retention)), \(delivery.bodyDigest), \(delivery.traceParent))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: logger)
                if inserted == 1 {
                    try await c.run("INSERT INTO webhook_bodies (delivery_id, body) VALUES (\(delivery.id), \(delivery.body))", logger: logger)
                }
                fresh.append(inserted == 1)
            }
            if fresh.contains(true) { try await c.notify(Self.inboxChannel, logger: logger) }
            return fresh
        }
    }

    public func markDeliveriesProcessed(_ outcomes: [(id: String, outcome: String?)], at: Date) async throws {
        try await write { c in
            for (id, outcome) in outcomes {
                try await c.run(
                    """
                    UPDATE webhook_inbox SET processed_at = \(at), expires_at = \(at.addingTimeInterval(WebhookDelivery.retention)), outcome = \(outcome)
                    WHERE delivery_id = \(id) AND processed_at IS NULL
                    """, logger: logger)
            }
        }
    }

    public func pendingDeliveries(limit: Int) async throws -> [WebhookDelivery] {
        try await read { c in
            try await c.rows(
                """
                SELECT * FROM webhook_inbox JOIN webhook_bodies USING (delivery_id) WHERE processed_at IS NULL
                ORDER BY received_at, delivery_id LIMIT \(limit)
                """, logger: logger
            ).map(PostgresRows.delivery)
        }
    }

    public func deliveries(limit: Int) async throws -> [WebhookDelivery] {
        try await read { c in
            try await c.rows(
                "SELECT * FROM webhook_inbox JOIN webhook_bodies USING (delivery_id) ORDER BY received_at DESC, delivery_id LIMIT \(limit)", logger: logger
            ).map(PostgresRows.delivery)
        }
    }

    public func redeliver(id: String, actor: Actor, at: Date) async throws -> Bool {
        try await write { c in
            let changed = try await c.run(
                """
                UPDATE webhook_inbox SET processed_at = NULL, outcome = NULL, expires_at = \(at.addingTimeInterval(WebhookDelivery.retention))
                WHERE delivery_id = \(id) RETURNING 1
                """, logger: logger)
            guard changed == 1 else { return false }
            try await c.insertAudit(.decision("redeliver", taskId: nil, by: actor, at: at, detail: "delivery \(id)"), logger: logger)
            return true
        }
    }

    public func metrics() async throws -> StoreMetrics {
        try await read { c in
            var metrics = StoreMetrics()
            for row in try await c.rows("SELECT status, COUNT(*) AS n FROM tasks GROUP BY status", logger: logger) {
                metrics.tasksByStatus[try row.get("status", as: String.self)] = try row.get("n", as: Int.self)
            }
            metrics.pendingDeliveries = try await c.value("SELECT COUNT(*) FROM webhook_inbox WHERE processed_at IS NULL", as: Int.self, logger: logger) ?? 0
            if let row = try await c.rows("\(unescaped: SQLiteStore.approvalsWaitingSQL)", logger: logger).first {
                metrics.approvalsWaiting = try row[0].decode(Int.self)
                metrics.oldestApprovalRequestedAt = try row[1].decode(Date?.self)
            }
            if let row = try await c.rows(
                "SELECT COALESCE(SUM(input_tokens), 0)::bigint AS i, COALESCE(SUM(output_tokens), 0)::bigint AS o FROM llm_calls", logger: logger
            ).first {
                metrics.inputTokens = try row.get("i")
                metrics.outputTokens = try row.get("o")
            }
            metrics.spend = try await c.rows("SELECT \(unescaped: PostgresRows.spendSums) FROM llm_calls", logger: logger).first.map(PostgresRows.spend) ?? Spend()
            let midnight = Calendar.utc.startOfDay(for: Date())
            metrics.today =
                try await c.rows("SELECT \(unescaped: PostgresRows.spendSums) FROM llm_calls WHERE at >= \(midnight)", logger: logger).first.map(PostgresRows.spend)
                ?? Spend()
            return metrics
        }
    }
}
