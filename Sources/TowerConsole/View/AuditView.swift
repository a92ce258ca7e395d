import Foundation
import TowerCore
import TowerStore

/// The audit trail as an on-call engineer reads it: who decided what, through which channel,
/// when, with the note and the plan version approved; and each effect Tower caused on another
/// service with its idempotency key. Newest first; `/` filters by person, task, channel or action.
enum AuditView {
    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        let shown = state.visibleAudit
        let decisions = shown.filter { $0.kind == .decision }.count
        let title = "Audit — \(decisions) decision\(decisions == 1 ? "" : "s"), \(shown.count - decisions) effect\(shown.count - decisions == 1 ? "" : "s")"
            + (state.auditFilter.isEmpty ? " (latest \(state.audit.count))" : " matching “\(state.auditFilter)”")
        canvas.box(body, glyphs: state.glyphs, title: title)
        let inner = body.inset(1)
        guard !shown.isEmpty else {
            let why = state.audit.isEmpty ? "Nothing recorded yet: decisions (approve, reject, retry, freeze, budget, redeliver) and effects appear here as they happen." : "No record matches “\(state.auditFilter)”: Esc clears the filter (/ to change it)."
            canvas.put(why, x: inner.x + 1, y: inner.y + 1, style: Style(.muted), maxWidth: inner.width - 2)
            return
        }
        let narrow = inner.width < 140
        let columns = [
            Column(title: "WHEN", width: narrow ? 8 : 19), Column(title: "ACTION", width: 16), Column(title: "TASK", width: 12), Column(title: "WHO", width: 14),
            Column(title: "VIA", width: 10), Column(title: "NOTE, PLAN OR KEY", width: nil),
        ]
        let visible = max(0, inner.height - 1)
        let start = max(0, min(state.auditTop - visible / 2, shown.count - visible))
        let rows = shown.dropFirst(start).prefix(visible).map { record -> [Span] in
            let decision = record.kind == .decision
            let role: Role = !decision ? .muted : ["reject", "budget_stop", "freeze"].contains(record.action) ? .warning : .success
            return [
                Span(narrow ? Clock.time(record.at) : Clock.dateTime(record.at), Style(.muted)), Span(record.action, Style(role, bold: decision)),
                Span(record.taskId ?? "—", Style(.accent)), Span(record.user, Style(decision ? .text : .muted)), Span(record.channel, Style(.muted)),
                Span(summary(record), Style(decision ? .text : .muted)),
            ]
        }
        TableWidget.draw(
            &canvas, in: Rect(x: inner.x, y: inner.y, width: inner.width, height: inner.height), columns: columns, rows: Array(rows),
            selected: state.auditTop - start, glyphs: state.glyphs)
    }

    /// The row's last column: a decision's note and the plan it approved; an effect's key and detail.
    static func summary(_ record: AuditRecord) -> String {
        let parts = [record.note.map { "“\($0)”" }, record.planVersion.map { "plan \($0.prefix(12))" }, record.key, record.detail].compactMap { $0 }
        return parts.joined(separator: "  ").replacingOccurrences(of: "\n", with: " ")
    }
}
