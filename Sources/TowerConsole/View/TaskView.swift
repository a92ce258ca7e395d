import Foundation
import TowerCore

/// One task: a summary line, tabs, and the tab's content in a frame.
enum TaskView {
    /// The tabs' labels and the columns each takes on the tab row (`Layout.body.y + 1`), for a click.
    static func tabColumns() -> [(tab: TaskTab, label: String, columns: Range<Int>)] {
        var x = 1
        return TaskTab.allCases.enumerated().map { i, tab in
            let label = " \(i + 1) \(tab.title) "
            defer { x += DisplayWidth.of(label) + 1 }
            return (tab, label, x..<(x + DisplayWidth.of(label)))
        }
    }

    static func draw(_ canvas: inout Canvas, _ state: AppState, taskId: String) {
        let body = Layout.body(state.size)
        guard let task = state.tasks[taskId] else {
            canvas.put("Task \(taskId) is no longer in the store.", x: 1, y: body.y, style: Style(.warning))
            return
        }
        var summary: StyledLine = [
            Span(" \(task.ticketId ?? task.id) ", Style(.accent, bold: true)), Span(task.title + "  ", Style(.title, bold: true)),
            ConsoleView.status(task.status), Span("  \(task.currentAgent ?? "-")  \(task.progress)%", Style(.muted)),
        ]
        // What its model calls cost, against its budget, right after the status (it is why a
        // task waits for budget).
        if let spend = state.spend[task.id], spend.calls > 0 {
            let cost = BoardView.cost(spend) + (task.budget.map { " of \(String(format: "$%.2f", $0))" } ?? "")
            summary.insert(Span("  " + cost, Style(task.status == .awaitingBudget ? .warning : .muted, bold: task.status == .awaitingBudget)), at: 3)
        }
        if task.cycle > 0 { summary.append(Span("  CI cycle \(task.cycle)", Style(.warning))) }
        // A failed task tried that many times; a running one shows the attempt it is on past the first.
        if task.status == .failed ? task.attempts > 0 : task.attempts > 1 {
            let text = task.status == .failed ? "after \(task.attempts) attempt\(task.attempts == 1 ? "" : "s")" : "attempt \(task.attempts)"
            summary.append(Span("  " + text, Style(.warning)))
        }
        canvas.draw(summary, x: 0, y: body.y, width: body.width)

        var tabs: StyledLine = [Span(" ")]
        for item in tabColumns() {
            tabs.append(Span(item.label, item.tab == state.tab ? Style(.tabActive, bold: true, reverse: true) : Style(.tab)))
            tabs.append(Span(" "))
        }
        canvas.draw(tabs, x: 0, y: body.y + 1, width: body.width)

        let frame = Layout.taskFrame(state.size)
        let inner = frame.inset(1)
        switch state.tab {
        case .log: log(&canvas, state, frame: frame, inner: inner)
        case .plan: plan(&canvas, state, task: task, frame: frame, inner: inner)
        case .diff: diff(&canvas, state, frame: frame, inner: inner)
        case .discovery: discovery(&canvas, state, frame: frame, inner: inner)
        case .ci: ci(&canvas, state, task: task, frame: frame, inner: inner)
        case .timeline: timeline(&canvas, state, task: task, frame: frame, inner: inner)
        case .llm: llm(&canvas, state, frame: frame, inner: inner)
        }
    }

    private static func scrolled(_ canvas: inout Canvas, _ lines: [StyledLine], top: Int, inner: Rect) {
        for (i, line) in lines.dropFirst(top).prefix(inner.height).enumerated() { canvas.draw(line, x: inner.x, y: inner.y + i, width: inner.width) }
    }

    private static func placeholder(_ canvas: inout Canvas, _ text: String, inner: Rect) {
        canvas.put(text, x: inner.x + 1, y: inner.y + 1, style: Style(.muted), maxWidth: inner.width - 2)
    }

