import Foundation
import TowerCore
import TowerStore

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
        case .sentry: SentryView.draw(&canvas, state)
        case .deliveries: DeliveriesView.draw(&canvas, state)
        case .workers: WorkersView.draw(&canvas, state)
        case .audit: AuditView.draw(&canvas, state)
        case .approvals: ApprovalsView.draw(&canvas, state)
        case .digest: DigestView.draw(&canvas, state)
        }
        healthLine(&canvas, state)
        footer(&canvas, state)
        if state.showHelp { Overlays.help(&canvas, state) }
        if let dialog = state.dialog { Overlays.dialog(&canvas, state, dialog) }
        if state.glyphs == .ascii { canvas.makeASCII() }
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
        case .sentry: place = "Sentry"
        case .deliveries: place = "Deliveries"
        case .workers: place = "Workers"
        case .audit: place = "Audit"
        case .approvals: place = "Approvals"
        case .digest: place = "Digest"
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
        // The fullest line that fits: rate-limit headroom goes first, then long words, and last
        // who runs the engine (the workers, and a dead one among them).
        // Integrations that are not configured are left out before the engine's holder is.
        let levels = [(2, true, true), (1, true, true), (0, true, true), (0, true, false), (0, false, false)]
        let line = levels.lazy.map { healthSpans(state, detail: $0.0, engineHolder: $0.1, unconfigured: $0.2) }
            .first { DisplayWidth.of($0.map(\.text).joined()) <= state.size.width }
        canvas.draw(line ?? healthSpans(state, detail: 0, engineHolder: false, unconfigured: false), x: 0, y: state.size.height - 2, width: state.size.width)
    }

    /// The health line at a level of `detail`: 2 everything, 1 without headroom, 0 terse; with
    /// or without who runs the engine when this console watches, and the integrations that are
    /// not configured.
    static func healthSpans(_ state: AppState, detail: Int, engineHolder: Bool = true, unconfigured: Bool = true) -> StyledLine {
        var spans: StyledLine = [Span(" engine ", Style(.muted))]
        switch state.health.engine {
        case .runningHere: spans.append(Span(detail > 0 ? "running here" : "here", Style(.success)))
        case .watching(let holder): spans.append(Span(engineHolder ? "watching \(holder)" : "watching", Style(.accent)))
        case .none: spans.append(Span(detail > 0 ? "none running" : "none", Style(.warning)))
        }
        let glyphs = state.glyphs
        // Pauses: the repositories by name, and how many tasks are held.
        if !state.halts.isEmpty {
            let repositories = state.halts.filter { $0.scope == .repository }.map(\.name)
            let tasks = state.halts.filter { $0.scope == .task }.count
            let named = repositories + (tasks > 0 ? ["\(tasks) task\(tasks == 1 ? "" : "s")"] : [])
            spans.append(Span("  \(glyphs.paused) ", Style(.warning, bold: true)))
            let terse = (named.first ?? "") + (named.count > 1 ? " +\(named.count - 1)" : "")
            spans.append(Span("paused: " + (detail > 0 ? named.joined(separator: ", ") : terse), Style(.warning, bold: true)))
        }
        for integration in state.health.integrations {
            if !unconfigured, case .notConfigured = integration.condition { continue }
            spans.append(Span("  \(integration.name) ", Style(.muted)))
            switch integration.condition {
            case .notConfigured: spans.append(Span(glyphs.absent, Style(.muted)))
            case .unchecked: spans.append(Span(glyphs.ellipsis, Style(.muted)))
            case .ok(let headroom):
                spans.append(Span(glyphs.ok, Style(.success)))
                if let headroom, detail == 2 { spans.append(Span(" \(headroom)", Style(.muted))) }
            case .failed: spans.append(Span(glyphs.failed, Style(.error, bold: true)))
            }
        }
        if let listener = state.health.listener {
            spans.append(Span(detail > 0 ? "  listen " : "  ", Style(.muted)))
            if let problem = listener.problem {
                spans.append(Span(detail > 0 ? "\(listener.address) \(problem)" : "listen \(glyphs.failed)", Style(.error, bold: true)))
            } else {
                spans.append(Span(detail > 0 ? listener.address : ":\(listener.address.split(separator: ":").last ?? "")", Style(.text)))
                spans.append(Span(" \(glyphs.ok)\(listener.accepted)", Style(.success)))
                if listener.refused > 0 { spans.append(Span(" \(glyphs.failed)\(listener.refused)", Style(.error, bold: true))) }
            }
        }
        if let pass = state.health.sentryPass {
            // Terse at 80 columns: "pass 08:30 ✗"; in full: the time to the second and the error.
            let time = detail > 0 ? Clock.time(pass.startedAt) : String(Clock.time(pass.startedAt).prefix(5))
            spans.append(Span(detail > 0 ? "  Sentry pass " : "  pass ", Style(.muted)))
            if pass.finishedAt == nil {
                spans.append(Span(detail > 0 ? "running since \(time)" : "\(time) \(glyphs.ellipsis)", Style(.accent)))
            } else if let error = pass.error {
                spans.append(Span(detail > 0 ? "\(time) failed" : "\(time) \(glyphs.failed)", Style(.error, bold: true)))
                if detail == 2 { spans.append(Span(": \(error.prefix(60))", Style(.error))) }
            } else {
                spans.append(Span(time, Style(.success)))
                if detail > 0 { spans.append(Span(" +\(pass.counts.created)\(pass.counts.failed > 0 ? " \(pass.counts.failed) failed" : "")", Style(pass.counts.failed > 0 ? .warning : .muted))) }
            }
        }
        if detail > 0 || state.health.llm != nil {
            spans.append(Span("  LLM ", Style(.muted)))
            spans.append(Span(state.health.llm ?? "none", Style(.text)))
        }
        return spans
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
        var used = 0
        // Whole hints only: one that does not fit is left out, not cut in half (`?` lists them all).
        for hint in state.keyMap.hints(in: state.contexts, ascii: state.glyphs == .ascii) {
            let keys = " \(hint.keys)"
            let label = " \(hint.label) "
            let needed = DisplayWidth.of(keys) + DisplayWidth.of(label)
            guard used + needed <= width + 1 else { break }
            used += needed
            spans.append(Span(keys, Style(.accent, bold: true)))
            spans.append(Span(label, Style(.muted)))
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
        case .timeline: return detail.timeline.count + 2
        case .llm: return detail.llmCalls.map { min(6, $0.answer.split(separator: "\n").count) + ($0.error == nil ? 2 : 3) }.reduce(0, +)
        }
    }

    /// The status of a task as a styled span.
    static func status(_ status: TaskStatus) -> Span {
        Span(status.rawValue, Style(.status(status.rawValue), bold: status.waitsForPerson || status == .failed))
    }
}
