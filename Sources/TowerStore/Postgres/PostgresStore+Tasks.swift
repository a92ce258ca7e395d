import Foundation
import PostgresNIO
import TowerCore

/// What the engine, the board and the log read and write: tasks, their steps and their log.
extension PostgresStore {
    /// The statuses the engine drives, as SQL (the partial index `tasks_runnable` is on the same).
    static let activeCondition = "status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget')"

    public func insertTask(_ task: TowerTask, event: TaskEvent?, actor: Actor) async throws {
        try await write { c in
            try await c.run(
                PostgresQuery(
                    unsafeSQL: "INSERT INTO tasks (\(Rows.taskColumns)) VALUES (\((1...Rows.taskColumnCount).map { "$\($0)" }.joined(separator: ", ")))",
                    binds: PostgresRows.taskBinds(task)), logger: logger)
            if let event { _ = try await c.insertEvents([event], logger: logger) }
            try await c.insertCommand(.start, taskId: task.id, actor: actor, at: task.createdAt, logger: logger)
        }
    }

    public func task(id: String) async throws -> TowerTask? {
        try await read { c in try await c.fetchTask(id: id, logger: logger) }
    }

    public func tasks(status: TaskStatus?, limit: Int?) async throws -> [TowerTask] {
        try await read { c in
            try await c.rows(
                "SELECT \(unescaped: Rows.taskReadColumns) FROM tasks WHERE (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)) ORDER BY created_at DESC, id LIMIT \(limit)",
                logger: logger
            ).map(PostgresRows.task)
        }
    }

    public func activeTasks() async throws -> [TowerTask] {
        try await read { c in
            try await c.rows("SELECT \(unescaped: Rows.taskReadColumns) FROM tasks WHERE \(unescaped: Self.activeCondition) ORDER BY created_at, id", logger: logger)
                .map(PostgresRows.task)
        }
    }

    public func runnableTasks(now: Date, limit: Int) async throws -> (tasks: [TowerTask], nextWake: Date?) {
        try await read { c in
            let tasks = try await c.rows(
                """
                SELECT \(unescaped: Rows.taskReadColumns) FROM tasks
                WHERE \(unescaped: Self.activeCondition) AND (waiting_until IS NULL OR waiting_until <= \(now)) AND \(unescaped: Halt.notHalted)
                ORDER BY created_at, id LIMIT \(limit)
                """, logger: logger
            ).map(PostgresRows.task)
            let wake = try await c.value(
                "SELECT MIN(waiting_until) FROM tasks WHERE waiting_until IS NOT NULL AND waiting_until > \(now) AND \(unescaped: Self.activeCondition)",
                as: Date?.self, logger: logger) ?? nil
            return (tasks, wake)
        }
    }

    @discardableResult
    public func apply(_ update: TaskUpdate) async throws -> [TaskEvent] {
        try await batchedWrite { c in try await self.applyOne(update, c) }
    }

