import Foundation
import PostgresNIO
import TowerCore

/// The freeze switch, the outbox of messages sent, and the model calls with what they cost.
extension PostgresStore {
    public func freezeState() async throws -> FreezeState {
        try await read { c in
            guard let row = try await c.rows("SELECT * FROM settings WHERE key = 'freeze'", logger: logger).first else { return FreezeState(frozen: false) }
            return FreezeState(frozen: try row.get("value", as: String.self) == "on", by: try row.get("updated_by"), at: try row.get("updated_at"))
        }
    }

    public func setFrozen(_ frozen: Bool, actor: Actor, at: Date) async throws -> FreezeState {
        try await write { c in
            try await c.run(
                """
                INSERT INTO settings (key, value, updated_by, updated_at) VALUES ('freeze', \(frozen ? "on" : "off"), \(actor.user), \(at))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """, logger: logger)
            try await c.insertCommand(frozen ? .freeze : .unfreeze, taskId: "", actor: actor, at: at, logger: logger)
            try await c.insertAudit(.decision(frozen ? "freeze" : "unfreeze", taskId: nil, by: actor, at: at), logger: logger)
            return FreezeState(frozen: frozen, by: actor.user, at: at)
        }
    }

    @discardableResult
    public func recordOutbox(_ message: OutboxMessage) async throws -> OutboxMessage {
        try await write { c in
            var stored = message
            stored.id = try await c.value(
                """
                INSERT INTO outbox (task_id, service, target, kind, text, status, error, at, effect_key)
                VALUES (\(message.taskId), \(message.service), \(message.target), \(message.kind), \(message.text), \(message.status.rawValue),
                  \(message.error), \(message.at), \(message.key))
                ON CONFLICT (effect_key) WHERE effect_key IS NOT NULL DO UPDATE SET
                  target = excluded.target, text = excluded.text, status = excluded.status, error = excluded.error, at = excluded.at
                RETURNING id
                """, as: Int64.self, logger: logger)
            try await c.insertAudit(.effect(message), logger: logger)
            return stored
        }
    }

    public func outbox(limit: Int) async throws -> [OutboxMessage] {
        try await read { c in try await c.rows("SELECT * FROM outbox ORDER BY id DESC LIMIT \(limit)", logger: logger).map(PostgresRows.outboxMessage) }
    }

    public func outboxMessage(key: String) async throws -> OutboxMessage? {
        try await read { c in try await c.rows("SELECT * FROM outbox WHERE effect_key = \(key)", logger: logger).first.map(PostgresRows.outboxMessage) }
    }

    public func outbox(taskId: String) async throws -> [OutboxMessage] {
        try await read { c in try await c.rows("SELECT * FROM outbox WHERE task_id = \(taskId) ORDER BY id", logger: logger).map(PostgresRows.outboxMessage) }
    }

    @discardableResult
    public func recordLLMCall(_ call: LLMCallRecord) async throws -> LLMCallRecord {
        try await write { c in
            var stored = call
            stored.id = try await c.value(
                """
                INSERT INTO llm_calls (task_id, step, purpose, model, system, prompt, answer, error, input_tokens, output_tokens,
                    cache_write_tokens, cache_read_tokens, cost, duration_ms, at, replayed)
                VALUES (\(call.taskId), \(call.step), \(call.purpose), \(call.model), \(call.system), \(call.prompt), \(call.answer), \(call.error),
                  \(call.inputTokens), \(call.outputTokens), \(call.cacheWriteTokens), \(call.cacheReadTokens), \(call.cost), \(call.durationMs), \(call.at),
                  \(call.replayed))
                RETURNING id
                """, as: Int64.self, logger: logger)
            return stored
        }
    }

    public func llmCalls(taskId: String) async throws -> [LLMCallRecord] {
        try await read { c in try await c.rows("SELECT * FROM llm_calls WHERE task_id = \(taskId) ORDER BY id", logger: logger).map(PostgresRows.llmCall) }
    }

    public func spend(taskId: String?, since: Date?) async throws -> Spend {
        try await read { c in
            try await c.rows(
                """
                SELECT \(unescaped: PostgresRows.spendSums) FROM llm_calls
                WHERE (\(taskId)::text IS NULL OR task_id = \(taskId)) AND (\(since)::timestamptz IS NULL OR at >= \(since))
                """, logger: logger
            ).first.map(PostgresRows.spend) ?? Spend()
        }
    }

    public func spendByTask() async throws -> (byTask: [String: Spend], latestCall: Int64) {
        try await read { c in
            var byTask: [String: Spend] = [:]
            for row in try await c.rows(
                "SELECT task_id, \(unescaped: PostgresRows.spendSums) FROM llm_calls WHERE task_id IS NOT NULL GROUP BY task_id", logger: logger)
            {
                byTask[try row.get("task_id", as: String.self)] = try PostgresRows.spend(row)
            }
            return (byTask, try await c.value("SELECT COALESCE(MAX(id), 0) FROM llm_calls", as: Int64.self, logger: logger) ?? 0)
        }
    }

    public func latestLLMCallId() async throws -> Int64 {
        try await read { c in try await c.value("SELECT COALESCE(MAX(id), 0) FROM llm_calls", as: Int64.self, logger: logger) ?? 0 }
    }
}
