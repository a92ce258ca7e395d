import Foundation
import TowerCore

/// The decisions a person takes by key, each behind a dialog: approve, reject, retry, budget,
/// freeze, and quit while tasks run here; and the dialogs' own keys.
extension Console {
    static func decide(_ action: Action, _ state: inout AppState) -> [Effect] {
        switch action {
        case .approve, .reject, .retry:
            return askDecision(action, &state)
        case .budget:
            return askBudget(&state)
        case .freeze:
            let on = !state.freeze.frozen
            state.dialog = Dialog(
                kind: .freeze(on: on), title: on ? "Freeze the engine?" : "Unfreeze the engine?",
                lines: on
                    ? ["No new runs, pushes or auto-fixes start anywhere until unfrozen.", "Steps already running finish."]
                    : ["Tasks continue from their last stored step."],
                confirmLabel: on ? "Freeze" : "Unfreeze")
            return []
        case .quit:
            let runningHere = state.health.engine == .runningHere && state.tasks.values.contains { $0.status.isActive }
            guard runningHere else {
                state.quitting = true
                return [.quit]
            }
            let count = state.tasks.values.filter { $0.status.isActive }.count
            state.dialog = Dialog(
                kind: .quit, title: "Quit Tower?",
                lines: ["\(count) task\(count == 1 ? " is" : "s are") running in this process.", "They stop cleanly and resume at their last stored step next time."],
                confirmLabel: "Quit")
            return []
        default:
            return []
        }
    }

    /// The task an action is about: the open one, else the board's selection.
    static func targetTask(_ state: AppState) -> TowerTask? {
        if case .task(let id) = state.screen { return state.tasks[id] }
        if state.screen == .approvals { return state.waiting[safe: state.waitingTop]?.task }
        return state.selectedTask
    }

    static func askDecision(_ action: Action, _ state: inout AppState) -> [Effect] {
        if state.screen == .approvals, action != .retry, !state.picked.isEmpty { return askMany(action, &state) }
        guard let task = targetTask(state) else {
            state.status = StatusMessage(text: "no task selected", level: .error)
            return []
        }
        switch action {
        case .approve, .reject:
            guard task.status == .awaitingApproval else {
                state.status = StatusMessage(text: "\(task.id) is not awaiting approval (it is \(task.status.rawValue))", level: .error)
                return []
            }
            if action == .approve {
                let detail = state.detail?.taskId == task.id ? state.detail : nil
                state.dialog = Dialog(
                    kind: .approve(taskId: task.id), title: "Approve the plan for \(task.ticketId ?? task.id)?",
                    lines: approvalLines(task, detail), field: TextField(), fieldLabel: "Note (optional)", confirmLabel: "Approve")
                return detail == nil ? [.loadDetail(taskId: task.id)] : []
            }
            state.dialog = Dialog(
                kind: .reject(taskId: task.id), title: "Reject the plan for \(task.ticketId ?? task.id)?",
                lines: [task.title, "The task ends as rejected; Slack and Jira are told."], field: TextField(), fieldLabel: "Reason",
                confirmLabel: "Reject")
            return []
        default:
            guard task.status == .failed else {
                state.status = StatusMessage(text: "\(task.id) has not failed (it is \(task.status.rawValue))", level: .error)
                return []
            }
            state.dialog = Dialog(
                kind: .retry(taskId: task.id), title: "Retry \(task.id)?",
                lines: [task.title, "Resumes at \(task.failedStep?.rawValue ?? "discovery"); earlier steps are not re-run.", task.lastError.map { "Last error: \($0)" } ?? ""]
                    .filter { !$0.isEmpty },
                confirmLabel: "Retry")
            return []
        }
    }

