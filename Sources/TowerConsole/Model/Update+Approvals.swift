import Foundation
import TowerCore
import TowerEngine

/// The Approvals screen: the queue of tasks waiting for a person, oldest first. `a`, `r`, `R`
/// and `b` act on the selected row as on the board; space picks plans to decide together, in
/// one dialog that names each, each decision recorded on its own.
extension Console {
    /// A new queue keeps the selected task selected, and forgets picks that no longer wait.
    static func waitingLoaded(_ queue: [WaitingItem], _ state: inout AppState) {
        let selected = state.waiting[safe: state.waitingTop]?.task.id
        state.waiting = queue
        state.waitingTop = selected.flatMap { id in queue.firstIndex { $0.task.id == id } } ?? min(state.waitingTop, max(0, queue.count - 1))
        state.picked.formIntersection(queue.filter(\.isPlan).map(\.task.id))
        // The dialogs read tasks from the board's list: one the board has not loaded yet joins it.
        let unknown = queue.filter { state.tasks[$0.task.id] == nil }
        for item in unknown { state.tasks[item.task.id] = item.task }
        if !unknown.isEmpty { state.relist() }
    }

    /// Space: picks the selected plan, or puts it back.
    static func pick(_ state: inout AppState) -> [Effect] {
        guard state.screen == .approvals, let item = state.waiting[safe: state.waitingTop] else { return [] }
        guard item.isPlan else {
            state.status = StatusMessage(text: "only plans are decided together; \(item.task.id) waits for \(item.why)", level: .info)
            return []
        }
        if state.picked.remove(item.task.id) == nil { state.picked.insert(item.task.id) }
        moveList(by: 1, &state)
        return []
    }

    /// `a` or `r` with plans picked: one dialog naming each; the note applies to all.
    static func askMany(_ action: Action, _ state: inout AppState) -> [Effect] {
        let ids = state.waiting.map(\.task.id).filter { state.picked.contains($0) }
        let names = ids.map { id in state.tasks[id].map { "\($0.ticketId ?? id) — \($0.title)" } ?? id }
        if action == .approve {
            state.dialog = Dialog(
                kind: .approveMany(ids), title: "Approve \(ids.count) plans?",
                lines: names + ["Each approval is recorded on its own, with the note."], field: TextField(), fieldLabel: "Note (optional)",
                confirmLabel: "Approve \(ids.count)")
        } else {
            state.dialog = Dialog(
                kind: .rejectMany(ids), title: "Reject \(ids.count) plans?",
                lines: names + ["Each ends as rejected; Slack and Jira are told for each."], field: TextField(), fieldLabel: "Reason",
                confirmLabel: "Reject \(ids.count)")
        }
        return []
    }
}
