import Foundation
import TowerStore

/// The Sentry monitor: its last passes with their counts (a failed one in red, with Sentry's or
/// Jira's words), then every fingerprint on record with its ticket and when it lapses. A claim
/// without a ticket is a bug being filed, or one a dead pass left for the next to settle.
enum SentryView {
    /// Passes shown at most (the newest).
    static let passRows = 6

    static func fingerprintRows(_ state: AppState) -> Int {
        let body = Layout.body(state.size)
        return body.height - 2 - (min(passRows, max(1, state.sentryPasses.count)) + 2) - 2
    }

    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        canvas.box(body, glyphs: state.glyphs, title: "Sentry — \(state.sentryPasses.count) recent pass\(state.sentryPasses.count == 1 ? "" : "es"), \(state.sentryFingerprints.count) fingerprint\(state.sentryFingerprints.count == 1 ? "" : "s")")
        let inner = body.inset(1)
        guard !state.sentryPasses.isEmpty || !state.sentryFingerprints.isEmpty else {
            canvas.put(
                "No Sentry pass yet. The engine runs one every TOWER_SENTRY_INTERVAL once Sentry, Jira and JIRA_PROJECT_KEY are set; tower monitor-sentry runs one now.",
                x: inner.x + 1, y: inner.y + 1, style: Style(.muted), maxWidth: inner.width - 2)
            return
        }
        let shownPasses = min(passRows, max(1, state.sentryPasses.count))
        let passColumns = [
            Column(title: "STARTED", width: 16), Column(title: "TRIGGER", width: 9), Column(title: "CHECKED", width: 7), Column(title: "OVER", width: 5),
            Column(title: "DEDUP", width: 5), Column(title: "CREATED", width: 7), Column(title: "FAILED", width: 6), Column(title: "RESULT", width: nil),
        ]
        let passes = state.sentryPasses.prefix(shownPasses).map { pass -> [Span] in
            let result: Span =
                if pass.finishedAt == nil {
                    Span("running, or stopped before it ended", Style(.warning))
                } else if let error = pass.error {
                    Span("failed: \(error)", Style(.error, bold: true))
                } else if pass.counts.failed > 0 {
                    Span("\(pass.counts.failed) left for the next pass", Style(.warning))
                } else {
                    Span("ok", Style(.success))
                }
            let c = pass.counts
            return [
                Span(Clock.dateTime(pass.startedAt), Style(.muted)), Span(pass.trigger.rawValue, Style(.accent)), Span("\(c.checked)", Style(.text)),
                Span("\(c.overThreshold)", Style(.text)), Span("\(c.deduplicated)", Style(.muted)), Span("\(c.created)", Style(c.created > 0 ? .success : .text)),
                Span("\(c.failed)", Style(c.failed > 0 ? .error : .muted)), result,
            ]
        }
        TableWidget.draw(
            &canvas, in: Rect(x: inner.x, y: inner.y, width: inner.width, height: shownPasses + 1), columns: passColumns, rows: Array(passes), selected: nil,
            glyphs: state.glyphs)

        let top = inner.y + shownPasses + 2
        guard top < inner.maxY else { return }
        let columns = [
            Column(title: "FINGERPRINT", width: 12), Column(title: "PROJECT", width: 12), Column(title: "LEVEL", width: 7), Column(title: "TICKET", width: 12),
            Column(title: "LAPSES", width: 10), Column(title: "TITLE", width: nil),
        ]
        let rows = state.sentryFingerprints.dropFirst(state.sentryTop).prefix(max(0, inner.maxY - top - 1)).map { f -> [Span] in
            [
                Span(f.fingerprint, Style(.muted)), Span(f.project, Style(.text)), Span(f.level, Style(f.level == "fatal" || f.level == "error" ? .error : .warning)),
                f.ticketId.map { Span($0, Style(.accent, bold: true)) } ?? Span("claimed", Style(.warning)),
                Span(String(Clock.dateTime(f.expiresAt).prefix(10)), Style(.muted)), Span(f.title, Style(.text)),
            ]
        }
        TableWidget.draw(
            &canvas, in: Rect(x: inner.x, y: top, width: inner.width, height: inner.maxY - top), columns: columns, rows: Array(rows), selected: nil,
            glyphs: state.glyphs)
    }
}
