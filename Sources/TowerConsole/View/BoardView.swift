import Foundation
import TowerCore
import TowerStore

/// The board: every task in a table, grouped by state, with a log preview on wide terminals.
enum BoardView {
    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        groups(&canvas, state, row: body.row(0))
        let frames = Layout.boardFrames(state.size)
        let title = "\(state.group.title) — \(state.visible.count) task\(state.visible.count == 1 ? "" : "s") — sort: \(state.sort.rawValue)"
            + (state.filter.isEmpty ? "" : " — filter: \(state.filter)")
        canvas.box(frames.table, glyphs: state.glyphs, title: title)
        table(&canvas, state, in: frames.table.inset(1))
        if let preview = frames.preview { self.preview(&canvas, state, in: preview) }
    }

    /// The group tabs' labels and the columns each takes (for a click).
    static func groupTabs(_ state: AppState) -> [(group: BoardGroup, label: String, columns: Range<Int>)] {
        var x = Layout.body(state.size).x + 1
        return BoardGroup.allCases.map { group in
            let label = " \(group.title) \(state.count(of: group)) "
            defer { x += DisplayWidth.of(label) + 1 }
            return (group, label, x..<(x + DisplayWidth.of(label)))
        }
    }

    private static func groups(_ canvas: inout Canvas, _ state: AppState, row: Rect) {
        var spans: StyledLine = [Span(" ")]
        for tab in groupTabs(state) {
            spans.append(Span(tab.label, tab.group == state.group ? Style(.tabActive, bold: true, reverse: true) : Style(.tab)))
            spans.append(Span(" "))
        }
        // What model calls cost today (UTC), across all tasks, once there are any: whole where
        // it fits, else the sum alone ("+?" when some calls have no price).
        let today = state.spendToday
        if today.calls > 0 {
            let used = spans.map { DisplayWidth.of($0.text) }.reduce(0, +)
            let sum = today.unpriced == today.calls ? "price unknown" : String(format: "$%.2f", today.dollars) + (today.unpriced > 0 ? "+?" : "")
            for text in ["  today: \(today.summary)", "  today \(sum)"] where used + DisplayWidth.of(text) <= row.width {
                spans.append(Span(text, Style(.muted)))
                break
            }
        }
        canvas.draw(spans, x: row.x, y: row.y, width: row.width)
    }

    /// A task's cost in a board cell: `$0.045`, `$12.30`, `?` when no call has a price, `~$0.045`
    /// when the calls were replayed (what they would have cost).
    static func cost(_ spend: Spend?) -> String {
        guard let spend, spend.calls > 0 else { return "" }
        if spend.unpriced == spend.calls { return "?" }
        return (spend.replayed > 0 ? "~" : "") + (spend.dollars < 10 ? String(format: "$%.3f", spend.dollars) : String(format: "$%.2f", spend.dollars))
    }

    static func columns(width: Int, cost: Bool = false) -> [Column] {
        var columns = [Column(title: "", width: 1), Column(title: "ID", width: 10), Column(title: "TICKET", width: 10)]
        columns.append(Column(title: "TITLE", width: nil))
        columns.append(Column(title: "STATUS", width: 17))
        if width >= 90 { columns.append(Column(title: "AGENT", width: 9)) }
        columns.append(Column(title: "PROG", width: 4, alignRight: true))
        columns.append(Column(title: "AGE", width: 4, alignRight: true))
        if width >= 100 { columns.append(Column(title: "TRY", width: 3, alignRight: true)) }
        // Each task's model cost, once any task has one ("?" where no call has a price).
        if cost, width >= 110 { columns.append(Column(title: "COST", width: 7, alignRight: true)) }
        return columns
    }

    private static func table(_ canvas: inout Canvas, _ state: AppState, in rect: Rect) {
        guard !state.visible.isEmpty else {
            let message = state.tasks.isEmpty
                ? "No tasks yet. Start one with :run PROJ-123 or :run --description \"…\" (or tower run)."
                : "No task matches \(state.filter.isEmpty ? "this group" : "“\(state.filter)”")."
            canvas.put(message, x: rect.x + 1, y: rect.y + 1, style: Style(.muted), maxWidth: rect.width - 2)
            return
        }
        let columns = columns(width: rect.width, cost: !state.spend.isEmpty)
        let rows = max(0, rect.height - 1)
        let shown = state.visible[state.boardTop..<min(state.visible.count, state.boardTop + rows)]
        let cells: [[Span]] = shown.compactMap { id in
            guard let t = state.tasks[id] else { return nil }
            let attention = state.attention.contains(id)
            var row: [Span] = [
                Span(attention ? "!" : " ", Style(.attention, bold: true)),
                Span(t.id, Style(attention ? .attention : .text, bold: attention)),
                Span(t.ticketId ?? "-", Style(.accent)),
                state.halt(of: id) == nil ? Span(t.title, Style(.text)) : Span("\(state.glyphs.paused) paused: \(t.title)", Style(.warning, bold: true)),
                ConsoleView.status(t.status),
            ]
            if columns.contains(where: { $0.title == "AGENT" }) { row.append(Span(t.currentAgent ?? "-", Style(.muted))) }
            row.append(Span("\(t.progress)%", Style(.text)))
            row.append(Span(Age.short(state.now.timeIntervalSince(t.createdAt)), Style(.muted)))
            if columns.contains(where: { $0.title == "TRY" }) { row.append(Span(t.attempts > 1 || (t.status == .failed && t.attempts > 0) ? "\(t.attempts)" : "", Style(.warning))) }
            if columns.contains(where: { $0.title == "COST" }) { row.append(Span(Self.cost(state.spend[id]), Style(.muted))) }
            return row
        }
        let selected = state.selection.flatMap { shown.firstIndex(of: $0) }.map { $0 - shown.startIndex }
        TableWidget.draw(&canvas, in: rect, columns: columns, rows: cells, selected: selected, glyphs: state.glyphs)
        if state.visible.count > rows {
            let marker = "\(state.boardTop + 1)–\(state.boardTop + shown.count) of \(state.visible.count)"
            canvas.put(" \(marker) ", x: rect.maxX - DisplayWidth.of(marker) - 3, y: rect.maxY, style: Style(.muted))
        }
    }

    private static func preview(_ canvas: inout Canvas, _ state: AppState, in frame: Rect) {
        let task = state.selectedTask
        canvas.box(frame, glyphs: state.glyphs, title: task.map { "Log — \($0.id)" } ?? "Log")
        let inner = frame.inset(1)
        guard let task else { return }
        var lines: [StyledLine] = [
            [Span(task.title, Style(.title, bold: true))],
            [ConsoleView.status(task.status), Span("  \(task.currentAgent ?? "-")  \(task.progress)%", Style(.muted))],
        ]
        if let until = task.waitingUntil, until > state.now {
            lines.append([Span("waiting for \(task.waitingFor ?? "a service") until \(Age.clock(until, now: state.now))", Style(.warning))])
        }
        if let error = task.lastError { lines.append([Span("last error: \(error)", Style(.error))]) }
        lines.append([])
        let events = state.previewTaskId == task.id ? state.preview : []
        var logLines: [StyledLine] = []
        for event in events { logLines += StyledWrap.wrap(LogWidget.line(event, timestamps: true, search: nil), width: inner.width, indent: 2) }
        if events.isEmpty { logLines = [[Span("no log lines yet", Style(.muted))]] }
        let room = max(0, inner.height - lines.count)
        lines += logLines.suffix(room)
        for (i, line) in lines.prefix(inner.height).enumerated() { canvas.draw(line, x: inner.x, y: inner.y + i, width: inner.width) }
    }
}
