/// Help and dialogs, drawn over whatever screen is showing.
enum Overlays {
    private static func centered(_ size: Size, width: Int, height: Int) -> Rect {
        let w = min(width, size.width - 2)
        let h = min(height, size.height - 2)
        return Rect(x: (size.width - w) / 2, y: (size.height - h) / 2, width: w, height: h)
    }

    static func help(_ canvas: inout Canvas, _ state: AppState) {
        let bindings = state.keyMap.bindings(in: state.contexts)
        let entries: [StyledLine] = bindings.map { b in
            [Span(DisplayWidth.pad(b.label(ascii: state.glyphs == .ascii), to: state.size.width >= 150 ? 12 : 9), Style(.accent, bold: true)), Span(b.summary, Style(.text))]
        }
        let rows = max(1, state.size.height - 6)
        let columns = state.size.width >= 150 || entries.count > rows ? 2 : 1
        let columnWidth = min(72, (state.size.width - 6) / columns)
        var guide: [StyledLine] = []
        for line in state.guide { guide += StyledWrap.wrap([Span(line, Style(.text))], width: columnWidth * columns - 2, indent: 2) }
        if !guide.isEmpty { guide.append([]) }
        let perColumn = (entries.count + columns - 1) / columns
        let frame = centered(state.size, width: columnWidth * columns + 4, height: guide.count + perColumn + 4)
        canvas.fill(frame, style: Style(.dialog))
        canvas.box(frame, glyphs: state.glyphs, title: "Keys — any key closes")
        let inner = frame.inset(1)
        for (row, line) in guide.enumerated() where row + 1 < inner.height {
            canvas.draw(line, x: inner.x + 1, y: inner.y + row, width: inner.width - 2)
        }
        for (i, entry) in entries.enumerated() {
            let column = i / perColumn
            let row = guide.count + i % perColumn
            guard row + 1 < inner.height else { continue }
            canvas.draw(entry, x: inner.x + 1 + column * columnWidth, y: inner.y + row, width: columnWidth - 1)
        }
        canvas.put("Commands: type : then help", x: inner.x + 1, y: inner.maxY - 1, style: Style(.muted), maxWidth: inner.width - 2)
    }

    /// Where a dialog sits and where its buttons are: the drawing and a mouse click agree.
    static func dialogLayout(_ size: Size, _ dialog: Dialog) -> (frame: Rect, body: [StyledLine], confirm: Rect, cancel: Rect) {
        let width = min(72, size.width - 4)
        var body: [StyledLine] = []
        for line in dialog.lines { body += StyledWrap.wrap([Span(line)], width: width - 4, indent: 2) }
        let fieldRows = dialog.field == nil ? 0 : 2
        let frame = centered(size, width: width, height: body.count + fieldRows + 4)
        let inner = frame.inset(1)
        let confirm = DisplayWidth.of("[ \(dialog.confirmLabel) ]"), cancel = DisplayWidth.of("[ Cancel ]")
        let bx = inner.x + max(0, (inner.width - (confirm + 2 + cancel)) / 2)
        let by = inner.maxY - 1
        return (frame, body, Rect(x: bx, y: by, width: confirm, height: 1), Rect(x: bx + confirm + 2, y: by, width: cancel, height: 1))
    }

    static func dialog(_ canvas: inout Canvas, _ state: AppState, _ dialog: Dialog) {
        let (frame, body, confirmButton, cancelButton) = dialogLayout(state.size, dialog)
        let fieldRows = dialog.field == nil ? 0 : 2
        canvas.fill(frame, style: Style(.dialog))
        canvas.box(frame, glyphs: state.glyphs, title: dialog.title)
        let inner = frame.inset(1)
        var y = inner.y
        for line in body.prefix(max(0, inner.height - fieldRows - 2)) {
            canvas.draw(line, x: inner.x + 1, y: y, width: inner.width - 2)
            y += 1
        }
        if let field = dialog.field {
            y += 1
            canvas.draw([Span("\(dialog.fieldLabel ?? "Text"): ", Style(.muted)), Span(field.text + "▏", Style(.accent, underline: true))], x: inner.x + 1, y: y, width: inner.width - 2)
            y += 1
        }
        canvas.put("[ \(dialog.confirmLabel) ]", x: confirmButton.x, y: confirmButton.y, style: dialog.confirmFocused ? Style(.buttonFocused, bold: true, reverse: true) : Style(.button))
        canvas.put("[ Cancel ]", x: cancelButton.x, y: cancelButton.y, style: dialog.confirmFocused ? Style(.button) : Style(.buttonFocused, bold: true, reverse: true))
    }
}
