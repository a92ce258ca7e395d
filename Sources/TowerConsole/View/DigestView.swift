import Foundation
import TowerCore
import TowerEngine

/// The shift hand-off on screen: the same lines as `tower digest` and the Slack post, headings
/// styled, scrolled with the list keys.
enum DigestView {
    static func draw(_ canvas: inout Canvas, _ state: AppState) {
        let body = Layout.body(state.size)
        canvas.box(body, glyphs: state.glyphs, title: "Digest — the last \(Age.short(state.digestReach)) (:digest 2h, :digest 1d)")
        let inner = body.inset(1)
        guard let digest = state.digest else {
            canvas.put("Loading the hand-off…", x: inner.x + 1, y: inner.y, style: Style(.muted), maxWidth: inner.width - 2)
            return
        }
        let lines = DigestText.lines(digest, now: state.now)
        for (row, line) in lines.dropFirst(state.digestTop).prefix(inner.height).enumerated() {
            let (text, style): (String, Style) =
                switch line.kind {
                case .title: (line.text, Style(.title, bold: true))
                case .heading: (line.text, Style(.accent, bold: true))
                case .entry: ("  \(state.glyphs.bullet) " + line.text, Style(.text))
                case .quiet: ("  " + line.text, Style(.muted))
                }
            canvas.put(text, x: inner.x + 1, y: inner.y + row, style: style, maxWidth: inner.width - 2)
        }
    }
}
