import Foundation
import TowerCore
import TowerStore

/// Data arriving from the store and the runtime: tasks, log lines, a task's detail, health.
extension Console {
    static func tasksLoaded(_ tasks: [TowerTask], _ state: inout AppState) -> [Effect] {
        let before = state.selection
        // Built in place: no array of (id, task) pairs copying every task first.
        var byId: [String: TowerTask] = [:]
        byId.reserveCapacity(tasks.count)
        for task in tasks { byId[task.id] = task }
        state.tasks = byId
        state.relist()
        return state.selection != before ? previewEffects(state) : []
    }

    static func tasksChanged(_ changed: [TowerTask], _ state: inout AppState) -> [Effect] {
        var effects: [Effect] = []
        var ring = false
        let before = state.selection
        for task in changed {
            let old = state.tasks[task.id]
            state.tasks[task.id] = task
            if old?.status != task.status, task.status.waitsForPerson || task.status == .failed {
                state.attention.insert(task.id)
                ring = true
            } else if old?.status != task.status {
                // Decided or retried, here or elsewhere: it no longer waits for anyone.
                state.attention.remove(task.id)
            }
            if case .task(let open) = state.screen, open == task.id, old?.status != task.status || old?.step != task.step {
                effects.append(.loadDetail(taskId: open))
            }
        }
        state.relist()
        if ring && state.bellOnAttention { effects.append(.bell) }
        if state.selection != before { effects += previewEffects(state) }
        return effects
    }

    static func logLoaded(taskId: String, lines: [TaskEvent], total: Int, older: Bool, _ state: inout AppState) {
        guard var log = state.log, log.taskId == taskId else { return }
        if older {
            let known = Set(log.lines.compactMap(\.sequence))
            let fresh = lines.filter { !known.contains($0.sequence ?? -1) }
            log.lines.insert(contentsOf: fresh, at: 0)
            log.top += fresh.count
            log.reachedStart = lines.count < logPage
            if log.lines.count > log.capacity { log.lines.removeLast(log.lines.count - log.capacity) }
        } else {
            log.lines = lines
            log.reachedStart = lines.count >= total
        }
        log.total = max(total, log.lines.count)
        state.log = log
        clampScroll(&state)
    }

    static func appendLog(_ events: [TaskEvent], _ state: inout AppState) {
        if var log = state.log {
            let last = log.lines.last?.sequence ?? -1
            let fresh = events.filter { $0.taskId == log.taskId && ($0.sequence ?? Int64.max) > last }
            if !fresh.isEmpty {
                log.lines += fresh
                log.total += fresh.count
                if log.lines.count > log.capacity {
                    let drop = log.lines.count - log.capacity
                    log.lines.removeFirst(drop)
                    log.top = max(0, log.top - drop)
                    log.reachedStart = false
                }
                state.log = log
            }
        }
        if let preview = state.previewTaskId {
            let last = state.preview.last?.sequence ?? -1
            let fresh = events.filter { $0.taskId == preview && ($0.sequence ?? Int64.max) > last }
            if !fresh.isEmpty {
                state.preview += fresh
                if state.preview.count > previewLines { state.preview.removeFirst(state.preview.count - previewLines) }
            }
        }
    }

    /// A task's detail, kept when its task is open or its approval is being asked for.
    static func detailLoaded(_ detail: TaskDetail, _ state: inout AppState) {
        var wanted = false
        if case .task(let open) = state.screen, open == detail.taskId { wanted = true }
        if case .approve(let id) = state.dialog?.kind, id == detail.taskId { wanted = true }
        guard wanted else { return }
        state.detail = detail
        if var dialog = state.dialog, case .approve(let id) = dialog.kind, id == detail.taskId, let task = state.tasks[id] {
            dialog.lines = approvalLines(task, detail)
            state.dialog = dialog
        }
        clampScroll(&state)
    }

    static func integrationsChecked(_ integrations: [Health.Integration], _ state: inout AppState) {
        let before = Dictionary(state.health.integrations.map { ($0.name, $0.condition) }, uniquingKeysWith: { a, _ in a })
        state.health.integrations = integrations
        // A service that has just started failing says why, once, in the status line.
        let failing = integrations.compactMap { integration -> String? in
            guard case .failed(let why) = integration.condition, before[integration.name] != integration.condition else { return nil }
            return "\(integration.name): \(why)"
        }
        if !failing.isEmpty {
            state.status = StatusMessage(text: failing.joined(separator: "; "), level: .error)
        } else if state.status?.text == "checking integrations…" {
            let ok = integrations.filter { if case .ok = $0.condition { true } else { false } }.count
            let failed = integrations.filter { if case .failed = $0.condition { true } else { false } }.count
            state.status = StatusMessage(text: failed == 0 ? "integrations: \(ok) ok" : "integrations: \(failed) failing, \(ok) ok", level: failed == 0 ? .info : .error)
        }
    }

    /// The board's preview of the selected task, when it is not the one shown.
    static func previewEffects(_ state: AppState) -> [Effect] {
        guard let id = state.selection, state.previewTaskId != id else { return [] }
        return [.loadPreview(taskId: id)]
    }
}
