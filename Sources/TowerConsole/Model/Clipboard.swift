import Foundation
import TowerCore
import TowerEngine

/// What `y` and `Y` copy, as text exactly as the screen shows it. `y` takes what is under the
/// cursor: the board's selected task id; the log line at the top of a paused log (the newest
/// when it follows, the one a search jumped to); the diff hunk at the top of the view; the
/// PLAN.md section there; elsewhere the task's id. `Y` takes the whole view: every loaded log
/// line, the whole file's diff, all of PLAN.md, or the screen's body as drawn.
public enum Clipboard {
    /// Copies longer than this are cut (OSC 52 and tmux buffers are not meant for more) and the
    /// cut is said.
    public static let limit = 100 * 1024

    /// `y`: what is under the cursor, and what it is ("log line", "diff hunk", …).
    public static func underCursor(_ state: AppState) -> (text: String, what: String)? {
        switch state.screen {
        case .board:
            return state.selection.map { ($0, "task id") }
        case .task(let id):
            switch state.tab {
            case .log:
                guard let log = state.log, !log.lines.isEmpty else { return nil }
                let index = log.follow ? log.lines.count - 1 : min(log.top, log.lines.count - 1)
                return (plain(LogWidget.line(log.lines[index], timestamps: log.timestamps, search: nil)), "log line")
            case .diff:
                guard let diff = state.detail?.diffs[safe: state.diffFile] else { return nil }
                return hunk(diff.text, at: state.scroll).map { ($0, "diff hunk") }
            case .plan:
                guard let plan = state.detail?.plan else { return nil }
                return (section(plan, at: state.scroll, width: Layout.taskFrame(state.size).inset(1).width, glyphs: state.glyphs), "PLAN.md section")
            default:
                return (id, "task id")
            }
        case .outbox, .sentry, .deliveries, .workers, .audit, .approvals, .digest:
            return wholeView(state)
        }
    }

    /// `Y`: the whole view.
    public static func wholeView(_ state: AppState) -> (text: String, what: String)? {
        if case .task = state.screen {
            switch state.tab {
            case .log:
                guard let log = state.log, !log.lines.isEmpty else { return nil }
                return (log.lines.map { plain(LogWidget.line($0, timestamps: log.timestamps, search: nil)) }.joined(separator: "\n"), "log (\(log.lines.count) lines loaded)")
            case .diff:
                guard let diff = state.detail?.diffs[safe: state.diffFile] else { return nil }
                return (diff.text, "diff of \(diff.path)")
            case .plan:
                return state.detail?.plan.map { ($0, "PLAN.md") }
            default:
                break
            }
        }
        if state.screen == .digest, let digest = state.digest { return (DigestText.plain(digest, now: state.now), "shift hand-off") }
        let canvas = ConsoleView.render(state)
        let body = Layout.body(state.size)
        let lines = canvas.text().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(body.y).prefix(body.height)
            .map { String($0).replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression) }
        return (lines.joined(separator: "\n"), "view")
    }

    /// The hunk of a unified diff that holds line `line` (the first hunk above the first `@@`).
    static func hunk(_ diff: String, at line: Int) -> String? {
        let lines = diff.split(separator: "\n", omittingEmptySubsequences: false)
        let starts = lines.indices.filter { lines[$0].hasPrefix("@@") }
        guard let first = starts.first else { return nil }
        let start = starts.last { $0 <= line } ?? first
        let end = starts.first { $0 > start } ?? lines.endIndex
        var body = lines[start..<end]
        while body.last?.isEmpty == true { body = body.dropLast() }
        return body.joined(separator: "\n")
    }

    /// The section of `markdown` (from its heading to the next heading of the same or a higher
    /// level) that rendered line `line` falls in, rendered section by section as the Plan tab does.
    static func section(_ markdown: String, at line: Int, width: Int, glyphs: Glyphs) -> String {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        let headings = lines.indices.filter { lines[$0].hasPrefix("#") }
        guard !headings.isEmpty else { return markdown }
        let starts = headings.first == 0 ? headings : [0] + headings
        var rendered = 0
        for (n, start) in starts.enumerated() {
            let end = n + 1 < starts.count ? starts[n + 1] : lines.endIndex
            let piece = lines[start..<end].joined(separator: "\n")
            rendered += MarkdownWidget.lines(piece, width: width, glyphs: glyphs).count
            guard line < rendered || n == starts.count - 1 else { continue }
            // The whole section: its subsections too.
            let level = lines[start].prefix { $0 == "#" }.count
            let close = level == 0 ? end : (headings.first { $0 > start && lines[$0].prefix { $0 == "#" }.count <= level } ?? lines.endIndex)
            var body = lines[start..<close]
            while body.last?.isEmpty == true { body = body.dropLast() }
            return body.joined(separator: "\n")
        }
        return markdown
    }

    /// A styled line's text.
    static func plain(_ line: StyledLine) -> String { line.map(\.text).joined() }

    /// `text` cut to ``limit`` bytes at a character boundary, and whether it was cut.
    public static func cut(_ text: String) -> (text: String, cut: Bool) {
        guard text.utf8.count > limit else { return (text, false) }
        let bytes = Array(text.utf8.prefix(limit + 1))
        var end = limit
        // Back to the start of a scalar: never half a character.
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return (String(decoding: bytes[..<end], as: UTF8.self), true)
    }
}
