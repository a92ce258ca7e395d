import Foundation
import TowerCore
import TowerEngine

/// The on-call queue: every task waiting for a person, oldest first, each with how long it has
/// waited, its ticket, why it waits, the plan's cost estimate, who else has it open (other
/// consoles on the store) and its title; picked plans marked.
enum ApprovalsView {
    /// Where the queue's table goes: the whole frame, or its upper part when there is room for
    /// the selected row in full below (and the rest of the frame, for it).
    static func areas(_ state: AppState) -> (table: Rect, decision: Rect?) {
        let inner = Layout.body(state.size).inset(1)
        guard !state.waiting.isEmpty, inner.height >= 14 else { return (inner, nil) }
        let (top, rest) = inner.splitTop(min(inner.height / 2, state.waiting.count + 1))
        return (top, rest)
    }

    /// The row shown first: the selection kept in the middle where the queue is longer than the table.
    static func firstShown(_ state: AppState) -> Int {
        let visible = max(0, areas(state).table.height - 1)
        return max(0, min(state.waitingTop - visible / 2, state.waiting.count - visible))
    }

    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        let plans = state.waiting.filter(\.isPlan).count
        let title = "Approvals — \(state.waiting.count) waiting (\(plans) plan\(plans == 1 ? "" : "s"))"
            + (state.picked.isEmpty ? "" : " — \(state.picked.count) picked: a approves, r rejects them together")
        canvas.box(body, glyphs: state.glyphs, title: title)
        let (inner, below) = areas(state)
        // The row under the cursor, in full, below the queue: what is needed to decide.
        if let below, let item = state.waiting[safe: state.waitingTop] { decision(&canvas, state, item, in: below) }
        guard !state.waiting.isEmpty else {
            canvas.put("Nobody is waited for: no plan, budget or CI escalation needs a person.", x: inner.x + 1, y: inner.y + 1, style: Style(.muted), maxWidth: inner.width - 2)
            return
        }
        let narrow = inner.width < 140, roomy = inner.width >= 100
        var columns = [
            Column(title: " ", width: 1), Column(title: "WAITING", width: 8), Column(title: "TICKET", width: narrow ? 10 : 12), Column(title: "WHY", width: narrow ? 22 : 40),
            Column(title: "COST", width: narrow ? 8 : 24),
        ]
        if !narrow { columns.append(Column(title: "REPOSITORIES", width: 22)) }
        if roomy { columns += [Column(title: "PLAN", width: 8), Column(title: "CI", width: 8)] }
        columns += [Column(title: narrow ? "OPEN BY" : "ALSO OPEN BY", width: narrow ? 8 : 16), Column(title: "TITLE", width: nil)]
        let start = firstShown(state)
        let rows = state.waiting.dropFirst(start).prefix(max(0, inner.height - 1)).map { item -> [Span] in
            let role: Role = item.isPlan ? .warning : { if case .escalation = item.reason { return .error } else { return .accent } }()
            var row = [
                Span(state.picked.contains(item.task.id) ? (state.glyphs == .ascii ? "*" : "✓") : " ", Style(.success, bold: true)),
                Span(Age.short(state.now.timeIntervalSince(item.since)), Style(.muted)), Span(item.task.ticketId ?? item.task.id, Style(.accent)),
                Span(item.why, Style(role)), Span(item.estimate ?? "—", Style(.muted)),
            ]
            if !narrow { row.append(Span(item.repositories.isEmpty ? "—" : item.repositories.joined(separator: ", "), Style(.text))) }
            if roomy {
                row.append(Span(item.planTasks.map { "\($0) task\($0 == 1 ? "" : "s")" } ?? "—", Style(.muted)))
                row.append(Span(item.ci, Style(item.ci == "failed" ? .error : .muted)))
            }
            return row + [
                Span(state.openElsewhere[item.task.id]?.joined(separator: ", ") ?? "", Style(.attention, bold: true)),
                state.halt(of: item.task.id) == nil ? Span(item.task.title, Style(.text)) : Span("\(state.glyphs.paused) \(item.task.title)", Style(.warning)),
            ]
        }
        TableWidget.draw(
            &canvas, in: Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height), columns: columns, rows: Array(rows),
            selected: state.waitingTop - start, glyphs: state.glyphs)
    }

    /// The selected row in full: the plan's summary and shape, or the escalation's excerpt, or
    /// what the budget stop says; and where Enter goes.
    static func decision(_ canvas: inout Canvas, _ state: AppState, _ item: WaitingItem, in rect: Rect) {
        canvas.rule(rect, glyphs: state.glyphs)
        let area = Rect(x: rect.x + 1, y: rect.y + 1, width: max(0, rect.width - 2), height: max(0, rect.height - 1))
        var lines: [StyledLine] = [
            [Span("\(item.task.ticketId ?? item.task.id) — \(item.task.title)", Style(.title, bold: true)), Span("  \(item.task.id)", Style(.muted))],
            [Span("waiting \(Age.short(state.now.timeIntervalSince(item.since))): ", Style(.muted)), Span(item.why, Style(item.isPlan ? .warning : .error))],
        ]
        var facts: [String] = []
        if let estimate = item.estimate { facts.append("cost \(estimate)") }
        if !item.repositories.isEmpty { facts.append(item.repositories.joined(separator: ", ")) }
        if let tasks = item.planTasks { facts.append("\(tasks) task\(tasks == 1 ? "" : "s") in the plan") }
        if item.ci != "—" { facts.append("CI \(item.ci)") }
        if let others = state.openElsewhere[item.task.id], !others.isEmpty { facts.append("also open by \(others.joined(separator: ", "))") }
        if let halt = state.halt(of: item.task.id) { facts.append("\(state.glyphs.paused) paused by \(halt.by)") }
        if !facts.isEmpty { lines.append([Span(facts.joined(separator: " · "), Style(.text))]) }
        lines.append([])
        let body: String? =
            switch item.reason {
            case .plan, .planEdited: item.summary.map { "Summary: \($0)" }
            case .escalation(let excerpt): item.task.lastError ?? excerpt
            case .budget: item.task.lastError
            }
        if let body { lines += StyledWrap.wrap([Span(body, Style(.text))], width: area.width, indent: 2) }
        let opens = ["plan": "the plan", "diff": "the edit made to the plan", "ci": "the CI failure", "log": "the log"][item.opensOn] ?? "the task"
        let keys = item.isPlan ? "a approves, r rejects, Enter opens \(opens)" : "Enter opens \(opens); R retries"
        let room = max(0, area.height - 1)
        for (i, line) in lines.prefix(room).enumerated() { canvas.draw(line, x: area.x, y: area.y + i, width: area.width) }
        if area.height > 0 { canvas.put(keys, x: area.x, y: area.maxY - 1, style: Style(.muted), maxWidth: area.width) }
    }
}
