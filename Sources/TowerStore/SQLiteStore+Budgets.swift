import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func grantBudget(taskId: String, amount: Double, base: Double?, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { db in
            guard let task = try db.fetchTask(id: taskId) else { throw StoreError.unknownTask(taskId) }
            let (next, event) = try OperatorRules.grantBudget(task, amount: amount, base: base, actor: actor, at: at)
            try db.execute(
                sql: "UPDATE tasks SET status = ?, waiting_for = ?, budget = ?, updated_at = ? WHERE id = ?",
                arguments: [next.status.rawValue, next.waitingFor, next.budget, at, taskId])
            _ = try db.insertEvents([event])
            try db.insertCommand(.budget, taskId: taskId, actor: actor, at: at)
            try db.insertAudit(.decision("budget_grant", taskId: taskId, by: actor, at: at, detail: OperatorRules.grantDetail(amount: amount, budget: next.budget)))
            return next
        }
    }

    public func stopAtBudget(taskId: String, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { db in
            guard let task = try db.fetchTask(id: taskId) else { throw StoreError.unknownTask(taskId) }
            let (next, event) = try OperatorRules.stopAtBudget(task, actor: actor, at: at)
            try db.execute(
                sql: "UPDATE tasks SET status = 'failed', failed_step = ?, step = NULL, last_error = ?, waiting_for = NULL, updated_at = ? WHERE id = ? AND status = 'awaiting_budget'",
                arguments: [next.failedStep?.rawValue, next.lastError, at, taskId])
            _ = try db.insertEvents([event])
            try db.insertCommand(.budget, taskId: taskId, actor: actor, at: at)
            try db.insertAudit(.decision("budget_stop", taskId: taskId, by: actor, at: at))
            return next
        }
    }

    public func dailyBudgetExtra(day: Date) async throws -> Double {
        try await read { db in try Double.fetchOne(db, sql: "SELECT extra FROM budget_days WHERE day = ?", arguments: [Calendar.utc.dayKey(day)]) ?? 0 }
    }

    public func grantDailyBudget(amount: Double, actor: Actor, at: Date) async throws -> (extra: Double, woken: [String]) {
        try await write { db in
            let day = Calendar.utc.dayKey(at)
            try db.execute(
                sql: "INSERT INTO budget_days (day, extra) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET extra = extra + excluded.extra", arguments: [day, amount])
            let extra = try Double.fetchOne(db, sql: "SELECT extra FROM budget_days WHERE day = ?", arguments: [day]) ?? amount
            // Tasks parked until tomorrow for the daily limit run again now.
            let woken = try String.fetchAll(
                db, sql: "SELECT id FROM tasks WHERE waiting_until IS NOT NULL AND waiting_for LIKE ? ESCAPE '\\'",
                arguments: [OperatorRules.dailyParkedPattern])
            for id in woken {
                try db.execute(sql: "UPDATE tasks SET waiting_until = NULL, waiting_for = NULL, updated_at = ? WHERE id = ?", arguments: [at, id])
                _ = try db.insertEvents([OperatorRules.dailyGrant(taskId: id, amount: amount, actor: actor, at: at)])
                try db.insertCommand(.budget, taskId: id, actor: actor, at: at)
            }
            try db.insertAudit(.decision("daily_grant", taskId: nil, by: actor, at: at, detail: OperatorRules.dailyGrantDetail(amount: amount, extra: extra, woken: woken)))
            return (extra, woken)
        }
    }
}
