import Foundation
import TowerCore
import TowerStore

/// The webhook inbox: where the listener listens and what it took in or refused, when each
/// source last delivered (a webhook that stopped arriving shows its age), then every delivery
/// with its outcome; `R` processes the selected one again.
enum DeliveriesView {
    static let sources = ["github", "jira", "sentry", "slack", "slack-interaction"]

    static func headerRows(_ state: AppState) -> Int {
        2 + min(3, state.health.listener?.refusals.count ?? 0)
    }

    static func rows(_ state: AppState) -> Int {
        Layout.body(state.size).height - 2 - headerRows(state) - 2
    }

    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        canvas.box(body, glyphs: state.glyphs, title: "Deliveries — \(state.deliveries.count) in the inbox")
        let inner = body.inset(1)
        var y = inner.y
        if let listener = state.health.listener {
            let line: StyledLine =
                listener.problem.map { [Span("Not listening on \(listener.address): \($0)", Style(.error, bold: true))] } ?? [
                    Span("Listening on \(listener.address)  ", Style(.text)), Span("\(listener.accepted) taken in", Style(.success)),
                    Span(", \(listener.duplicates) redelivered, ", Style(.muted)),
                    Span("\(listener.refused) refused", Style(listener.refused > 0 ? .error : .muted)),
                ]
            canvas.draw(line, x: inner.x + 1, y: y, width: inner.width - 2)
        } else {
            canvas.put("No listener in this process (tower serve, or set a webhook secret); the inbox below is shared.", x: inner.x + 1, y: y, style: Style(.muted), maxWidth: inner.width - 2)
        }
        y += 1
        // When each source last delivered: a silent webhook is seen, not guessed.
        var last: StyledLine = [Span("Last: ", Style(.muted))]
        for source in sources {
            let newest = state.deliveries.first { $0.source == source }
            last.append(Span("\(source) ", Style(.accent)))
            last.append(Span(newest.map { "\(Age.short(state.now.timeIntervalSince($0.receivedAt))) ago" } ?? "never", Style(newest == nil ? .muted : .text)))
            last.append(Span("   ", Style(.muted)))
        }
        canvas.draw(last, x: inner.x + 1, y: y, width: inner.width - 2)
        y += 1
        for refusal in (state.health.listener?.refusals ?? []).prefix(3) {
            canvas.draw(
                [
                    Span(Clock.time(refusal.at) + " ", Style(.muted)), Span("\(refusal.source) refused \(refusal.status): ", Style(.error, bold: true)),
                    Span(refusal.reason, Style(.error)),
                ], x: inner.x + 1, y: y, width: inner.width - 2)
            y += 1
        }
        y += 1
        guard y < inner.maxY else { return }
        guard !state.deliveries.isEmpty else {
            canvas.put("Nothing delivered yet.", x: inner.x + 1, y: y, style: Style(.muted), maxWidth: inner.width - 2)
            return
        }
        // Narrow terminals keep the outcome readable: the time alone, shorter event and id columns.
        let narrow = inner.width < 140
        let columns = [
            Column(title: "RECEIVED", width: narrow ? 8 : 16), Column(title: "SOURCE", width: narrow ? 6 : 17), Column(title: "EVENT", width: narrow ? 16 : 26),
            Column(title: "DELIVERY", width: narrow ? 12 : 30), Column(title: "OUTCOME", width: nil),
        ]
        let visible = max(0, inner.maxY - y - 1)
        let start = max(0, min(state.deliveriesTop - visible / 2, state.deliveries.count - visible))
        let rows = state.deliveries.dropFirst(start).prefix(visible).map { d -> [Span] in
            let outcome = d.processedAt == nil ? "pending" : d.outcome ?? "processed"
            let role: Role = d.processedAt == nil ? .warning : outcome.hasPrefix("failed") || outcome.hasPrefix("⚠️") || outcome.hasPrefix("⛔") ? .error : outcome.hasPrefix("ignored") ? .muted : .success
            return [
                Span(narrow ? Clock.time(d.receivedAt) : Clock.dateTime(d.receivedAt), Style(.muted)), Span(d.source, Style(.accent)), Span(d.event, Style(.text)), Span(d.id, Style(.muted)),
                Span(outcome, Style(role)),
            ]
        }
        TableWidget.draw(
            &canvas, in: Rect(x: inner.x, y: y, width: inner.width, height: inner.maxY - y), columns: columns, rows: Array(rows),
            selected: state.deliveriesTop - start, glyphs: state.glyphs)
    }
}
