import Foundation
import TowerCore

/// What an operator's decision, retry or budget answer does to a task, and the line it leaves in
/// the task's log: the same on every backend, so that the stores only read, lock and write.
enum OperatorRules {
    /// A decision on the pending `approval`: the task approved (on to Execution, with the budget
    /// the request's estimate grants) or rejected.
    static func decide(
        _ task: TowerTask, approval: Approval, decision: ApprovalDecision, actor: Actor, reason: String?, at: Date
    ) throws -> (task: TowerTask, approval: Approval, event: TaskEvent) {
        var task = task, approval = approval
        approval.decision = decision
        approval.decidedBy = actor.user
        approval.channel = actor.channel
        approval.reason = reason
        approval.decidedAt = at
        let next: TaskStatus = decision == .approved ? .approved : .rejected
        try StoreError.checkTransition(task.status, next)
        task.status = next
        task.step = decision == .approved ? .execution : nil
        task.updatedAt = at
        task.expiresAt = at.addingTimeInterval(TaskRetention.default)
        // Approving the plan grants the budget its request showed (a later request without an
        // estimate leaves the budget granted before).
        let grant = decision == .approved ? approval.estimate?.grant : nil
        if let grant { task.budget = grant }
        let note = (reason.map { ": \($0)" } ?? "") + (grant.map { "; model budget \(Dollars.text($0))" } ?? "")
        let event = TaskEvent(
            taskId: task.id, at: at, level: decision == .approved ? .info : .warning, agent: "approval",
            message: "plan \(decision.rawValue) by \(actor.user) via \(actor.channel.rawValue)\(note)", milestone: true)
        return (task, approval, event)
    }

    /// A failed task moved back to the step that failed, its attempts counted afresh.
    static func retry(_ task: TowerTask, actor: Actor, at: Date) throws -> (task: TowerTask, event: TaskEvent) {
        guard task.status == .failed else { throw StoreError.notFailed(taskId: task.id, status: task.status) }
        var task = task
        let step = task.failedStep ?? .discovery
        try StoreError.checkTransition(task.status, step.runningStatus)
        task.status = step.runningStatus
        task.step = step
        task.failedStep = nil
        task.attempts = 0
        task.updatedAt = at
        task.expiresAt = at.addingTimeInterval(TaskRetention.default)
        let event = TaskEvent(
            taskId: task.id, at: at, level: .info, agent: "operator",
            message: "retry requested by \(actor.user) via \(actor.channel.rawValue); resuming at \(step.rawValue)", milestone: true)
        return (task, event)
    }

    /// `amount` dollars more for a task (on top of `base`, the configured budget, when none was
    /// granted yet); a task waiting for budget resumes its step.
    static func grantBudget(_ task: TowerTask, amount: Double, base: Double?, actor: Actor, at: Date) throws -> (task: TowerTask, event: TaskEvent) {
        var task = task
        task.budget = (task.budget ?? base ?? 0) + amount
        var resumes = ""
        if task.status == .awaitingBudget, let step = task.step {
            try StoreError.checkTransition(task.status, step.runningStatus)
            task.status = step.runningStatus
            task.waitingFor = nil
            resumes = "; \(step.rawValue) resumes"
        }
        task.updatedAt = at
        let event = TaskEvent(
            taskId: task.id, at: at, level: .info, agent: "budget",
            message: "model budget +\(Dollars.text(amount)) granted by \(actor.user) via \(actor.channel.rawValue): \(Dollars.text(task.budget ?? 0)) now\(resumes)",
            milestone: true)
        return (task, event)
    }

    /// A task waiting for budget stopped: failed at its step, which `retry` resumes.
    static func stopAtBudget(_ task: TowerTask, actor: Actor, at: Date) throws -> (task: TowerTask, event: TaskEvent) {
        guard task.status == .awaitingBudget else { throw StoreError.notAwaitingBudget(taskId: task.id, status: task.status) }
        try StoreError.checkTransition(task.status, .failed)
        var task = task
        let message = "stopped at its model budget by \(actor.user) via \(actor.channel.rawValue)" + (task.waitingFor.map { " (\($0))" } ?? "")
        task.status = .failed
        task.failedStep = task.step
        task.step = nil
        task.lastError = message
        task.waitingFor = nil
        task.updatedAt = at
        return (task, TaskEvent(taskId: task.id, at: at, level: .warning, agent: "budget", message: message, milestone: true))
    }

    /// The line a task parked for the daily limit gets when a person adds to today's.
    static func dailyGrant(taskId: String, amount: Double, actor: Actor, at: Date) -> TaskEvent {
        TaskEvent(
            taskId: taskId, at: at, level: .info, agent: "budget",
            message: "today's model budget +\(Dollars.text(amount)) granted by \(actor.user) via \(actor.channel.rawValue); the task runs on", milestone: true)
    }

    /// `waiting_for LIKE` this matches the tasks parked for the daily limit.
    static var dailyParkedPattern: String { DailyBudget.waitingFor.replacingOccurrences(of: "%", with: "\\%") + "%" }

    /// An audit row's detail for a budget grant.
    static func grantDetail(amount: Double, budget: Double?) -> String {
        String(format: "+$%.2f", amount) + (budget.map { String(format: ", budget now $%.2f", $0) } ?? "")
    }

    /// An audit row's detail for a grant on today's limit.
    static func dailyGrantDetail(amount: Double, extra: Double, woken: [String]) -> String {
        String(format: "+$%.2f today (extra $%.2f)", amount, extra) + (woken.isEmpty ? "" : "; resumed \(woken.joined(separator: ", "))")
    }

    /// An audit row's detail for the workers' global limit.
    static func limitDetail(_ limit: Int?) -> String {
        limit.map { "at most \($0) tasks at once across workers" } ?? "no global limit"
    }
}
