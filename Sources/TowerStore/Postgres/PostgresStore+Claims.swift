import Foundation
import PostgresNIO
import TowerCore

/// Claims per task on PostgreSQL: the free rows are locked with `FOR UPDATE SKIP LOCKED`, and
/// claims take turns on a transaction-scoped advisory lock. Without the turns, a claim whose
/// statement began before another's commit re-checks a row the other just took against its
/// older snapshot, where the other's worker row (upserted in that same transaction) is not yet
/// live, and takes the task too: two workers on one task, seen under load as a fencing token of
/// 3 where 2 was due. A claim is one short statement, so the turns cost little. A claim lives
/// as long as its worker's heartbeat: renewing writes the worker's row only, never a task's, so
/// it never waits on (or deadlocks with) a step's commit.
extension PostgresStore {
    public func claimTasks(for worker: WorkerRecord, limit: Int, ttl: TimeInterval) async throws -> (claimed: [ClaimedTask], nextWake: Date?) {
        try await write { c in
            // Taken first, so that the claim's statement sees every earlier claim committed.
            try await c.run("SELECT pg_advisory_xact_lock(\(PostgresStore.claimLockClass), 0)", logger: logger)
            let now = worker.heartbeatAt
            try await c.upsertWorker(worker, ttl: ttl, held: nil, logger: logger)
            let limit = try await c.roomUnderGlobalLimit(limit, now: now, logger: logger)
            var claimed: [ClaimedTask] = []
            if limit > 0 {
                for row in try await c.rows(
                    """
                    UPDATE tasks SET claimed_by = \(worker.id), claim_token = claim_token + 1
                    WHERE id IN (
                      SELECT id FROM tasks
                      WHERE \(unescaped: Self.activeCondition) AND (waiting_until IS NULL OR waiting_until <= \(now))
                        AND \(unescaped: Halt.notHalted) AND (claimed_by IS NULL OR NOT EXISTS (
                          SELECT 1 FROM workers w WHERE w.id = tasks.claimed_by AND w.stopped_at IS NULL AND w.expires_at > \(now)))
                      ORDER BY created_at, id LIMIT \(limit)
                      FOR UPDATE SKIP LOCKED)
                    RETURNING \(unescaped: Rows.taskReadColumns), claim_token
                    """, logger: logger)
                {
                    claimed.append(ClaimedTask(task: try PostgresRows.task(row), claim: TaskClaim(worker: worker.id, token: try row[24].decode(Int64.self))))
                }
            }
            claimed.sort { ($0.task.createdAt, $0.task.id) < ($1.task.createdAt, $1.task.id) }
            let wake = try await c.value(
                "SELECT MIN(waiting_until) FROM tasks WHERE waiting_until IS NOT NULL AND waiting_until > \(now) AND \(unescaped: Self.activeCondition)",
                as: Date?.self, logger: logger) ?? nil
            return (claimed, wake)
        }
    }

    public func heartbeat(_ worker: WorkerRecord, ttl: TimeInterval) async throws -> [String] {
        try await write { c in
            var held: [String] = []
            if worker.stoppedAt != nil {
                try await c.run("UPDATE tasks SET claimed_by = NULL WHERE claimed_by = \(worker.id)", logger: logger)
            } else {
                held = try await c.values("SELECT id FROM tasks WHERE claimed_by = \(worker.id) ORDER BY id", as: String.self, logger: logger)
            }
            try await c.upsertWorker(worker, ttl: ttl, held: held.count, logger: logger)
            return held
        }
    }

    public func releaseClaim(taskId: String, worker: String) async throws {
        _ = try await write { c in
            try await c.run("UPDATE tasks SET claimed_by = NULL WHERE id = \(taskId) AND claimed_by = \(worker) RETURNING 1", logger: logger)
        }
    }

    public func workers() async throws -> [WorkerRecord] {
        try await read { c in
            try await c.rows("SELECT * FROM workers ORDER BY heartbeat_at DESC, id", logger: logger).map { row in
                WorkerRecord(
                    id: try row.get("id"), host: try row.get("host"), pid: Int32(try row.get("pid", as: Int.self)), startedAt: try row.get("started_at"),
                    heartbeatAt: try row.get("heartbeat_at"), expiresAt: try row.get("expires_at"), tasksHeld: try row.get("tasks_held"),
                    stoppedAt: try row.get("stopped_at"))
            }
        }
    }

    public func claim(taskId: String) async throws -> TaskClaim? {
        try await read { c in
            try await c.rows("SELECT claimed_by, claim_token FROM tasks WHERE id = \(taskId) AND claimed_by IS NOT NULL", logger: logger).first.map {
                TaskClaim(worker: try $0.get("claimed_by"), token: try $0.get("claim_token"))
            }
        }
    }
}

extension PostgresConnection {
    /// A worker's row as its heartbeat leaves it (`held`: its count of tasks, when known).
    func upsertWorker(_ worker: WorkerRecord, ttl: TimeInterval, held: Int?, logger: Logger) async throws {
        try await run(
            """
            INSERT INTO workers (id, host, pid, started_at, heartbeat_at, expires_at, tasks_held, stopped_at)
            VALUES (\(worker.id), \(worker.host), \(Int(worker.pid)), \(worker.startedAt), \(worker.heartbeatAt),
              \(worker.heartbeatAt.addingTimeInterval(ttl)), \(held ?? worker.tasksHeld), \(worker.stoppedAt))
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at,
              tasks_held = CASE WHEN \(held != nil) THEN excluded.tasks_held ELSE workers.tasks_held END, stopped_at = excluded.stopped_at
            """, logger: logger)
    }
}

/// The limit of all workers together: the `settings` row `max_tasks`. Claims take their turns
/// (``claimTasks(for:limit:ttl:)``), so two workers claiming at once cannot both count the same
/// free room.
extension PostgresStore {
    /// The advisory lock class that serializes claims.
    static let claimLockClass: Int32 = 0x434C

    public func globalTaskLimit() async throws -> Int? {
        try await read { c in try await c.globalTaskLimit(logger: logger) }
    }

    public func setGlobalTaskLimit(_ limit: Int?, actor: Actor, at: Date) async throws {
        _ = try await write { c in
            try await c.run(
                """
                INSERT INTO settings (key, value, updated_by, updated_at) VALUES ('max_tasks', \(limit.map(String.init) ?? "off"), \(actor.user), \(at))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """, logger: logger)
            try await c.insertAudit(.decision("limit", taskId: nil, by: actor, at: at, detail: OperatorRules.limitDetail(limit)), logger: logger)
        }
    }
}

extension PostgresConnection {
    func globalTaskLimit(logger: Logger) async throws -> Int? {
        try await value("SELECT value FROM settings WHERE key = 'max_tasks'", as: String.self, logger: logger).flatMap(Int.init)
    }

    /// How many more tasks the global limit lets the workers claim now.
    func roomUnderGlobalLimit(_ wanted: Int, now: Date, logger: Logger) async throws -> Int {
        guard let global = try await globalTaskLimit(logger: logger) else { return wanted }
        let held =
            try await value(
                "SELECT COUNT(*) FROM tasks JOIN workers w ON w.id = tasks.claimed_by WHERE w.stopped_at IS NULL AND w.expires_at > \(now)", as: Int.self,
                logger: logger) ?? 0
        return max(0, min(wanted, global - held))
    }
}