    /// One task update: the lease (shared-locked, so a takeover waits for this commit) and the
    /// task's row (locked) checked, then the row, its result, artifacts, approval request and
    /// events written.
    func applyOne(_ update: TaskUpdate, _ c: PostgresConnection) async throws -> [TaskEvent] {
        if let holder = update.leaseHolder {
            let current = try await c.value("SELECT holder FROM engine_lease WHERE name = 'engine' FOR SHARE", as: String.self, logger: logger)
            guard current == holder else { throw StoreError.leaseLost(holder: holder) }
        }
        let next = update.task
        // Everything that can refuse the update comes before its first write (the group commit
        // relies on it): the checks, and the approval request's columns.
        let plan = try Rows.json(update.approvalRequest?.plan)
        let estimate = try Rows.json(update.approvalRequest?.estimate)
        guard
            let row = try await c.rows(
                "SELECT \(unescaped: Rows.taskReadColumns), claimed_by, claim_token FROM tasks WHERE id = \(next.id) FOR UPDATE", logger: logger
            ).first
        else { throw StoreError.unknownTask(next.id) }
        let stored = try PostgresRows.task(row)
        guard stored.status == update.expectedStatus, stored.step == update.expectedStep else {
            throw StoreError.conflict(taskId: next.id, expected: update.expectedStatus, actual: stored.status)
        }
        if stored.status != next.status {
            try StoreError.checkTransition(stored.status, next.status)
        }
        if let claim = update.claim {
            guard try row[24].decode(String?.self) == claim.worker, try row[25].decode(Int64.self) == claim.token else {
                throw StoreError.claimLost(taskId: next.id, worker: claim.worker)
            }
        }
        // A task left waiting or finished gives its claim back in the same commit.
        let release = next.releasesClaim
        try await c.run(
            """
            UPDATE tasks SET title = \(next.title), status = \(next.status.rawValue), current_agent = \(next.currentAgent), progress = \(next.progress),
              attempts = \(next.attempts), last_error = \(next.lastError), step = \(next.step?.rawValue), failed_step = \(next.failedStep?.rawValue),
              cycle = \(next.cycle), updated_at = \(next.updatedAt), expires_at = \(next.expiresAt), waiting_until = \(next.waitingUntil),
              waiting_for = \(next.waitingFor), worker = \(next.worker), interruptions = \(next.interruptions),
              trace_parent = \(next.traceParent), claimed_by = CASE WHEN \(release) THEN NULL ELSE claimed_by END
            WHERE id = \(next.id)
            """, logger: logger)
        if let result = update.phaseResult {
            try await c.run(
                """
                INSERT INTO phase_results (task_id, step, cycle, output, completed_at)
                VALUES (\(result.taskId), \(result.step.rawValue), \(result.cycle), \(result.output), \(result.completedAt))
                ON CONFLICT (task_id, step, cycle) DO UPDATE SET output = excluded.output, completed_at = excluded.completed_at
                """, logger: logger)
        }
        for artifact in update.artifacts { try await c.insertArtifact(artifact, taskId: next.id, at: next.updatedAt, logger: logger) }
        if let approval = update.approvalRequest {
            try await c.run(
                """
                INSERT INTO approvals (token, task_id, requested_at, plan_version, estimate)
                VALUES (\(approval.token), \(approval.taskId), \(approval.requestedAt), \(plan), \(estimate))
                """, logger: logger)
        }
        return try await c.insertEvents(update.events, logger: logger)
    }

    @discardableResult
    public func appendEvents(_ events: [TaskEvent]) async throws -> [TaskEvent] {
        guard !events.isEmpty else { return [] }
        return try await write { c in try await c.insertEvents(events, logger: logger) }
    }

    public func events(taskId: String, after sequence: Int64?, limit: Int?) async throws -> [TaskEvent] {
        try await read { c in
            try await c.rows("SELECT * FROM events WHERE task_id = \(taskId) AND seq > \(sequence ?? 0) ORDER BY seq LIMIT \(limit)", logger: logger)
                .map(PostgresRows.event)
        }
    }

    public func lastEvents(taskId: String, count: Int) async throws -> [TaskEvent] {
        try await read { c in
            try await c.rows("SELECT * FROM events WHERE task_id = \(taskId) ORDER BY seq DESC LIMIT \(count)", logger: logger).map(PostgresRows.event).reversed()
        }
    }

    public func events(taskId: String, before sequence: Int64, limit: Int) async throws -> [TaskEvent] {
        try await read { c in
            try await c.rows("SELECT * FROM events WHERE task_id = \(taskId) AND seq < \(sequence) ORDER BY seq DESC LIMIT \(limit)", logger: logger)
                .map(PostgresRows.event).reversed()
        }
    }

    public func eventCount(taskId: String) async throws -> Int {
        try await read { c in try await c.value("SELECT COUNT(*) FROM events WHERE task_id = \(taskId)", as: Int.self, logger: logger) ?? 0 }
    }

    public func milestones(taskId: String) async throws -> [TaskEvent] {
        try await read { c in
            try await c.rows("SELECT * FROM events WHERE task_id = \(taskId) AND milestone ORDER BY seq", logger: logger).map(PostgresRows.event)
        }
    }

    public func tasks(updatedSince date: Date) async throws -> [TowerTask] {
        try await read { c in
            try await c.rows("SELECT \(unescaped: Rows.taskReadColumns) FROM tasks WHERE updated_at >= \(date) ORDER BY updated_at", logger: logger)
                .map(PostgresRows.task)
        }
    }

    public func phaseResult(taskId: String, step: StepKind, cycle: Int) async throws -> PhaseResult? {
        try await read { c in
            try await c.rows(
                "SELECT * FROM phase_results WHERE task_id = \(taskId) AND step = \(step.rawValue) AND cycle = \(cycle)", logger: logger
            ).first.map(PostgresRows.phaseResult)
        }
    }

