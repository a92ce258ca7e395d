import Foundation
import TowerCore
import TowerStore

/// The console's logic as pure functions: a message and the current state in, the next state
/// and the effects to run out. No I/O happens here, so every behaviour is testable as values.
public enum Console {
    /// Lines asked for when a log is opened or scrolled back.
    static let logPage = 500
    /// Lines kept for the board's preview pane.
    static let previewLines = 50

    public static func update(_ state: inout AppState, _ message: Message) -> [Effect] {
        switch message {
        case .key(let key):
            return handle(key, &state)
        case .resize(let size):
            state.size = size
            clampScroll(&state)
            return []
        case .tick(let now):
            state.now = now
            return []
        case .tasksLoaded(let tasks):
            let before = state.selection
            state.tasks = Dictionary(tasks.map { ($0.id, $0) }, uniquingKeysWith: { _, new in new })
            state.relist()
            return state.selection != before ? previewEffects(state) : []
        case .tasksChanged(let changed):
            return tasksChanged(changed, &state)
        case .logLoaded(let taskId, let lines, let total, let older):
            guard var log = state.log, log.taskId == taskId else { return [] }
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
            return []
        case .logAppended(let events):
            appendLog(events, &state)
            return []
        case .previewLoaded(let taskId, let lines):
            guard taskId == state.selection else { return [] }  // an answer for an earlier selection
            state.previewTaskId = taskId
            state.preview = lines
            return []
        case .detailLoaded(let detail):
            var wanted = false
            if case .task(let open) = state.screen, open == detail.taskId { wanted = true }
            if case .approve(let id) = state.dialog?.kind, id == detail.taskId { wanted = true }
            guard wanted else { return [] }
            state.detail = detail
            if var dialog = state.dialog, case .approve(let id) = dialog.kind, id == detail.taskId, let task = state.tasks[id] {
                dialog.lines = approvalLines(task, detail)
                state.dialog = dialog
            }
            clampScroll(&state)
            return []
        case .workersLoaded(let workers):
            state.workers = workers
            state.workersTop = min(state.workersTop, max(0, workers.count - 1))
            return []
        case .outboxLoaded(let messages):
            state.outbox = messages
            return []
        case .deliveriesLoaded(let deliveries):
            let selected = state.deliveries.indices.contains(state.deliveriesTop) ? state.deliveries[state.deliveriesTop].id : nil
            state.deliveries = deliveries
            state.deliveriesTop = selected.flatMap { id in deliveries.firstIndex { $0.id == id } } ?? min(state.deliveriesTop, max(0, deliveries.count - 1))
            return []
        case .sentryLoaded(let passes, let fingerprints):
            state.sentryPasses = passes
            state.sentryFingerprints = fingerprints
            state.sentryTop = min(state.sentryTop, max(0, fingerprints.count - 1))
            return []
        case .freezeChanged(let freeze):
            state.freeze = freeze
            return []
        case .spendLoaded(let spend, let today):
            state.spend = spend
            state.spendToday = today
            return []
        case .healthChanged(let health):
            state.health = health
            return []
        case .integrationsChecked(let integrations):
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
            return []
        case .actionFinished(let status):
            state.status = status
            return []
        case .themeChanged(let name):
            state.theme = name
            return []
        }
    }

    // MARK: Data arriving

