import Foundation
import TowerCore

/// The prompts at the foot of the screen: the filter (the board's or the Audit screen's), the
/// log's search, and the `:` command line.
extension Console {
    static func promptKey(_ key: Key, _ state: inout AppState) -> [Effect] {
        guard let prompt = state.prompt else { return [] }
        switch prompt {
        case .filter(var field):
            var text: String?
            switch key {
            case .escape:
                state.prompt = nil
                text = ""
            case .enter:
                state.prompt = nil
            default:
                guard field.edit(key) else { return [] }
                state.prompt = .filter(field)
                text = field.text
            }
            if state.screen == .audit {
                if let text { filterAudit(text, &state) }
                return []
            }
            if let text { state.filter = text }
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
}