    private static func log(_ canvas: inout Canvas, _ state: AppState, frame: Rect, inner: Rect) {
        guard let log = state.log else { return }
        let flags = [log.follow ? "follow" : "paused", log.wrap ? "wrap" : nil, log.search.map { "search: \($0)" }].compactMap { $0 }
        canvas.box(frame, glyphs: state.glyphs, title: "Log — \(log.total) line\(log.total == 1 ? "" : "s") — \(flags.joined(separator: ", "))")
        guard !log.lines.isEmpty else {
            placeholder(&canvas, "No log lines yet.", inner: inner)
            return
        }
        let rows = inner.height
        if log.wrap {
            var out: [StyledLine] = []
            if log.follow {
                for event in log.lines.reversed() {
                    out.insert(contentsOf: StyledWrap.wrap(LogWidget.line(event, timestamps: log.timestamps, search: log.search), width: inner.width, indent: 2), at: 0)
                    if out.count >= rows { break }
                }
                scrolled(&canvas, Array(out.suffix(rows)), top: 0, inner: inner)
            } else {
                for event in log.lines.dropFirst(log.top) {
                    out += StyledWrap.wrap(LogWidget.line(event, timestamps: log.timestamps, search: log.search), width: inner.width, indent: 2)
                    if out.count >= rows { break }
                }
                scrolled(&canvas, out, top: 0, inner: inner)
            }
        } else {
            let top = log.follow ? max(0, log.lines.count - rows) : log.top
            let lines = log.lines.dropFirst(top).prefix(rows).map { LogWidget.line($0, timestamps: log.timestamps, search: log.search) }
            scrolled(&canvas, Array(lines), top: 0, inner: inner)
        }
        if !log.follow {
            let note = " \(state.glyphs.down) paused — f to follow "
            canvas.put(note, x: frame.maxX - DisplayWidth.of(note) - 2, y: frame.maxY - 1, style: Style(.warning, bold: true))
        }
    }

    private static func plan(_ canvas: inout Canvas, _ state: AppState, task: TowerTask, frame: Rect, inner: Rect) {
        let detail = state.detail?.taskId == task.id ? state.detail : nil
        let version = detail.map { $0.planVersions > 1 ? " — version \($0.planVersions)" : "" } ?? ""
        canvas.box(frame, glyphs: state.glyphs, title: "PLAN.md\(version)")
        guard let detail else { return placeholder(&canvas, "Loading…", inner: inner) }
        guard let plan = detail.plan else { return placeholder(&canvas, "No PLAN.md yet: Planning writes it.", inner: inner) }
        scrolled(&canvas, MarkdownWidget.lines(plan, width: inner.width, glyphs: state.glyphs), top: state.scroll, inner: inner)
    }

    private static func diff(_ canvas: inout Canvas, _ state: AppState, frame: Rect, inner: Rect) {
        guard let detail = state.detail, !detail.diffs.isEmpty else {
            canvas.box(frame, glyphs: state.glyphs, title: "Diff")
            return placeholder(&canvas, state.detail == nil ? "Loading…" : "No changes yet: Execution records a diff per file.", inner: inner)
        }
        let index = min(state.diffFile, detail.diffs.count - 1)
        let file = detail.diffs[index]
        canvas.box(frame, glyphs: state.glyphs, title: "Diff — file \(index + 1) of \(detail.diffs.count): \(file.path)")
        var content = inner
        if inner.width >= 100 {
            let listWidth = min(40, inner.width / 4)
            let (list, rest) = inner.splitLeft(listWidth)
            for (i, d) in detail.diffs.prefix(list.height).enumerated() {
                let stats = DiffWidget.stats(d.text)
                let line: StyledLine = [
                    Span(i == index ? state.glyphs.pointer + " " : "  ", Style(.accent)),
                    Span(DisplayWidth.pad(d.path, to: max(1, listWidth - 14)), Style(i == index ? .title : .text, bold: i == index)),
                    Span(" +\(stats.added)", Style(.diffAdded)), Span(" -\(stats.removed)", Style(.diffRemoved)),
                ]
                canvas.draw(line, x: list.x, y: list.y + i, width: list.width - 1)
            }
            for y in list.y..<list.maxY { canvas.put(state.glyphs.vertical, x: list.maxX - 1, y: y, style: Style(.border)) }
            content = Rect(x: rest.x + 1, y: rest.y, width: rest.width - 1, height: rest.height)
        }
        scrolled(&canvas, DiffWidget.lines(file.text), top: state.scroll, inner: content)
    }

