import Foundation
import TowerCore
import TowerStore

/// Checked before each model call of a task: a call that would pass the task's granted budget
/// stops the step (``BudgetExceeded``: the task waits for a person at `awaiting_budget`), and
/// one that would pass the day's limit parks it until the next UTC day or a grant for the day
/// (``ResumeLater``). Each tells Slack once. Nothing is killed and no stored work is lost: the
/// step runs again from its stored progress.
struct BudgetGate: Sendable {
    let store: any Store
    let taskId: String
    let settings: BudgetSettings
    let notifier: Notifier
    let now: @Sendable () -> Date

    func check() async throws {
        guard let task = try await store.task(id: taskId), settings.daily != nil || settings.task != nil || task.budget != nil else { return }
        let spent = try await store.spend(taskId: taskId, since: nil)
        let priced = spent.calls - spent.unpriced
        // The next call is expected to cost what this task's calls cost on average.
        let next = priced > 0 ? spent.dollars / Double(priced) : 0
        if let budget = task.budget ?? settings.task, spent.dollars + next > budget {
            let over = BudgetExceeded(spent: spent.dollars, next: next, budget: budget)
            let more = BudgetDefaults.grant(budget: budget)
            try await notifier.slackBudget(
                ticket: task.ticketId, title: task.title, reason: over.description, grant: more, key: "budget/\(taskId)/\(Dollars.text(budget))")
            throw over
        }
        if let daily = settings.daily {
            let at = now()
            let midnight = Calendar.utc.startOfDay(for: at)
            let today = try await store.spend(taskId: nil, since: midnight)
            let limit = daily + (try await store.dailyBudgetExtra(day: at))
            if today.dollars + next > limit {
                let tomorrow = Calendar.utc.date(byAdding: .day, value: 1, to: midnight) ?? at.addingTimeInterval(86_400)
                let reason = "\(DailyBudget.waitingFor) (\(Dollars.text(today.dollars)) of \(Dollars.text(limit)) spent today, UTC)"
                try await notifier.slackNotice(
                    "⏸️ *Model budget for today reached*: \(Dollars.text(today.dollars)) of \(Dollars.text(limit)). Tasks wait before their next model call until 00:00 UTC, or `tower agent budget today +\(Int(BudgetDefaults.grant(budget: limit)))`.",
                    kind: "daily_budget", key: "daily-budget/\(Calendar.utc.dayKey(at))")
                throw ResumeLater(after: tomorrow.timeIntervalSince(at), waitingFor: reason)
            }
        }
    }
}
