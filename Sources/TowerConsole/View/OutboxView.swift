/// The outbox: every Slack message and Jira comment Tower posted or failed to post.
enum OutboxView {
    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        canvas.box(body, glyphs: state.glyphs, title: "Outbox — \(state.outbox.count) message\(state.outbox.count == 1 ? "" : "s")")
        let inner = body.inset(1)
        guard !state.outbox.isEmpty else {
            canvas.put("Nothing posted yet. Slack messages and Jira comments appear here, sent or failed.", x: inner.x + 1, y: inner.y + 1, style: Style(.muted), maxWidth: inner.width - 2)
            return
        }
        let columns = [
            Column(title: "TIME", width: 16), Column(title: "SERVICE", width: 7), Column(title: "TARGET", width: 12),
            Column(title: "TASK", width: 10), Column(title: "STATUS", width: 8), Column(title: "MESSAGE", width: nil),
        ]
        let rows = state.outbox.dropFirst(state.outboxTop).prefix(inner.height - 1).map { m -> [Span] in
            // Not sent (the service is not configured) is a fact to see, not an error to fix.
            let role: Role = m.status == .sent ? .success : m.status == .notSent ? .warning : .error
            let label = m.status == .notSent ? "not sent" : m.status.rawValue
            let message = m.status == .notSent ? "\(m.kind): \(m.text.split(separator: "\n").first ?? "")" : m.error.map { "\(m.kind): \($0)" } ?? "\(m.kind): \(m.text.split(separator: "\n").first ?? "")"
            return [
                Span(Clock.dateTime(m.at), Style(.muted)), Span(m.service, Style(.accent)), Span(m.target, Style(.text)),
                Span(m.taskId ?? "-", Style(.muted)), Span(label, Style(role, bold: m.status == .failed)),
                Span(message, Style(m.status == .failed ? .error : .text)),
            ]
        }
        TableWidget.draw(&canvas, in: inner, columns: columns, rows: Array(rows), selected: nil, glyphs: state.glyphs)
    }
}