    private static func discovery(_ canvas: inout Canvas, _ state: AppState, frame: Rect, inner: Rect) {
        canvas.box(frame, glyphs: state.glyphs, title: "Discovery")
        guard let detail = state.detail else { return placeholder(&canvas, "Loading…", inner: inner) }
        if let error = detail.discoveryError { return placeholder(&canvas, "The discovery result cannot be read: \(error)", inner: inner) }
        guard let result = detail.discovery else { return placeholder(&canvas, "No discovery result yet.", inner: inner) }
        var lines: [StyledLine] = [
            [Span("Complexity ", Style(.muted)), Span(result.estimatedComplexity, Style(.title, bold: true)), Span("   Keywords ", Style(.muted)), Span(result.keywords.joined(separator: ", "))],
        ]
        lines += StyledWrap.wrap([Span("Approach ", Style(.muted)), Span(result.recommendedApproach)], width: inner.width, indent: 9)
        lines.append([])
        // Across repositories, the files to open first; one repository's list says it already.
        if result.relevantRepos.filter({ !$0.files.isEmpty }).count > 1 {
            lines.append([Span("Read first", Style(.markdownHeading, bold: true))])
            for (index, entry) in result.readingOrder.prefix(5).enumerated() {
                lines.append([
                    Span("  \(index + 1). ", Style(.muted)), Span(entry.repository + "/", Style(.muted)), Span(entry.file.path, Style(.text)),
                    Span("  \(entry.file.type)", Style(.muted)), Span(String(format: "  %.2f", entry.file.relevance), Style(.muted)),
                ])
            }
            lines.append([])
        }
        for repo in result.rankedRepos {
            let filled = Int((repo.relevance * 10).rounded())
            lines.append([
                Span(state.glyphs.pointer + " ", Style(.accent)), Span(DisplayWidth.pad(repo.name, to: 24), Style(.title, bold: true)),
                Span(String(repeating: state.glyphs.bar, count: max(0, min(10, filled))), Style(.success)),
                Span(String(repeating: state.glyphs.barEmpty, count: max(0, 10 - filled)), Style(.muted)),
                Span(String(format: " %.2f  ", repo.relevance)), Span(repo.languages.joined(separator: ", "), Style(.muted)),
            ])
            lines += StyledWrap.wrap([Span("    " + repo.reason)], width: inner.width, indent: 4)
            for file in repo.files.sorted(by: { $0.relevance > $1.relevance }) {
                var line: StyledLine = [Span("      " + file.path, Style(.text)), Span("  \(file.type)", Style(.muted)), Span(String(format: "  %.2f", file.relevance), Style(.muted))]
                // Why it ranks there: the keywords it matched and how.
                if let reason = file.reason { line.append(Span("  " + reason, Style(.muted))) }
                lines.append(line)
            }
        }
        if !result.crossRepoDependencies.isEmpty {
            lines.append([])
            lines.append([Span("Cross-repo dependencies", Style(.markdownHeading, bold: true))])
            for d in result.crossRepoDependencies { lines.append([Span("  \(d.from) → \(d.to)"), Span("  \(d.type)", Style(.muted))]) }
        }
        scrolled(&canvas, lines, top: state.scroll, inner: inner)
    }

    private static func ci(_ canvas: inout Canvas, _ state: AppState, task: TowerTask, frame: Rect, inner: Rect) {
        canvas.box(frame, glyphs: state.glyphs, title: "CI")
        guard let detail = state.detail else { return placeholder(&canvas, "Loading…", inner: inner) }
        guard !detail.ciCycles.isEmpty else { return placeholder(&canvas, "No CI runs yet: CI monitoring starts after Execution pushes.", inner: inner) }
        var lines: [StyledLine] = []
        for cycle in detail.ciCycles {
            let failed = cycle.outcome.lowercased().contains("fail")
            lines.append([Span("Cycle \(cycle.cycle)  ", Style(.title, bold: true)), Span(cycle.outcome, Style(failed ? .error : .success))])
            for run in cycle.logs { lines.append([Span("    \(run)", Style(run.contains("escalated") ? .error : .muted))]) }
        }
        scrolled(&canvas, lines, top: state.scroll, inner: inner)
    }

