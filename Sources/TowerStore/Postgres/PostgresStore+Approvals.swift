import Foundation
import PostgresNIO
import TowerCore

/// Decisions, retries and budgets: every one takes the task's row lock first, so of any number
/// of callers on any number of hosts exactly one decides, and the rest see its decision.
extension PostgresStore {
    public func approval(taskId: String) async throws -> Approval? {
        try await read { c in try await c.latestApproval(taskId: taskId, logger: logger) }
    }

    public func updatePendingPlan(taskId: String, plan: PlanVersion, artifacts: [ArtifactDraft], events: [TaskEvent], at: Date) async throws -> Bool {
        try await write { c in
            guard let task = try await c.fetchTask(id: taskId, forUpdate: true, logger: logger), task.status == .awaitingApproval,
                let latest = try await c.latestApproval(taskId: taskId, logger: logger), !latest.isDecided
            else { return false }
            let changed = try await c.run(
                "UPDATE approvals SET plan_version = \(try Rows.json(plan)) WHERE token = \(latest.token) AND decision IS NULL RETURNING 1", logger: logger)
            guard changed == 1 else { return false }
            for artifact in artifacts { try await c.insertArtifact(artifact, taskId: taskId, at: at, logger: logger) }
            _ = try await c.insertEvents(events, logger: logger)
            return true
        }
    }

    public func decide(taskId: String, decision: ApprovalDecision, actor: Actor, reason: String?, at: Date) async throws -> DecisionOutcome {
        try await write { c in
            guard let task = try await c.fetchTask(id: taskId, forUpdate: true, logger: logger) else { throw StoreError.unknownTask(taskId) }
            let latest = try await c.latestApproval(taskId: taskId, logger: logger)
            if let latest, latest.isDecided { return .alreadyDecided(latest) }
            guard task.status == .awaitingApproval, let approval = latest else {
                throw StoreError.notAwaitingApproval(taskId: taskId, status: task.status)
            }
            let changed = try await c.run(
                """
                UPDATE approvals SET decision = \(decision.rawValue), decided_by = \(actor.user), channel = \(actor.channel.rawValue),
                  reason = \(reason), decided_at = \(at)
                WHERE token = \(approval.token) AND decision IS NULL RETURNING 1
                """, logger: logger)
            guard changed == 1 else {
                // Unreachable while the task's row is locked; answered safely all the same.
                return .alreadyDecided(try await c.latestApproval(taskId: taskId, logger: logger) ?? approval)
            }
            let decided = try OperatorRules.decide(task, approval: approval, decision: decision, actor: actor, reason: reason, at: at)
            let next = decided.task
            try await c.run(
                """
                UPDATE tasks SET status = \(next.status.rawValue), step = \(next.step?.rawValue), updated_at = \(at), expires_at = \(next.expiresAt),
                  budget = \(next.budget) WHERE id = \(taskId)
                """, logger: logger)
            _ = try await c.insertEvents([decided.event], logger: logger)
            try await c.insertCommand(decision == .approved ? .approve : .reject, taskId: taskId, actor: actor, at: at, logger: logger)
            try await c.insertAudit(
                .decision(decision == .approved ? "approve" : "reject", taskId: taskId, by: actor, at: at, note: reason, plan: approval.plan), logger: logger)
            return .decided(decided.approval)
        }
    }

    public func retry(taskId: String, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { c in
            guard let task = try await c.fetchTask(id: taskId, forUpdate: true, logger: logger) else { throw StoreError.unknownTask(taskId) }
            let (next, event) = try OperatorRules.retry(task, actor: actor, at: at)
            try await c.run(
                """
                UPDATE tasks SET status = \(next.status.rawValue), step = \(next.step?.rawValue), failed_step = NULL, attempts = 0, updated_at = \(at),
                  expires_at = \(next.expiresAt) WHERE id = \(taskId) AND status = 'failed'
                """, logger: logger)
            _ = try await c.insertEvents([event], logger: logger)
            try await c.insertCommand(.retry, taskId: taskId, actor: actor, at: at, logger: logger)
            try await c.insertAudit(.decision("retry", taskId: taskId, by: actor, at: at, detail: "resumes at \(next.step?.rawValue ?? "discovery")"), logger: logger)
            return next
        }
    }

    public func latestCommandSequence() async throws -> Int64 {
        try await read { c in try await c.value("SELECT COALESCE(MAX(seq), 0) FROM commands", as: Int64.self, logger: logger) ?? 0 }
    }

    public func commands(after sequence: Int64) async throws -> [OperatorCommand] {
        try await read { c in try await c.rows("SELECT * FROM commands WHERE seq > \(sequence) ORDER BY seq", logger: logger).map(PostgresRows.command) }
    }

