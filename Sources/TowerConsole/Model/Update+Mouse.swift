import Foundation
import TowerCore

/// The mouse, where it helps (as k9s and lazygit offer it): a click selects a row or a tab, a
/// click on the selected row opens it, the wheel scrolls what the keys scroll, and a click on a
/// dialog's button presses it. The hit tests use the views' own geometry.
extension Console {
    /// Lines the wheel moves per notch.
    static let wheelStep = 3

    static func mouse(_ event: MouseEvent, _ state: inout AppState) -> [Effect] {
        if state.showHelp {
            state.showHelp = false
            return []
        }
        if let dialog = state.dialog {
            guard event.kind == .press else { return [] }
            let layout = Overlays.dialogLayout(state.size, dialog)
            for (button, confirm) in [(layout.confirm, true), (layout.cancel, false)] where button.holds(event.x, event.y) {
                state.dialog?.confirmFocused = confirm
                return dialogKey(.enter, &state)
            }
            return []
        }
        if state.prompt != nil { return [] }
        switch event.kind {
        case .wheelUp: return move(by: -wheelStep, &state)
        case .wheelDown: return move(by: wheelStep, &state)
        case .press: return click(x: event.x, y: event.y, &state)
        }
    }

    static func click(x: Int, y: Int, _ state: inout AppState) -> [Effect] {
        state.status = nil
        let body = Layout.body(state.size)
        switch state.screen {
        case .board:
            if y == body.y, let tab = BoardView.groupTabs(state).first(where: { $0.columns.contains(x) }) {
                state.group = tab.group
                state.relist()
                return previewEffects(state)
            }
            let table = Layout.boardFrames(state.size).table.inset(1)
            let row = y - table.y - 1
            guard table.holds(x, y), row >= 0, state.boardTop + row < state.visible.count else { return [] }
            let id = state.visible[state.boardTop + row]
            if state.selection == id { return open(id, &state) }
            state.selection = id
            clampScroll(&state)
            return previewEffects(state)
        case .task:
            if y == body.y + 1, let tab = TaskView.tabColumns().first(where: { $0.columns.contains(x) }) { return select(tab: tab.tab, &state) }
            return []
        case .approvals:
            let inner = ApprovalsView.areas(state).table
            let row = y - inner.y - 1
            let index = ApprovalsView.firstShown(state) + row
            guard inner.holds(x, y), row >= 0, state.waiting.indices.contains(index) else { return [] }
            if index == state.waitingTop { return openWaiting(state.waiting[index], &state) }
            state.waitingTop = index
            return []
        case .outbox, .sentry, .deliveries, .workers, .audit, .digest:
            return []
        }
    }
}

extension Rect {
    /// Whether the cell at (`x`, `y`) is inside.
    func holds(_ x: Int, _ y: Int) -> Bool { x >= self.x && x < self.x + width && y >= self.y && y < self.y + height }
}