    /// The grant dialog: why the task stopped, what it spent, and an amount to grant (`stop` stops it).
    static func askBudget(_ state: inout AppState) -> [Effect] {
        guard let task = targetTask(state) else {
            state.status = StatusMessage(text: "no task selected", level: .error)
            return []
        }
        guard task.status == .awaitingBudget else {
            state.status = StatusMessage(text: "\(task.id) is not waiting for budget (it is \(task.status.rawValue))", level: .error)
            return []
        }
        let more = BudgetDefaults.grant(budget: task.budget)
        let field = TextField(more == more.rounded() ? String(Int(more)) : String(format: "%.2f", more))
        state.dialog = Dialog(
            kind: .budget(taskId: task.id), title: "Grant \(task.ticketId ?? task.id) more model budget?",
            lines: [
                task.title, task.waitingFor.map { "Stopped before a model call: \($0)" } ?? "Its budget is spent.",
                "Spent: \(state.spend[task.id]?.summary ?? "no model calls")" + (task.budget.map { "; budget \(Dollars.text($0))" } ?? ""),
                "The step resumes where it stopped. Type stop to stop the task instead.",
            ], field: field, fieldLabel: "Dollars to add", confirmLabel: "Grant")
        return []
    }

    /// What the approve dialog shows: the plan's summary, scope, tasks and hours.
    static func approvalLines(_ task: TowerTask, _ detail: TaskDetail?) -> [String] {
        var lines = [task.title]
        guard let detail else { return lines + ["Loading the plan…"] }
        guard let text = detail.plan else { return lines + ["No PLAN.md is stored for this task."] }
        do {
            let plan = try PlanDocument.parse(text)
            let summary = plan.summary.split(separator: "\n").first.map(String.init) ?? ""
            if !summary.isEmpty { lines.append("Summary: \(summary)") }
            lines.append("Scope: \(plan.inScope.count) in, \(plan.outOfScope.count) out; tests: \(plan.unitTests.count) unit, \(plan.integrationTests.count) integration")
            let hours = plan.tasks.reduce(0) { $0 + $1.estimatedHours }
            lines.append("Tasks: \(plan.tasks.count), \(hours == hours.rounded() ? String(Int(hours)) : String(hours)) h estimated")
        } catch {
            lines.append("PLAN.md cannot be read: \(error)")
        }
        if let estimate = detail.approval?.estimate { lines.append(estimate.summary) }
        if let version = detail.approval?.plan {
            if let edit = version.edit { lines.append("Edited after planning by commit \(edit.description)") }
            lines.append("Approving approves this version (\(version.shortHash)); a later edit asks again.")
        }
        return lines
    }

    static func dialogKey(_ key: Key, _ state: inout AppState) -> [Effect] {
        guard var dialog = state.dialog else { return [] }
        switch key {
        case .escape:
            state.dialog = nil
            return []
        case .tab, .backTab, .left, .right:
            dialog.confirmFocused.toggle()
            state.dialog = dialog
            return []
        case .enter:
            state.dialog = nil
            return dialog.confirmFocused ? confirm(dialog, &state) : []
        default:
            if dialog.field != nil {
                var field = dialog.field!
                if field.edit(key) {
                    dialog.field = field
                    state.dialog = dialog
                }
                return []
            }
            if key == .character("y") {
                state.dialog = nil
                return confirm(dialog, &state)
            }
            if key == .character("n") || key == .character("q") { state.dialog = nil }
            return []
        }
    }

    static func confirm(_ dialog: Dialog, _ state: inout AppState) -> [Effect] {
        let text = dialog.field?.text.trimmingCharacters(in: .whitespaces)
        let note = text?.isEmpty == false ? text : nil
        switch dialog.kind {
        case .approve(let id): return [.approve(taskId: id, note: note)]
        case .reject(let id): return [.reject(taskId: id, reason: note)]
        case .approveMany(let ids):
            state.picked.subtract(ids)
            return ids.map { .approve(taskId: $0, note: note) }
        case .rejectMany(let ids):
            state.picked.subtract(ids)
            return ids.map { .reject(taskId: $0, reason: note) }
        case .retry(let id): return [.retry(taskId: id)]
        case .budget(let id):
            if note?.lowercased() == "stop" { return [.grantBudget(taskId: id, amount: nil)] }
            guard let amount = note.flatMap(Dollars.parse) else {
                state.status = StatusMessage(text: "“\(note ?? "")” is not an amount: type 5, 2.50, or stop", level: .error)
                return []
            }
            return [.grantBudget(taskId: id, amount: amount)]
        case .freeze(let on): return [.setFrozen(on)]
        case .quit:
            state.quitting = true
            return [.quit]
        }
    }
}
