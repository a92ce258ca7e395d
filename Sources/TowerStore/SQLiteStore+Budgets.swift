import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func grantBudget(taskId: String, amount: Double, base: Double?, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { db in
            guard var task = try db.fetchTask(id: taskId) else { throw StoreError.unknownTask(taskId) }
            let before = task.budget ?? base ?? 0
            task.budget = before + amount
            var resumes = ""
            if task.status == .awaitingBudget, let step = task.step {
                try StoreError.checkTransition(task.status, step.runningStatus)
                task.status = step.runningStatus
                task.waitingFor = nil
                resumes = "; \(step.rawValue) resumes"
            }
            task.updatedAt = at
            try db.execute(
                sql: "UPDATE tasks SET status = ?, waiting_for = ?, budget = ?, updated_at = ? WHERE id = ?",
                arguments: [task.status.rawValue, task.waitingFor, task.budget, at, taskId])
            _ = try db.insertEvents([
                TaskEvent(
                    taskId: taskId, at: at, level: .info, agent: "budget",
                    message: "model budget +\(Dollars.text(amount)) granted by \(actor.user) via \(actor.channel.rawValue): \(Dollars.text(task.budget ?? 0)) now\(resumes)",
                    milestone: true)
            ])
            try db.insertCommand(.budget, taskId: taskId, actor: actor, at: at)
            return task
        }
    }

    public func stopAtBudget(taskId: String, actor: Actor, at: Date) async throws -> TowerTask {
        try await write { db in
            guard var task = try db.fetchTask(id: taskId) else { throw StoreError.unknownTask(taskId) }
            guard task.status == .awaitingBudget else { throw StoreError.notAwaitingBudget(taskId: taskId, status: task.status) }
            try StoreError.checkTransition(task.status, .failed)
            let message = "stopped at its model budget by \(actor.user) via \(actor.channel.rawValue)" + (task.waitingFor.map { " (\($0))" } ?? "")
            task.status = .failed
            task.failedStep = task.step
            task.step = nil
            task.lastError = message
            task.waitingFor = nil
            task.updatedAt = at
            try db.execute(
                sql: "UPDATE tasks SET status = 'failed', failed_step = ?, step = NULL, last_error = ?, waiting_for = NULL, updated_at = ? WHERE id = ? AND status = 'awaiting_budget'",
                arguments: [task.failedStep?.rawValue, message, at, taskId])
            _ = try db.insertEvents([TaskEvent(taskId: taskId, at: at, level: .warning, agent: "budget", message: message, milestone: true)])
            try db.insertCommand(.budget, taskId: taskId, actor: actor, at: at)
            return task
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
                arguments: [DailyBudget.waitingFor.replacingOccurrences(of: "%", with: "\\%") + "%"])
            for id in woken {
                try db.execute(sql: "UPDATE tasks SET waiting_until = NULL, waiting_for = NULL, updated_at = ? WHERE id = ?", arguments: [at, id])
                _ = try db.insertEvents([
                    TaskEvent(
                        taskId: id, at: at, level: .info, agent: "budget",
                        message: "today's model budget +\(Dollars.text(amount)) granted by \(actor.user) via \(actor.channel.rawValue); the task runs on", milestone: true)
                ])
                try db.insertCommand(.budget, taskId: id, actor: actor, at: at)
            }
            return (extra, woken)
        }
    }
}