    /// Each call: when, what for, the model, tokens, cost and time, then the answer's first
    /// lines (or why it was refused).
    private static func llm(_ canvas: inout Canvas, _ state: AppState, frame: Rect, inner: Rect) {
        guard let detail = state.detail else {
            canvas.box(frame, glyphs: state.glyphs, title: "LLM calls")
            return placeholder(&canvas, "Loading…", inner: inner)
        }
        let calls = detail.llmCalls
        let tokens = calls.map { $0.inputTokens + $0.outputTokens + $0.cacheWriteTokens + $0.cacheReadTokens }.reduce(0, +)
        let cost = calls.compactMap(\.cost).reduce(0, +)
        // A model missing from the price table is "price unknown", never counted as $0.
        let unpriced = calls.filter { $0.cost == nil }.count
        let total = "$\(String(format: "%.4f", cost))" + (unpriced == 0 ? "" : unpriced == calls.count ? " (price unknown)" : " + \(unpriced) unpriced")
        canvas.box(frame, glyphs: state.glyphs, title: "LLM calls — \(calls.count), \(tokens) tokens, \(total)")
        guard !calls.isEmpty else { return placeholder(&canvas, "No LLM calls for this task.", inner: inner) }
        var lines: [StyledLine] = []
        for call in calls {
            // The figures before the model's name, so that they survive an 80-column terminal.
            let cache = call.cacheReadTokens + call.cacheWriteTokens == 0 ? "" : " (cache r\(call.cacheReadTokens)/w\(call.cacheWriteTokens))"
            let price = call.cost.map { String(format: "$%.4f", $0) } ?? "price unknown"
            let figures = "\(call.inputTokens)→\(call.outputTokens) tok\(cache)  \(price)  \(String(format: "%.1f", Double(call.durationMs) / 1000)) s  "
            lines.append([
                Span(Clock.dateTime(call.at) + "  ", Style(.muted)), Span(DisplayWidth.pad(call.purpose, to: 15), Style(.accent, bold: true)),
                Span(figures, Style(.text)), Span(call.model, Style(.muted)),
            ])
            if let error = call.error { lines.append([Span("    refused: ", Style(.error, bold: true)), Span(error, Style(.error))]) }
            for line in call.answer.split(separator: "\n", omittingEmptySubsequences: true).prefix(6) {
                lines.append([Span("    " + line, Style(.text))])
            }
            lines.append([])
        }
        scrolled(&canvas, lines, top: state.scroll, inner: inner)
    }

    private static func timeline(_ canvas: inout Canvas, _ state: AppState, task: TowerTask, frame: Rect, inner: Rect) {
        canvas.box(frame, glyphs: state.glyphs, title: "Timeline")
        guard let detail = state.detail else { return placeholder(&canvas, "Loading…", inner: inner) }
        var lines: [StyledLine] = detail.timeline.map { event in
            [
                Span(Clock.dateTime(event.at) + "  ", Style(.muted)), Span(DisplayWidth.pad(event.agent, to: 10), Style(.accent)),
                Span(event.message, Style(event.level == .error ? .error : (event.level == .warning ? .warning : .text))),
            ]
        }
        if let approval = detail.approval {
            let line: StyledLine =
                if let decision = approval.decision {
                    [Span("Approval: ", Style(.muted)), Span("\(decision.rawValue) by \(approval.decidedBy ?? "?") via \(approval.channel?.rawValue ?? "?")", Style(decision == .approved ? .success : .error, bold: true))]
                } else {
                    [Span("Approval: ", Style(.muted)), Span("pending since \(Clock.dateTime(approval.requestedAt))", Style(.status("awaiting_approval"), bold: true))]
                }
            lines.insert(contentsOf: [line, []], at: 0)
        }
        if lines.isEmpty { return placeholder(&canvas, "Nothing has happened yet.", inner: inner) }
        scrolled(&canvas, lines, top: state.scroll, inner: inner)
    }
}
