import Foundation
import TowerCore

/// A task's screen: its tabs, the log (follow, wrap, timestamps, search, errors) and the diffs
/// (files, hunks).
extension Console {
    static func taskAction(_ action: Action, _ state: inout AppState) -> [Effect] {
        switch action {
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
        case .wrap:
            state.log?.wrap.toggle()
        case .timestamps:
            state.log?.timestamps.toggle()
        case .search:
            state.prompt = .search(TextField(state.log?.search ?? ""))
        case .searchNext, .searchPrevious:
            guard let query = state.log?.search, !query.isEmpty else {
                state.status = StatusMessage(text: "no search: press / to search", level: .info)
                return []
            }
            jump(&state, forward: action == .searchNext, description: "“\(query)”") { Self.matches($0.message, query) || $0.agent.contains(query) }
        case .nextError:
            jump(&state, forward: true, description: "error") { $0.level == .error }
        case .nextFile, .previousFile:
            guard let count = state.detail?.diffs.count, count > 0 else { return [] }
            state.diffFile = (state.diffFile + (action == .nextFile ? 1 : count - 1)) % count
            state.scroll = 0
        case .nextHunk, .previousHunk:
            guard let diff = state.detail?.diffs[safe: state.diffFile] else { return [] }
            let hunks = diff.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { $0.element.hasPrefix("@@") }.map(\.offset)
            let target = action == .nextHunk ? hunks.first { $0 > state.scroll } : hunks.last { $0 < state.scroll }
            if let target { state.scroll = target }
        default:
            break
        }
        return []
    }

    static func select(tab: TaskTab, _ state: inout AppState) -> [Effect] {
        guard case .task = state.screen else { return [] }
        state.tab = tab
        state.scroll = 0
        return []
    }

    /// Moves the log view to the next (or previous) line that satisfies `predicate`.
    static func jump(_ state: inout AppState, forward: Bool, description: String, fromTop: Bool = false, where predicate: (TaskEvent) -> Bool) {
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

    /// Scrolls the log (asking for older lines at its top) or the other tabs.
    static func moveTask(by delta: Int, _ state: inout AppState) -> [Effect] {
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
