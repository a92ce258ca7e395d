import Foundation
import TowerCore

/// The console's view: a pure function of the state into a canvas.
public enum ConsoleView {
    public static func render(_ state: AppState) -> Canvas {
        var canvas = Canvas(size: state.size)
        guard state.size.width >= 20, state.size.height >= 6 else {
            canvas.put("Tower: terminal too small", x: 0, y: 0, style: Style(.warning))
            return canvas
        }
        header(&canvas, state)
        switch state.screen {
        case .board: BoardView.draw(&canvas, state)
        case .task(let id): TaskView.draw(&canvas, state, taskId: id)
        case .outbox: OutboxView.draw(&canvas, state)
        }
        healthLine(&canvas, state)
        footer(&canvas, state)
        if state.showHelp { Overlays.help(&canvas, state) }
        if let dialog = state.dialog { Overlays.dialog(&canvas, state, dialog) }
        return canvas
    }

    private static func header(_ canvas: inout Canvas, _ state: AppState) {
        let width = state.size.width
        canvas.fill(Rect(x: 0, y: 0, width: width, height: 1), style: Style(.statusBar, reverse: true))
        let place: String
        switch state.screen {
        case .board: place = "Board"
        case .task(let id): place = "Task \(id)"
        case .outbox: place = "Outbox"
        }
        var left = " Tower \(state.glyphs.pointer) \(place)"
        let attention = state.attention.count
        if attention > 0 { left += "  ! \(attention) need\(attention == 1 ? "s" : "") attention" }
        canvas.put(left, x: 0, y: 0, style: Style(.statusBar, bold: true, reverse: true))
        var right = "\(state.user)  \(Clock.time(state.now)) UTC "
        if state.freeze.frozen { right = "\(state.glyphs.frozen) FROZEN\(state.freeze.by.map { " by \($0)" } ?? "")  " + right }
        let x = max(DisplayWidth.of(left) + 1, width - DisplayWidth.of(right))
        canvas.put(right, x: x, y: 0, style: Style(.statusBar, reverse: true))
        if state.freeze.frozen {
            canvas.put("\(state.glyphs.frozen) FROZEN", x: x, y: 0, style: Style(.frozen, bold: true, reverse: true))
        }
        if attention > 0 {
            let start = DisplayWidth.of(" Tower \(state.glyphs.pointer) \(place)") + 2
            canvas.restyle(Rect(x: start, y: 0, width: DisplayWidth.of(left) - start, height: 1)) { $0 = Style(.attention, bold: true, reverse: true) }
        }
    }

    private static func healthLine(_ canvas: inout Canvas, _ state: AppState) {
        let y = state.size.height - 2
        var spans: StyledLine = [Span(" engine ", Style(.muted))]
        switch state.health.engine {
        case .runningHere: spans.append(Span("running here", Style(.success)))
        case .watching(let holder): spans.append(Span("watching \(holder)", Style(.accent)))
        case .none: spans.append(Span("none running", Style(.warning)))
        }
        for integration in state.health.integrations {
            spans.append(Span("  \(integration.name) ", Style(.muted)))
            spans.append(integration.configured ? Span("✓", Style(.success)) : Span("–", Style(.muted)))
        }
        spans.append(Span("  LLM ", Style(.muted)))
        spans.append(Span(state.health.llm ?? "none", Style(.text)))
        canvas.draw(spans, x: 0, y: y, width: state.size.width)
    }

    private static func footer(_ canvas: inout Canvas, _ state: AppState) {
        let y = state.size.height - 1
        let width = state.size.width
        if let prompt = state.prompt {
            let (label, field) =
                switch prompt {
                case .filter(let f): ("/", f)
                case .command(let f): (":", f)
                case .search(let f): ("search /", f)
                }
            canvas.put(label + field.text + "▏", x: 0, y: y, style: Style(.accent, bold: true), maxWidth: width)
            return
        }
        if let status = state.status {
            canvas.put(" " + status.text, x: 0, y: y, style: Style(status.level == .error ? .error : .success, bold: status.level == .error), maxWidth: width)
            return
        }
        var spans: StyledLine = []
        for hint in state.keyMap.hints(in: state.contexts) {
            spans.append(Span(" \(hint.keys)", Style(.accent, bold: true)))
            spans.append(Span(" \(hint.label) ", Style(.muted)))
        }
        canvas.draw(spans, x: 0, y: y, width: width)
    }

    /// Lines of the current tab's content, for scroll limits.
    static func contentLineCount(_ state: AppState) -> Int {
        guard case .task = state.screen, let detail = state.detail else { return 0 }
        switch state.tab {
        case .log: return state.log?.lines.count ?? 0
        case .plan: return (detail.plan?.split(separator: "\n", omittingEmptySubsequences: false).count ?? 0) * 2
        case .diff: return detail.diffs[safe: state.diffFile]?.text.split(separator: "\n", omittingEmptySubsequences: false).count ?? 0
        case .discovery: return 200
        case .ci: return detail.ciCycles.count * 4 + 4
        case .timeline: return detail.timeline.count
        }
    }

    /// The status of a task as a styled span.
    static func status(_ status: TaskStatus) -> Span {
        Span(status.rawValue, Style(.status(status.rawValue), bold: status == .awaitingApproval || status == .failed))
    }
}
