import Foundation
import TowerCore
import TowerEngine

/// The board: opening a task, the filter, groups and sort, moving the selection.
extension Console {
    static func open(_ id: String, _ state: inout AppState) -> [Effect] {
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

    /// A row of the Approvals screen opens on what it waits for: the plan, the edit made to it,
    /// the CI failure's excerpt, or the log (budget).
    static func openWaiting(_ item: WaitingItem, _ state: inout AppState) -> [Effect] {
        let effects = open(item.task.id, &state)
        state.tab = TaskTab(rawValue: item.opensOn) ?? .log
        return effects
    }

    /// `/`: the filter of the screen shown (the board's, or the Audit screen's).
    static func startFilter(_ state: inout AppState) -> [Effect] {
        state.prompt = .filter(TextField(state.screen == .audit ? state.auditFilter : state.filter))
        return []
    }

    static func boardAction(_ action: Action, _ state: inout AppState) -> [Effect] {
        switch action {
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
        default:
            return []
        }
    }

    static func moveBoard(by delta: Int, _ state: inout AppState) -> [Effect] {
        guard !state.visible.isEmpty else { return [] }
        let index = state.selection.flatMap { state.visible.firstIndex(of: $0) } ?? 0
        let next = min(max(0, index.addingReportingOverflow(delta).partialValue), state.visible.count - 1)
        state.selection = state.visible[next]
        clampScroll(&state)
        return previewEffects(state)
    }
}
