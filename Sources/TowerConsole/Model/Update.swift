import Foundation
import TowerCore
import TowerStore

/// The console's logic as pure functions: a message and the current state in, the next state
/// and the effects to run out. No I/O happens here, so every behaviour is testable as values.
/// This file routes; each screen's keys and data are handled beside it (Update+Board, +Task,
/// +Lists, +Audit, +Decisions, +Prompts, +Data).
public enum Console {
    /// Lines asked for when a log is opened or scrolled back.
    static let logPage = 500
    /// Lines kept for the board's preview pane.
    static let previewLines = 50

    public static func update(_ state: inout AppState, _ message: Message) -> [Effect] {
        switch message {
        case .key(let key):
            return handle(key, &state)
        case .mouse(let event):
            return mouse(event, &state)
        case .resize(let size):
            state.size = size
            clampScroll(&state)
            return []
        case .tick(let now):
            state.now = now
            return []
        case .tasksLoaded(let tasks):
            return tasksLoaded(tasks, &state)
        case .tasksChanged(let changed):
            return tasksChanged(changed, &state)
        case .logLoaded(let taskId, let lines, let total, let older):
            logLoaded(taskId: taskId, lines: lines, total: total, older: older, &state)
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
            detailLoaded(detail, &state)
            return []
        case .workersLoaded(let workers):
            state.workers = workers
            state.workersTop = min(state.workersTop, max(0, workers.count - 1))
            return []
        case .outboxLoaded(let messages):
            state.outbox = messages
            return []
        case .deliveriesLoaded(let deliveries):
            deliveriesLoaded(deliveries, &state)
            return []
        case .sentryLoaded(let passes, let fingerprints):
            state.sentryPasses = passes
            state.sentryFingerprints = fingerprints
            state.sentryTop = min(state.sentryTop, max(0, fingerprints.count - 1))
            return []
        case .auditLoaded(let records):
            auditLoaded(records, &state)
            return []
        case .waitingLoaded(let queue):
            waitingLoaded(queue, &state)
            return []
        case .freezeChanged(let freeze):
            state.freeze = freeze
            return []
        case .digestLoaded(let digest):
            state.digest = digest
            return []
        case .haltsChanged(let halts):
            state.halts = halts
            return []
        case .presenceChanged(let open):
            state.openElsewhere = open
            return []
        case .spendLoaded(let spend, let today):
            state.spend = spend
            state.spendToday = today
            return []
        case .healthChanged(let health):
            state.health = health
            return []
        case .integrationsChecked(let integrations):
            integrationsChecked(integrations, &state)
            return []
        case .actionFinished(let status):
            state.status = status
            return []
        case .themeChanged(let name):
            state.theme = name
            return []
        }
    }

    // MARK: Keys

    static func handle(_ key: Key, _ state: inout AppState) -> [Effect] {
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

    /// An action from the key map or the command line, routed to the screen it belongs to.
    static func perform(_ action: Action, _ state: inout AppState) -> [Effect] {
        switch action {
        case .moveDown: return move(by: 1, &state)
        case .moveUp: return move(by: -1, &state)
        case .pageDown: return move(by: max(1, Layout.bodyRows(state) - 1), &state)
        case .pageUp: return move(by: -max(1, Layout.bodyRows(state) - 1), &state)
        case .top: return move(by: Int.min / 2, &state)
        case .bottom: return move(by: Int.max / 2, &state)
        case .open:
            if state.screen == .approvals {
                guard let item = state.waiting[safe: state.waitingTop] else { return [] }
                return openWaiting(item, &state)
            }
            guard let id = state.selection else { return [] }
            return open(id, &state)
        case .pick: return pick(&state)
        case .back: return back(&state)
        case .help:
            state.showHelp = true
            return []
        case .command:
            state.prompt = .command(TextField())
            return []
        case .filter: return startFilter(&state)
        case .nextGroup, .previousGroup, .sort: return boardAction(action, &state)
        case .outbox, .sentry, .deliveries, .workers, .audit, .approvals: return showList(action, &state)
        case .redeliver: return redeliver(&state)
        case .approve, .reject, .retry, .budget, .freeze, .quit: return decide(action, &state)
        case .nextTab, .previousTab, .tab1, .tab2, .tab3, .tab4, .tab5, .tab6, .tab7, .follow, .wrap, .timestamps, .search, .searchNext,
            .searchPrevious, .nextError, .nextFile, .previousFile, .nextHunk, .previousHunk:
            return taskAction(action, &state)
        case .copy, .copyView:
            guard let (text, what) = action == .copy ? Clipboard.underCursor(state) : Clipboard.wholeView(state), !text.isEmpty else {
                state.status = StatusMessage(text: "nothing to copy here", level: .info)
                return []
            }
            return [.copy(text: text, what: what)]
        case .redraw: return [.redraw]
        }
    }

    /// Esc: the board from any screen; on the board, the filter is cleared.
    static func back(_ state: inout AppState) -> [Effect] {
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
    }

    /// Moves the selection or the view of the screen shown.
    static func move(by delta: Int, _ state: inout AppState) -> [Effect] {
        switch state.screen {
        case .board: return moveBoard(by: delta, &state)
        case .task: return moveTask(by: delta, &state)
        case .outbox, .sentry, .deliveries, .workers, .audit, .approvals, .digest:
            moveList(by: delta, &state)
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

    /// Smart-case substring match.
    static func matches(_ text: String, _ query: String) -> Bool {
        query.contains { $0.isUppercase } ? text.contains(query) : text.lowercased().contains(query.lowercased())
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