    private static func tasksChanged(_ changed: [TowerTask], _ state: inout AppState) -> [Effect] {
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

    private static func appendLog(_ events: [TaskEvent], _ state: inout AppState) {
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

    private static func previewEffects(_ state: AppState) -> [Effect] {
        guard let id = state.selection, state.previewTaskId != id else { return [] }
        return [.loadPreview(taskId: id)]
    }

    // MARK: Keys

    private static func handle(_ key: Key, _ state: inout AppState) -> [Effect] {
        if state.dialog != nil { return dialogKey(key, &state) }
        if state.showHelp {
            state.showHelp = false
            return []
        }
        if state.prompt != nil { return promptKey(key, &state) }
        state.status = nil
        guard let action = state.keyMap.action(for: key, in: state.contexts) else { return [] }
        return perform(action, &state)
    }

    static func perform(_ action: Action, _ state: inout AppState) -> [Effect] {
        switch action {
        case .moveDown: return move(by: 1, &state)
        case .moveUp: return move(by: -1, &state)
        case .pageDown: return move(by: max(1, Layout.bodyRows(state) - 1), &state)
        case .pageUp: return move(by: -max(1, Layout.bodyRows(state) - 1), &state)
        case .top: return move(by: Int.min / 2, &state)
        case .bottom: return move(by: Int.max / 2, &state)
        case .open:
            guard let id = state.selection else { return [] }
            return open(id, &state)
        case .back:
            if state.screen == .board {
                if !state.filter.isEmpty {
                    state.filter = ""
                    state.relist()
                }
                return previewEffects(state)
            }
            state.screen = .board
            state.log = nil
            state.detail = nil
            state.scroll = 0
            return previewEffects(state)
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
        case .help:
            state.showHelp = true
            return []
        case .command:
            state.prompt = .command(TextField())
            return []
        case .outbox:
            state.screen = .outbox
            state.outboxTop = 0
            return [.loadOutbox]
        case .sentry:
            state.screen = .sentry
            state.sentryTop = 0
            return [.loadSentry]
        case .deliveries:
            state.screen = .deliveries
            state.deliveriesTop = 0
            return [.loadDeliveries]
        case .workers:
            state.screen = .workers
            state.workersTop = 0
            return [.loadWorkers]
        case .redeliver:
            guard state.screen == .deliveries, state.deliveries.indices.contains(state.deliveriesTop) else { return [] }
            return [.redeliver(id: state.deliveries[state.deliveriesTop].id)]
        case .filter:
            state.prompt = .filter(TextField(state.filter))
            return []
        case .nextGroup, .previousGroup:
            let all = BoardGroup.allCases
            let i = all.firstIndex(of: state.group)!
            state.group = all[(i + (action == .nextGroup ? 1 : all.count - 1)) % all.count]
            state.relist()
            return previewEffects(state)
        case .sort:
            let all = SortOrder.allCases
            state.sort = all[(all.firstIndex(of: state.sort)! + 1) % all.count]
            state.relist()
            state.status = StatusMessage(text: "sorted by \(state.sort.rawValue)", level: .info)
            return []
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
        case .nextTab, .previousTab:
            let all = TaskTab.allCases
            let i = all.firstIndex(of: state.tab)!
            return select(tab: all[(i + (action == .nextTab ? 1 : all.count - 1)) % all.count], &state)
        case .tab1: return select(tab: .log, &state)
        case .tab2: return select(tab: .plan, &state)
        case .tab3: return select(tab: .diff, &state)
        case .tab4: return select(tab: .discovery, &state)
        case .tab5: return select(tab: .ci, &state)
        case .tab6: return select(tab: .timeline, &state)
        case .tab7: return select(tab: .llm, &state)
        case .follow:
            guard var log = state.log else { return [] }
            log.follow.toggle()
            if !log.follow { log.top = max(0, log.lines.count - Layout.bodyRows(state)) }
            state.log = log
            state.status = StatusMessage(text: "follow \(log.follow ? "on" : "off")", level: .info)
            return []
        case .wrap:
            state.log?.wrap.toggle()
            return []
        case .timestamps:
            state.log?.timestamps.toggle()
            return []
        case .search:
            state.prompt = .search(TextField(state.log?.search ?? ""))
            return []
        case .searchNext, .searchPrevious:
            guard let query = state.log?.search, !query.isEmpty else {
                state.status = StatusMessage(text: "no search: press / to search", level: .info)
                return []
            }
            jump(&state, forward: action == .searchNext, description: "“\(query)”") { Self.matches($0.message, query) || $0.agent.contains(query) }
            return []
        case .nextError:
            jump(&state, forward: true, description: "error") { $0.level == .error }
            return []
        case .nextFile, .previousFile:
            guard let count = state.detail?.diffs.count, count > 0 else { return [] }
            state.diffFile = (state.diffFile + (action == .nextFile ? 1 : count - 1)) % count
            state.scroll = 0
            return []
        case .nextHunk, .previousHunk:
            guard let diff = state.detail?.diffs[safe: state.diffFile] else { return [] }
            let hunks = diff.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { $0.element.hasPrefix("@@") }.map(\.offset)
            let target = action == .nextHunk ? hunks.first { $0 > state.scroll } : hunks.last { $0 < state.scroll }
            if let target { state.scroll = target }
            return []
        case .redraw:
            return [.redraw]
        }
    }

    private static func open(_ id: String, _ state: inout AppState) -> [Effect] {
        state.screen = .task(id)
        state.selection = id
        state.tab = .log
        state.log = LogBuffer(taskId: id)
        state.detail = nil
        state.scroll = 0
        state.diffFile = 0
        state.attention.remove(id)
        return [.loadLog(taskId: id, before: nil, count: logPage), .loadDetail(taskId: id)]
    }

    private static func select(tab: TaskTab, _ state: inout AppState) -> [Effect] {
        guard case .task = state.screen else { return [] }
        state.tab = tab
        state.scroll = 0
        return []
    }

    /// The task an action is about: the open one, else the board's selection.
    private static func targetTask(_ state: AppState) -> TowerTask? {
        if case .task(let id) = state.screen { return state.tasks[id] }
        return state.selectedTask
    }

    private static func askDecision(_ action: Action, _ state: inout AppState) -> [Effect] {
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
    private static func askBudget(_ state: inout AppState) -> [Effect] {
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

    private static func dialogKey(_ key: Key, _ state: inout AppState) -> [Effect] {
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

    private static func confirm(_ dialog: Dialog, _ state: inout AppState) -> [Effect] {
        let text = dialog.field?.text.trimmingCharacters(in: .whitespaces)
        let note = text?.isEmpty == false ? text : nil
        switch dialog.kind {
        case .approve(let id): return [.approve(taskId: id, note: note)]
        case .reject(let id): return [.reject(taskId: id, reason: note)]
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

    private static func promptKey(_ key: Key, _ state: inout AppState) -> [Effect] {
        guard let prompt = state.prompt else { return [] }
        switch prompt {
        case .filter(var field):
            switch key {
            case .escape:
                state.prompt = nil
                state.filter = ""
            case .enter:
                state.prompt = nil
            default:
                guard field.edit(key) else { return [] }
                state.prompt = .filter(field)
                state.filter = field.text
            }
            let before = state.selection
            state.relist()
            return state.selection != before ? previewEffects(state) : []
        case .search(var field):
            switch key {
            case .escape:
                state.prompt = nil
            case .enter:
                state.prompt = nil
                state.log?.search = field.text.isEmpty ? nil : field.text
                if let query = state.log?.search {
                    jump(&state, forward: true, description: "“\(query)”", fromTop: true) { Self.matches($0.message, query) || $0.agent.contains(query) }
                }
            default:
                if field.edit(key) { state.prompt = .search(field) }
            }
            return []
        case .command(var field):
            switch key {
            case .escape:
                state.prompt = nil
                return []
            case .enter:
                state.prompt = nil
                return ConsoleCommand.run(field.text, &state)
            default:
                if field.edit(key) { state.prompt = .command(field) }
                return []
            }
        }
    }

    /// Smart-case substring match.
    static func matches(_ text: String, _ query: String) -> Bool {
        query.contains { $0.isUppercase } ? text.contains(query) : text.lowercased().contains(query.lowercased())
    }

    /// Moves the log view to the next (or previous) line that satisfies `predicate`.
    private static func jump(_ state: inout AppState, forward: Bool, description: String, fromTop: Bool = false, where predicate: (TaskEvent) -> Bool) {
        guard var log = state.log else { return }
        let rows = Layout.bodyRows(state)
        let current = log.follow ? max(0, log.lines.count - rows) : log.top
        let indices = log.lines.indices
        let found: Int?
        if fromTop {
            found = indices.first { predicate(log.lines[$0]) }
        } else if forward {
            found = indices.first { $0 > current && predicate(log.lines[$0]) }
        } else {
            found = indices.last { $0 < current && predicate(log.lines[$0]) }
        }
        guard let found else {
            state.status = StatusMessage(text: "no \(forward ? "further" : "earlier") \(description) in the loaded lines", level: .info)
            return
        }
        log.follow = false
        log.top = found
        state.log = log
    }

    private static func move(by delta: Int, _ state: inout AppState) -> [Effect] {
        switch state.screen {
        case .board:
            guard !state.visible.isEmpty else { return [] }
            let index = state.selection.flatMap { state.visible.firstIndex(of: $0) } ?? 0
            let next = min(max(0, index.addingReportingOverflow(delta).partialValue), state.visible.count - 1)
            state.selection = state.visible[next]
            clampScroll(&state)
            return previewEffects(state)
        case .outbox:
            state.outboxTop = min(max(0, state.outboxTop + max(-100_000, min(100_000, delta))), max(0, state.outbox.count - 1))
            return []
        case .sentry:
            state.sentryTop = min(max(0, state.sentryTop + max(-100_000, min(100_000, delta))), max(0, state.sentryFingerprints.count - 1))
            return []
        case .deliveries:
            state.deliveriesTop = min(max(0, state.deliveriesTop + max(-100_000, min(100_000, delta))), max(0, state.deliveries.count - 1))
            return []
        case .workers:
            state.workersTop = min(max(0, state.workersTop + max(-100_000, min(100_000, delta))), max(0, state.workers.count - 1))
            return []
        case .task:
            if state.tab == .log, var log = state.log {
                let rows = Layout.bodyRows(state)
                let bottom = max(0, log.lines.count - rows)
                let from = log.follow ? bottom : log.top
                let to = min(max(0, from.addingReportingOverflow(delta).partialValue), bottom)
                log.top = to
                log.follow = to >= bottom && delta > 0
                state.log = log
                if to == 0 && delta < 0 && !log.reachedStart, let first = log.lines.first?.sequence {
                    return [.loadLog(taskId: log.taskId, before: first, count: logPage)]
                }
                return []
            }
            state.scroll = max(0, state.scroll.addingReportingOverflow(delta).partialValue)
            clampScroll(&state)
            return []
        }
    }

    /// Keeps the board selection on screen and scroll offsets in range.
    static func clampScroll(_ state: inout AppState) {
        let rows = Layout.tableRows(state)
        if let selection = state.selection, let index = state.visible.firstIndex(of: selection), rows > 0 {
            if index < state.boardTop { state.boardTop = index }
            if index >= state.boardTop + rows { state.boardTop = index - rows + 1 }
        }
        state.boardTop = max(0, min(state.boardTop, max(0, state.visible.count - rows)))
        if var log = state.log {
            log.top = max(0, min(log.top, max(0, log.lines.count - 1)))
            state.log = log
        }
        let limit = ConsoleView.contentLineCount(state)
        state.scroll = max(0, min(state.scroll, max(0, limit - 1)))
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
