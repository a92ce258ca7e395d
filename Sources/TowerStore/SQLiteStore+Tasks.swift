import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func insertTask(_ task: TowerTask, event: TaskEvent?, actor: Actor) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO tasks (\(Rows.taskColumns)) VALUES (\(Array(repeating: "?", count: Rows.taskColumnCount).joined(separator: ", ")))",
                arguments: Rows.taskArguments(task))
            if let event { _ = try db.insertEvents([event]) }
            try db.insertCommand(.start, taskId: task.id, actor: actor, at: task.createdAt)
        }
    }

    public func task(id: String) async throws -> TowerTask? {
        try await read { db in try db.fetchTask(id: id) }
    }

    public func tasks(status: TaskStatus?, limit: Int?) async throws -> [TowerTask] {
        try await read { db in
            var sql = "SELECT \(Rows.taskReadColumns) FROM tasks"
            var arguments: StatementArguments = []
            if let status {
                sql += " WHERE status = ?"
                arguments += [status.rawValue]
            }
            sql += " ORDER BY created_at DESC, id"
            if let limit {
                sql += " LIMIT ?"
                arguments += [limit]
            }
            return try Rows.all(db, sql: sql, arguments: arguments, Rows.task)
        }
    }

    public func activeTasks() async throws -> [TowerTask] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Rows.taskReadColumns) FROM tasks
                    WHERE status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget')
                    ORDER BY created_at, id
                    """
            ).map(Rows.task)
        }
    }

    public func runnableTasks(now: Date, limit: Int) async throws -> (tasks: [TowerTask], nextWake: Date?) {
        try await read { db in
            let tasks = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT \(Rows.taskReadColumns) FROM tasks
                        WHERE status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget')
                          AND (waiting_until IS NULL OR waiting_until <= ?) AND \(Halt.notHalted)
                        ORDER BY created_at, id LIMIT ?
                        """), arguments: [now.stored, limit]
            ).map(Rows.task)
            let wake = try Date.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT MIN(waiting_until) FROM tasks
                        WHERE waiting_until IS NOT NULL AND waiting_until > ?
                          AND status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget')
                        """), arguments: [now.stored])
            return (tasks, wake)
        }
    }

    /// Updates from many drivers go into one transaction (``GroupCommit``): each checked and
    /// applied in a savepoint of its own, so one refused update fails alone.
    @discardableResult
    public func apply(_ update: TaskUpdate) async throws -> [TaskEvent] {
        try await write { db in try Self.applyOne(update, db) }
    }

    /// One task update: the lease and the expected state checked, then the row, its result,
    /// artifacts, approval request and events written.
    static func applyOne(_ update: TaskUpdate, _ db: Database) throws -> [TaskEvent] {
        if let holder = update.leaseHolder {
            let current = try String.fetchOne(db.cachedStatement(sql: "SELECT holder FROM engine_lease WHERE name = 'engine'"))
            guard current == holder else { throw StoreError.leaseLost(holder: holder) }
        }
        let next = update.task
        // Only what the checks need: the writer decodes no more of the row than that.
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT status, step, claimed_by, claim_token FROM tasks WHERE id = ?"), arguments: [next.id])
        else { throw StoreError.unknownTask(next.id) }
        let status = TaskStatus(rawValue: row[0]) ?? .failed
        guard status == update.expectedStatus, (row[1] as String?).flatMap(StepKind.init(rawValue:)) == update.expectedStep else {
            throw StoreError.conflict(taskId: next.id, expected: update.expectedStatus, actual: status)
        }
        if status != next.status {
            try StoreError.checkTransition(status, next.status)
        }
        if let claim = update.claim, (row[2] as String?) != claim.worker || (row[3] as Int64?) != claim.token {
            throw StoreError.claimLost(taskId: next.id, worker: claim.worker)
        }
        // Only what a step changes: an index whose columns are not set is left alone. A task
        // left waiting or finished gives its claim back in the same commit.
        let release = next.releasesClaim
        try db.cachedStatement(
            sql: """
                UPDATE tasks SET title = ?, status = ?, current_agent = ?, progress = ?, attempts = ?, last_error = ?, step = ?,
                  failed_step = ?, cycle = ?, updated_at = ?, expires_at = ?, waiting_until = ?, waiting_for = ?, worker = ?, interruptions = ?,
                  trace_parent = ?, claimed_by = CASE WHEN ? THEN NULL ELSE claimed_by END
                WHERE id = ?
                """
        ).execute(arguments: [
            next.title, next.status.rawValue, next.currentAgent, next.progress, next.attempts, next.lastError, next.step?.rawValue,
            next.failedStep?.rawValue, next.cycle, next.updatedAt.stored, next.expiresAt.stored, next.waitingUntil.stored, next.waitingFor, next.worker,
            next.interruptions, next.traceParent,
            release, next.id,
        ])
        if let result = update.phaseResult {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO phase_results (task_id, step, cycle, output, completed_at) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [result.taskId, result.step.rawValue, result.cycle, result.output, result.completedAt.stored])
        }
        for artifact in update.artifacts { try db.insertArtifact(artifact, taskId: next.id, at: next.updatedAt) }
        if let approval = update.approvalRequest {
            try db.execute(
                sql: "INSERT INTO approvals (token, task_id, requested_at, plan_version, estimate) VALUES (?, ?, ?, ?, ?)",
                arguments: [approval.token, approval.taskId, approval.requestedAt, try Rows.json(approval.plan), try Rows.json(approval.estimate)])
        }
        return try db.insertEvents(update.events)
    }

    @discardableResult
    public func appendEvents(_ events: [TaskEvent]) async throws -> [TaskEvent] {
        guard !events.isEmpty else { return [] }
        return try await write { db in try db.insertEvents(events) }
    }

    public func events(taskId: String, after sequence: Int64?, limit: Int?) async throws -> [TaskEvent] {
        try await read { db in
            try Rows.all(
                db, sql: "SELECT * FROM events WHERE task_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                arguments: [taskId, sequence ?? 0, limit ?? -1], Rows.event)
        }
    }

    public func lastEvents(taskId: String, count: Int) async throws -> [TaskEvent] {
        try await read { db in
            try Rows.all(db, sql: "SELECT * FROM events WHERE task_id = ? ORDER BY seq DESC LIMIT ?", arguments: [taskId, count], Rows.event).reversed()
        }
    }

    public func phaseResult(taskId: String, step: StepKind, cycle: Int) async throws -> PhaseResult? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM phase_results WHERE task_id = ? AND step = ? AND cycle = ?",
                arguments: [taskId, step.rawValue, cycle]
            ).map(Rows.phaseResult)
        }
    }

    public func phaseResults(taskId: String) async throws -> [PhaseResult] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM phase_results WHERE task_id = ? ORDER BY completed_at, cycle, \(Rows.stepOrder)", arguments: [taskId]
            ).map(Rows.phaseResult)
        }
    }

    public func artifacts(taskId: String, kind: ArtifactKind?) async throws -> [Artifact] {
        try await read { db in
            if let kind {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM artifacts WHERE task_id = ? AND kind = ? ORDER BY id", arguments: [taskId, kind.rawValue]
                ).map(Rows.artifact)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM artifacts WHERE task_id = ? ORDER BY id", arguments: [taskId]).map(Rows.artifact)
        }
    }

    public func sweepExpired(now: Date, auditRetention: TimeInterval) async throws -> SweepReport {
        try await write { db in
            var report = SweepReport()
            try db.execute(
                sql: "DELETE FROM tasks WHERE expires_at < ? AND status IN ('completed', 'rejected', 'failed')", arguments: [now])
            report.tasks = db.changesCount
            try db.execute(sql: "DELETE FROM llm_calls WHERE task_id IS NOT NULL AND task_id NOT IN (SELECT id FROM tasks)")
            try db.execute(sql: "DELETE FROM sentry_fingerprints WHERE expires_at < ?", arguments: [now])
            report.fingerprints = db.changesCount
            try db.execute(
                sql: "DELETE FROM webhook_bodies WHERE delivery_id IN (SELECT delivery_id FROM webhook_inbox WHERE expires_at < ? AND processed_at IS NOT NULL)",
                arguments: [now])
            try db.execute(sql: "DELETE FROM webhook_inbox WHERE expires_at < ? AND processed_at IS NOT NULL", arguments: [now])
            report.deliveries = db.changesCount
            try db.execute(sql: "DELETE FROM audit WHERE at < ?", arguments: [now.addingTimeInterval(-max(auditRetention, AuditRetention.minimum)).stored])
            report.auditRows = db.changesCount
            return report
        }
    }
}
