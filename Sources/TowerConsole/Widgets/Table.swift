/// A table column: a title, a width (or `nil` to take what is left) and its alignment.
struct Column {
    var title: String
    var width: Int?
    var alignRight = false
}

/// Draws a header row and data rows into a rectangle; the selected row is highlighted.
enum TableWidget {
    /// Resolves flexible widths: fixed columns keep theirs, the flexible one takes the rest.
    static func widths(_ columns: [Column], total: Int) -> [Int] {
        let gaps = max(0, columns.count - 1)
        let fixed = columns.compactMap(\.width).reduce(0, +)
        let flexible = max(4, total - fixed - gaps)
        return columns.map { $0.width ?? flexible }
    }

    static func draw(
        _ canvas: inout Canvas, in rect: Rect, columns: [Column], rows: [[Span]], selected: Int?, glyphs: Glyphs
    ) {
        guard rect.height > 0 else { return }
        let widths = widths(columns, total: rect.width)
        var header: StyledLine = []
        for (i, column) in columns.enumerated() {
            let text = column.alignRight ? DisplayWidth.padLeft(column.title, to: widths[i]) : DisplayWidth.pad(column.title, to: widths[i])
            header.append(Span(text + (i < columns.count - 1 ? " " : ""), Style(.muted, bold: true)))
        }
        canvas.draw(header, x: rect.x, y: rect.y, width: rect.width)
        for (r, row) in rows.prefix(rect.height - 1).enumerated() {
            let y = rect.y + 1 + r
            var line: StyledLine = []
            for (i, cell) in row.enumerated() where i < widths.count {
                let text = columns[i].alignRight ? DisplayWidth.padLeft(cell.text, to: widths[i]) : DisplayWidth.pad(cell.text, to: widths[i])
                line.append(Span(text + (i < columns.count - 1 ? " " : ""), cell.style))
            }
            canvas.draw(line, x: rect.x, y: y, width: rect.width)
            if r == selected {
                canvas.restyle(Rect(x: rect.x, y: y, width: rect.width, height: 1)) { style in
                    style.role = .selection
                    style.reverse = true
                }
            }
        }
    }
}
