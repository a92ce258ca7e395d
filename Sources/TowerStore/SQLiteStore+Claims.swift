import Foundation
import GRDB
import TowerCore

/// Claims per task on SQLite: the same promises as on PostgreSQL, kept by SQLite's one writer
/// (every claim is an IMMEDIATE transaction, so two claimers never see the same free task).
extension SQLiteStore {
    public func claimTasks(for worker: WorkerRecord, limit: Int, ttl: TimeInterval) async throws -> (claimed: [ClaimedTask], nextWake: Date?) {
        try await write { db in
            let now = worker.heartbeatAt
            try db.upsertWorker(worker, ttl: ttl, held: nil)
            let limit = try db.roomUnderGlobalLimit(limit, now: now)
            let rows =
                limit <= 0
                ? []
                : try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            UPDATE tasks SET claimed_by = ?, claim_token = claim_token + 1
                            WHERE id IN (
                              SELECT id FROM tasks
                              WHERE status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget')
                                AND (waiting_until IS NULL OR waiting_until <= ?) AND \(Halt.notHalted)
                                AND (claimed_by IS NULL OR NOT EXISTS (
                                  SELECT 1 FROM workers w WHERE w.id = tasks.claimed_by AND w.stopped_at IS NULL AND w.expires_at > ?))
                              ORDER BY created_at, id LIMIT ?)
                            RETURNING \(Rows.taskReadColumns), claim_token
                            """), arguments: [worker.id, now, now, limit])
            let claimed = rows.map { row in ClaimedTask(task: Rows.task(row), claim: TaskClaim(worker: worker.id, token: row[24])) }
                .sorted { ($0.task.createdAt, $0.task.id) < ($1.task.createdAt, $1.task.id) }
            let wake = try Date.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT MIN(waiting_until) FROM tasks
                        WHERE waiting_until IS NOT NULL AND waiting_until > ?
                          AND status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget')
                        """), arguments: [now])
            return (claimed, wake)
        }
    }

    public func heartbeat(_ worker: WorkerRecord, ttl: TimeInterval) async throws -> [String] {
        try await write { db in
            var held: [String] = []
            if worker.stoppedAt != nil {
                try db.execute(sql: "UPDATE tasks SET claimed_by = NULL WHERE claimed_by = ?", arguments: [worker.id])
            } else {
                held = try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM tasks WHERE claimed_by = ? ORDER BY id"), arguments: [worker.id])
            }
            try db.upsertWorker(worker, ttl: ttl, held: held.count)
            return held
        }
    }

    public func releaseClaim(taskId: String, worker: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE tasks SET claimed_by = NULL WHERE id = ? AND claimed_by = ?", arguments: [taskId, worker])
        }
    }

    public func workers() async throws -> [WorkerRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM workers ORDER BY heartbeat_at DESC, id").map { row in
                WorkerRecord(
                    id: row["id"], host: row["host"], pid: row["pid"], startedAt: row["started_at"], heartbeatAt: row["heartbeat_at"],
                    expiresAt: row["expires_at"], tasksHeld: row["tasks_held"], stoppedAt: row["stopped_at"])
            }
        }
    }

    public func claim(taskId: String) async throws -> TaskClaim? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT claimed_by, claim_token FROM tasks WHERE id = ? AND claimed_by IS NOT NULL", arguments: [taskId]).map {
                TaskClaim(worker: $0["claimed_by"], token: $0["claim_token"])
            }
        }
    }
}

extension Database {
    /// A worker's row as its heartbeat leaves it (`held`: its count of tasks, when known).
    func upsertWorker(_ worker: WorkerRecord, ttl: TimeInterval, held: Int?) throws {
        try cachedStatement(
            sql: """
                INSERT INTO workers (id, host, pid, started_at, heartbeat_at, expires_at, tasks_held, stopped_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at,
                  tasks_held = CASE WHEN ? THEN excluded.tasks_held ELSE workers.tasks_held END, stopped_at = excluded.stopped_at
                """
        ).execute(arguments: [
            worker.id, worker.host, worker.pid, worker.startedAt, worker.heartbeatAt, worker.heartbeatAt.addingTimeInterval(ttl), held ?? worker.tasksHeld,
            worker.stoppedAt, held != nil,
        ])
    }
}

/// The limit of all workers together: the `settings` row `max_tasks`.
extension SQLiteStore {
    public func globalTaskLimit() async throws -> Int? {
        try await read { db in try db.globalTaskLimit() }
    }

    public func setGlobalTaskLimit(_ limit: Int?, actor: Actor, at: Date) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO settings (key, value, updated_by, updated_at) VALUES ('max_tasks', ?, ?, ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                    """, arguments: [limit.map(String.init) ?? "off", actor.user, at])
            try db.insertAudit(.decision("limit", taskId: nil, by: actor, at: at, detail: OperatorRules.limitDetail(limit)))
        }
    }
}

extension Database {
    func globalTaskLimit() throws -> Int? {
        try String.fetchOne(cachedStatement(sql: "SELECT value FROM settings WHERE key = 'max_tasks'")).flatMap(Int.init)
    }

    /// How many more tasks `limit` lets the workers claim now (live workers' claims count).
    func roomUnderGlobalLimit(_ wanted: Int, now: Date) throws -> Int {
        guard let global = try globalTaskLimit() else { return wanted }
        let held = try Int.fetchOne(
            cachedStatement(
                sql: """
                    SELECT COUNT(*) FROM tasks JOIN workers w ON w.id = tasks.claimed_by
                    WHERE w.stopped_at IS NULL AND w.expires_at > ?
                    """), arguments: [now]) ?? 0
        return max(0, min(wanted, global - held))
    }
}
