import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func freezeState() async throws -> FreezeState {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM settings WHERE key = 'freeze'") else { return FreezeState(frozen: false) }
            return FreezeState(frozen: (row["value"] as String) == "on", by: row["updated_by"], at: row["updated_at"])
        }
    }

    public func setFrozen(_ frozen: Bool, actor: Actor, at: Date) async throws -> FreezeState {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO settings (key, value, updated_by, updated_at) VALUES ('freeze', ?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                    """,
                arguments: [frozen ? "on" : "off", actor.user, at])
            try db.insertCommand(frozen ? .freeze : .unfreeze, taskId: "", actor: actor, at: at)
            try db.insertAudit(.decision(frozen ? "freeze" : "unfreeze", taskId: nil, by: actor, at: at))
            return FreezeState(frozen: frozen, by: actor.user, at: at)
        }
    }

    @discardableResult
    public func recordOutbox(_ message: OutboxMessage) async throws -> OutboxMessage {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO outbox (task_id, service, target, kind, text, status, error, at, effect_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(effect_key) WHERE effect_key IS NOT NULL DO UPDATE SET
                      target = excluded.target, text = excluded.text, status = excluded.status, error = excluded.error, at = excluded.at
                    """,
                arguments: [
                    message.taskId, message.service, message.target, message.kind, message.text, message.status.rawValue, message.error, message.at,
                    message.key,
                ])
            try db.insertAudit(.effect(message))
            var stored = message
            if let key = message.key {
                stored.id = try Int64.fetchOne(db, sql: "SELECT id FROM outbox WHERE effect_key = ?", arguments: [key])
            } else {
                stored.id = db.lastInsertedRowID
            }
            return stored
        }
    }

    public func outbox(limit: Int) async throws -> [OutboxMessage] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.outboxMessage)
        }
    }

    public func outboxMessage(key: String) async throws -> OutboxMessage? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE effect_key = ?", arguments: [key]).map(Self.outboxMessage)
        }
    }

    public func outbox(taskId: String) async throws -> [OutboxMessage] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE task_id = ? ORDER BY id", arguments: [taskId]).map(Self.outboxMessage)
        }
    }

    static func outboxMessage(_ row: Row) -> OutboxMessage {
        OutboxMessage(
            id: row["id"], taskId: row["task_id"], service: row["service"], target: row["target"], kind: row["kind"], text: row["text"],
            status: OutboxMessage.Status(rawValue: row["status"]) ?? .failed, error: row["error"], at: row["at"], key: row["effect_key"])
    }

    @discardableResult
    public func recordLLMCall(_ call: LLMCallRecord) async throws -> LLMCallRecord {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO llm_calls (task_id, step, purpose, model, system, prompt, answer, error, input_tokens, output_tokens,
                        cache_write_tokens, cache_read_tokens, cost, duration_ms, at, replayed)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    call.taskId, call.step, call.purpose, call.model, call.system, call.prompt, call.answer, call.error, call.inputTokens,
                    call.outputTokens, call.cacheWriteTokens, call.cacheReadTokens, call.cost, call.durationMs, call.at, call.replayed,
                ])
            var stored = call
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    public func spend(taskId: String?, since: Date?) async throws -> Spend {
        try await read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT \(Spend.sums) FROM llm_calls WHERE (? IS NULL OR task_id = ?) AND (? IS NULL OR at >= ?)",
                arguments: [taskId, taskId, since, since])
            return row.map(Spend.init(row:)) ?? Spend()
        }
    }

    public func spendByTask() async throws -> (byTask: [String: Spend], latestCall: Int64) {
        try await read { db in
            var byTask: [String: Spend] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT task_id, \(Spend.sums) FROM llm_calls WHERE task_id IS NOT NULL GROUP BY task_id")
            {
                byTask[row["task_id"]] = Spend(row: row)
            }
            return (byTask, try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM llm_calls") ?? 0)
        }
    }

    public func latestLLMCallId() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM llm_calls") ?? 0 }
    }

    public func llmCalls(taskId: String) async throws -> [LLMCallRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM llm_calls WHERE task_id = ? ORDER BY id", arguments: [taskId]).map { row in
                LLMCallRecord(
                    id: row["id"], taskId: row["task_id"], step: row["step"], purpose: row["purpose"], model: row["model"], system: row["system"],
                    prompt: row["prompt"], answer: row["answer"], error: row["error"], inputTokens: row["input_tokens"],
                    outputTokens: row["output_tokens"], cacheWriteTokens: row["cache_write_tokens"], cacheReadTokens: row["cache_read_tokens"], cost: row["cost"],
                    durationMs: row["duration_ms"], at: row["at"], replayed: row["replayed"])
            }
        }
    }

    public func events(taskId: String, before sequence: Int64, limit: Int) async throws -> [TaskEvent] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM events WHERE task_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?", arguments: [taskId, sequence, limit]
            ).map(Rows.event).reversed()
        }
    }

    public func eventCount(taskId: String) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE task_id = ?", arguments: [taskId]) ?? 0 }
    }

    public func milestones(taskId: String) async throws -> [TaskEvent] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE task_id = ? AND milestone = 1 ORDER BY seq", arguments: [taskId]).map(Rows.event)
        }
    }

    public func tasks(updatedSince date: Date) async throws -> [TowerTask] {
        try await read { db in
            try Rows.all(db, sql: "SELECT \(Rows.taskReadColumns) FROM tasks WHERE updated_at >= ? ORDER BY updated_at", arguments: [date], Rows.task)
        }
    }
}