    public func phaseResults(taskId: String) async throws -> [PhaseResult] {
        try await read { c in
            try await c.rows("SELECT * FROM phase_results WHERE task_id = \(taskId) ORDER BY completed_at, cycle, \(unescaped: Rows.stepOrder)", logger: logger).map(PostgresRows.phaseResult)
        }
    }

    public func artifacts(taskId: String, kind: ArtifactKind?) async throws -> [Artifact] {
        try await read { c in
            try await c.rows(
                "SELECT * FROM artifacts WHERE task_id = \(taskId) AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue)) ORDER BY id", logger: logger
            ).map(PostgresRows.artifact)
        }
    }

    public func sweepExpired(now: Date, auditRetention: TimeInterval) async throws -> SweepReport {
        try await write { c in
            var report = SweepReport()
            report.tasks = try await c.run(
                "DELETE FROM tasks WHERE expires_at < \(now) AND status IN ('completed', 'rejected', 'failed') RETURNING 1", logger: logger)
            try await c.run("DELETE FROM llm_calls WHERE task_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tasks WHERE tasks.id = llm_calls.task_id)", logger: logger)
            report.fingerprints = try await c.run("DELETE FROM sentry_fingerprints WHERE expires_at < \(now) RETURNING 1", logger: logger)
            report.deliveries = try await c.run(
                "DELETE FROM webhook_inbox WHERE expires_at < \(now) AND processed_at IS NOT NULL RETURNING 1", logger: logger)
            let cutoff = now.addingTimeInterval(-max(auditRetention, AuditRetention.minimum))
            report.auditRows = try await c.run("DELETE FROM audit WHERE at < \(cutoff) RETURNING 1", logger: logger)
            return report
        }
    }
}

extension PostgresConnection {
    /// One task; with `forUpdate`, its row stays locked until the transaction ends.
    func fetchTask(id: String, forUpdate: Bool = false, logger: Logger) async throws -> TowerTask? {
        try await rows(
            "SELECT \(unescaped: Rows.taskReadColumns) FROM tasks WHERE id = \(id)\(unescaped: forUpdate ? " FOR UPDATE" : "")", logger: logger
        ).first.map(PostgresRows.task)
    }

    /// Stores log lines in one statement; returns them with their sequence numbers (given in
    /// the order the lines are inserted, which the `ORDER BY` of their position fixes).
    func insertEvents(_ events: [TaskEvent], logger: Logger) async throws -> [TaskEvent] {
        guard !events.isEmpty else { return [] }
        let sequences = try await values(
            """
            INSERT INTO events (task_id, at, level, agent, message, milestone)
            SELECT task_id, at, level, agent, message, milestone
            FROM unnest(\(events.map(\.taskId))::text[], \(events.map(\.at))::timestamptz[], \(events.map(\.level.rawValue))::text[],
                        \(events.map(\.agent))::text[], \(events.map(\.message))::text[], \(events.map(\.milestone))::boolean[])
                 WITH ORDINALITY AS line(task_id, at, level, agent, message, milestone, position)
            ORDER BY position
            RETURNING seq
            """, as: Int64.self, logger: logger
        ).sorted()
        return zip(events, sequences).map { event, sequence in
            var stored = event
            stored.sequence = sequence
            return stored
        }
    }

    /// Records an operator command (the engine wakes when the highest number grows).
    func insertCommand(_ kind: OperatorCommand.Kind, taskId: String, actor: Actor, at: Date, logger: Logger) async throws {
        try await run(
            "INSERT INTO commands (kind, task_id, \"user\", channel, at) VALUES (\(kind.rawValue), \(taskId), \(actor.user), \(actor.channel.rawValue), \(at))",
            logger: logger)
        try await notify(PostgresStore.commandsChannel, logger: logger)
    }

    /// Stores an artifact as the next version of its kind and name (the task's row is locked by
    /// the caller, so two versions cannot take the same number).
    func insertArtifact(_ artifact: ArtifactDraft, taskId: String, at: Date, logger: Logger) async throws {
        try await run(
            """
            INSERT INTO artifacts (task_id, kind, name, version, content, created_at)
            SELECT \(taskId), \(artifact.kind.rawValue), \(artifact.name), COALESCE(MAX(version), 0) + 1, \(artifact.content), \(at)
            FROM artifacts WHERE task_id = \(taskId) AND kind = \(artifact.kind.rawValue) AND name = \(artifact.name)
            """, logger: logger)
    }
}
