import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func approval(taskId: String) async throws -> Approval? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM approvals WHERE task_id = ? ORDER BY requested_at DESC, rowid DESC LIMIT 1", arguments: [taskId]
            ).map(Rows.approval)
        }
    }

    public func updatePendingPlan(taskId: String, plan: PlanVersion, artifacts: [ArtifactDraft], events: [TaskEvent], at: Date) async throws -> Bool {
        try await write { db in
            guard let task = try db.fetchTask(id: taskId), task.status == .awaitingApproval,
                let token = try String.fetchOne(
                    db, sql: "SELECT token FROM approvals WHERE task_id = ? AND decision IS NULL ORDER BY requested_at DESC, rowid DESC LIMIT 1", arguments: [taskId])
            else { return false }
            try db.execute(sql: "UPDATE approvals SET plan_version = ? WHERE token = ? AND decision IS NULL", arguments: [try Rows.json(plan), token])
            guard db.changesCount == 1 else { return false }
            for artifact in artifacts { try db.insertArtifact(artifact, taskId: taskId, at: at) }
            _ = try db.insertEvents(events)
            return true
        }
    }

    /// One `BEGIN IMMEDIATE` transaction: the conditional `UPDATE … WHERE decision IS NULL` and the
    /// task's move to approved/rejected land together, so of any number of concurrent callers in
    /// any number of processes exactly one sees a changed row.
    public func decide(taskId: String, decision: ApprovalDecision, actor: Actor, reason: String?, at: Date) async throws -> DecisionOutcome {
        try await write { db in
            guard let task = try db.fetchTask(id: taskId) else { throw StoreError.unknownTask(taskId) }
            let latest = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM approvals WHERE task_id = ? ORDER BY requested_at DESC, rowid DESC LIMIT 1"), arguments: [taskId]
            ).map(Rows.approval)
            if let latest, latest.isDecided { return .alreadyDecided(latest) }
            guard task.status == .awaitingApproval, let approval = latest else {
                throw StoreError.notAwaitingApproval(taskId: taskId, status: task.status)
            }
            try db.cachedStatement(sql: "UPDATE approvals SET decision = ?, decided_by = ?, channel = ?, reason = ?, decided_at = ? WHERE token = ? AND decision IS NULL")
                .execute(arguments: [decision.rawValue, actor.user, actor.channel.rawValue, reason, at.stored, approval.token])
            guard db.changesCount == 1 else {
                // Unreachable under IMMEDIATE transactions; answered safely all the same.
                let winner = try Row.fetchOne(db, sql: "SELECT * FROM approvals WHERE token = ?", arguments: [approval.token]).map(Rows.approval)
                return .alreadyDecided(winner ?? approval)
            }
            let decided = try OperatorRules.decide(task, approval: approval, decision: decision, actor: actor, reason: reason, at: at)
            let next = decided.task
            try db.cachedStatement(sql: "UPDATE tasks SET status = ?, step = ?, updated_at = ?, expires_at = ?, budget = ? WHERE id = ?")
                .execute(arguments: [next.status.rawValue, next.step?.rawValue, at.stored, next.expiresAt.stored, next.budget, taskId])
            _ = try db.insertEvents([decided.event])
            try db.insertCommand(decision == .approved ? .approve : .reject, taskId: taskId, actor: actor, at: at)
            try db.insertAudit(.decision(decision == .approved ? "approve" : "reject", taskId: taskId, by: actor, at: at, note: reason, plan: approval.plan))
            return .decided(decided.approval)
        }
    }

    public func retry(taskId: String, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { db in
            guard let task = try db.fetchTask(id: taskId) else { throw StoreError.unknownTask(taskId) }
            let (next, event) = try OperatorRules.retry(task, actor: actor, at: at)
            try db.execute(
                sql: "UPDATE tasks SET status = ?, step = ?, failed_step = NULL, attempts = 0, updated_at = ?, expires_at = ? WHERE id = ? AND status = 'failed'",
                arguments: [next.status.rawValue, next.step?.rawValue, at, next.expiresAt, taskId])
            _ = try db.insertEvents([event])
            try db.insertCommand(.retry, taskId: taskId, actor: actor, at: at)
            try db.insertAudit(.decision("retry", taskId: taskId, by: actor, at: at, detail: "resumes at \(next.step?.rawValue ?? "discovery")"))
            return next
        }
    }

    public func latestCommandSequence() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) FROM commands")) ?? 0 }
    }

    public func commands(after sequence: Int64) async throws -> [OperatorCommand] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM commands WHERE seq > ? ORDER BY seq", arguments: [sequence]).map(Rows.command)
        }
    }
}