    public func grantBudget(taskId: String, amount: Double, base: Double?, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { c in
            guard let task = try await c.fetchTask(id: taskId, forUpdate: true, logger: logger) else { throw StoreError.unknownTask(taskId) }
            let (next, event) = try OperatorRules.grantBudget(task, amount: amount, base: base, actor: actor, at: at)
            try await c.run(
                """
                UPDATE tasks SET status = \(next.status.rawValue), waiting_for = \(next.waitingFor), budget = \(next.budget), updated_at = \(at)
                WHERE id = \(taskId)
                """, logger: logger)
            _ = try await c.insertEvents([event], logger: logger)
            try await c.insertCommand(.budget, taskId: taskId, actor: actor, at: at, logger: logger)
            try await c.insertAudit(
                .decision("budget_grant", taskId: taskId, by: actor, at: at, detail: OperatorRules.grantDetail(amount: amount, budget: next.budget)), logger: logger)
            return next
        }
    }

    public func stopAtBudget(taskId: String, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { c in
            guard let task = try await c.fetchTask(id: taskId, forUpdate: true, logger: logger) else { throw StoreError.unknownTask(taskId) }
            let (next, event) = try OperatorRules.stopAtBudget(task, actor: actor, at: at)
            try await c.run(
                """
                UPDATE tasks SET status = 'failed', failed_step = \(next.failedStep?.rawValue), step = NULL, last_error = \(next.lastError), waiting_for = NULL,
                  updated_at = \(at) WHERE id = \(taskId) AND status = 'awaiting_budget'
                """, logger: logger)
            _ = try await c.insertEvents([event], logger: logger)
            try await c.insertCommand(.budget, taskId: taskId, actor: actor, at: at, logger: logger)
            try await c.insertAudit(.decision("budget_stop", taskId: taskId, by: actor, at: at), logger: logger)
            return next
        }
    }

    public func dailyBudgetExtra(day: Date) async throws -> Double {
        try await read { c in try await c.value("SELECT extra FROM budget_days WHERE day = \(Calendar.utc.dayKey(day))", as: Double.self, logger: logger) ?? 0 }
    }

    public func grantDailyBudget(amount: Double, actor: Actor, at: Date) async throws -> (extra: Double, woken: [String]) {
        try await write { c in
            let extra =
                try await c.value(
                    """
                    INSERT INTO budget_days (day, extra) VALUES (\(Calendar.utc.dayKey(at)), \(amount))
                    ON CONFLICT (day) DO UPDATE SET extra = budget_days.extra + excluded.extra RETURNING extra
                    """, as: Double.self, logger: logger) ?? amount
            let pattern = OperatorRules.dailyParkedPattern
            let woken = try await c.values(
                "SELECT id FROM tasks WHERE waiting_until IS NOT NULL AND waiting_for LIKE \(pattern) ESCAPE '\\' ORDER BY id FOR UPDATE", as: String.self,
                logger: logger)
            for id in woken {
                try await c.run("UPDATE tasks SET waiting_until = NULL, waiting_for = NULL, updated_at = \(at) WHERE id = \(id)", logger: logger)
                _ = try await c.insertEvents([OperatorRules.dailyGrant(taskId: id, amount: amount, actor: actor, at: at)], logger: logger)
                try await c.insertCommand(.budget, taskId: id, actor: actor, at: at, logger: logger)
            }
            try await c.insertAudit(
                .decision("daily_grant", taskId: nil, by: actor, at: at, detail: OperatorRules.dailyGrantDetail(amount: amount, extra: extra, woken: woken)),
                logger: logger)
            return (extra, woken)
        }
    }

    public func saveCheckpoint(taskId: String, name: String, value: String, at: Date) async throws {
        _ = try await write { c in
            try await c.run(
                """
                INSERT INTO step_checkpoints (task_id, name, value, updated_at) VALUES (\(taskId), \(name), \(value), \(at))
                ON CONFLICT (task_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, logger: logger)
        }
    }

    public func checkpoint(taskId: String, name: String) async throws -> String? {
        try await read { c in try await c.value("SELECT value FROM step_checkpoints WHERE task_id = \(taskId) AND name = \(name)", as: String.self, logger: logger) }
    }
}

extension PostgresConnection {
    /// The most recent approval request of a task.
    func latestApproval(taskId: String, logger: Logger) async throws -> Approval? {
        try await rows("SELECT * FROM approvals WHERE task_id = \(taskId) ORDER BY requested_at DESC, id DESC LIMIT 1", logger: logger).first.map(PostgresRows.approval)
    }
}
