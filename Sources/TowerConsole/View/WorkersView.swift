import Foundation
import TowerCore
import TowerStore

/// The workers sharing a PostgreSQL store, as an on-call engineer on any jump host sees them:
/// where each runs, whether it is alive (`silent` once it missed a heartbeat, `lost` once its
/// claims expired and the others took its tasks), how many tasks it holds, and how long since it
/// was last heard from.
enum WorkersView {
    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        let live = state.workers.filter { $0.state(at: state.now) == "running" }.count
        canvas.box(body, glyphs: state.glyphs, title: "Workers — \(live) running of \(state.workers.count) on record")
        let inner = body.inset(1)
        guard !state.workers.isEmpty else {
            canvas.put(
                "No workers on record: on SQLite one engine holds the store's lease (the health line names it); workers share a PostgreSQL store (TOWER_STORE_URL).",
                x: inner.x + 1, y: inner.y + 1, style: Style(.muted), maxWidth: inner.width - 2)
            return
        }
        let columns = [
            Column(title: "HOST", width: 18), Column(title: "PID", width: 8), Column(title: "STATE", width: 8), Column(title: "TASKS", width: 6),
            Column(title: "HEARD", width: 10), Column(title: "SINCE", width: 16), Column(title: "WORKER", width: nil),
        ]
        let rows = state.workers.dropFirst(state.workersTop).prefix(inner.height - 1).map { w -> [Span] in
            let condition = w.state(at: state.now)
            let role: Role = condition == "running" ? .success : condition == "silent" ? .warning : condition == "lost" ? .error : .muted
            return [
                Span(w.host, Style(.accent)), Span(String(w.pid), Style(.muted)), Span(condition, Style(role, bold: condition == "lost")),
                Span(String(w.tasksHeld), Style(.text)), Span("\(Age.short(state.now.timeIntervalSince(w.heartbeatAt))) ago", Style(role == .success ? .muted : role)),
                Span(Clock.dateTime(w.startedAt), Style(.muted)), Span(w.id, Style(.muted)),
            ]
        }
        TableWidget.draw(&canvas, in: inner, columns: columns, rows: Array(rows), selected: nil, glyphs: state.glyphs)
    }
}
