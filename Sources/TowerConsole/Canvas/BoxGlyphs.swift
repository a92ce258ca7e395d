/// The characters frames, rules and marks are drawn with: Unicode when the terminal speaks
/// UTF-8, plain ASCII otherwise (a serial console, `LANG=C`).
public struct Glyphs: Sendable, Equatable {
    public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight, teeLeft, teeRight: String
    public var pointer, checked, unchecked, ellipsis, bullet, up, down, frozen, paused, bar, barEmpty: String
    /// Health marks: a service answered, failed, or is not configured.
    public var ok, failed, absent: String

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘", teeLeft: "├", teeRight: "┤",
        pointer: "▸", checked: "☑", unchecked: "☐", ellipsis: "…", bullet: "•", up: "↑", down: "↓", frozen: "❄", paused: "⏸", bar: "█", barEmpty: "░",
        ok: "✓", failed: "✗", absent: "–")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+", teeLeft: "+", teeRight: "+",
        pointer: ">", checked: "[x]", unchecked: "[ ]", ellipsis: "~", bullet: "*", up: "^", down: "v", frozen: "*", paused: "||", bar: "#", barEmpty: ".",
        ok: "ok", failed: "FAIL", absent: "-")
}

extension Canvas {
    /// A frame around `rect` with an optional title in its top edge.
    public mutating func box(_ rect: Rect, glyphs: Glyphs, title: String? = nil, style: Style = Style(.border), titleStyle: Style = Style(.title, bold: true)) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let h = String(repeating: glyphs.horizontal, count: rect.width - 2)
        put(glyphs.topLeft + h + glyphs.topRight, x: rect.x, y: rect.y, style: style)
        put(glyphs.bottomLeft + h + glyphs.bottomRight, x: rect.x, y: rect.maxY - 1, style: style)
        for y in (rect.y + 1)..<(rect.maxY - 1) {
            put(glyphs.vertical, x: rect.x, y: y, style: style)
            put(glyphs.vertical, x: rect.maxX - 1, y: y, style: style)
        }
        if let title, rect.width > 6 {
            put(" \(DisplayWidth.truncate(title, to: rect.width - 6)) ", x: rect.x + 2, y: rect.y, style: titleStyle)
        }
    }

    /// A horizontal rule across `rect`'s first row.
    public mutating func rule(_ rect: Rect, glyphs: Glyphs, style: Style = Style(.border)) {
        put(String(repeating: glyphs.horizontal, count: rect.width), x: rect.x, y: rect.y, style: style)
    }
}
