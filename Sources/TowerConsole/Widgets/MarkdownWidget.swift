import TowerCore

/// Renders Markdown (PLAN.md) for reading in a terminal: headings, tables with aligned columns,
/// checkboxes, bullets, code blocks and inline code, wrapped to the width.
enum MarkdownWidget {
    static func lines(_ markdown: String, width: Int, glyphs: Glyphs) -> [StyledLine] {
        var out: [StyledLine] = []
        let source = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        var inCode = false
        while i < source.count {
            let line = source[i]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                inCode.toggle()
                i += 1
                continue
            }
            if inCode {
                out.append([Span("  " + line, Style(.markdownCode))])
                i += 1
                continue
            }
            if trimmed.hasPrefix("|") {
                var block: [String] = []
                while i < source.count, source[i].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
                    block.append(source[i].trimmingCharacters(in: .whitespaces))
                    i += 1
                }
                out += table(block, width: width, glyphs: glyphs)
                continue
            }
            if let level = headingLevel(trimmed) {
                let text = String(trimmed.dropFirst(level + 1))
                let shown = level == 1 ? text : (level == 2 ? text : "  " + text)
                out.append([Span(shown, Style(.markdownHeading, bold: true, underline: level == 1))])
            } else if let box = checkbox(trimmed) {
                let mark = box.checked ? glyphs.checked : glyphs.unchecked
                out += StyledWrap.wrap([Span("  " + mark + " ", Style(box.checked ? .success : .markdownBullet))] + inline(box.text), width: width, indent: 4)
            } else if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") || trimmed.hasPrefix("+ ") {
                out += StyledWrap.wrap([Span("  " + glyphs.bullet + " ", Style(.markdownBullet))] + inline(String(trimmed.dropFirst(2))), width: width, indent: 4)
            } else if trimmed.isEmpty {
                out.append([])
            } else {
                out += StyledWrap.wrap(inline(line), width: width)
            }
            i += 1
        }
        return out
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    private static func checkbox(_ line: String) -> (checked: Bool, text: String)? {
        for prefix in ["- [ ] ", "* [ ] "] where line.hasPrefix(prefix) { return (false, String(line.dropFirst(prefix.count))) }
        for prefix in ["- [x] ", "- [X] ", "* [x] ", "* [X] "] where line.hasPrefix(prefix) { return (true, String(line.dropFirst(prefix.count))) }
        return nil
    }

    /// `code` spans in the code style, `**bold**` in bold; the rest plain.
    static func inline(_ text: String) -> StyledLine {
        var spans: StyledLine = []
        var current = ""
        var inCode = false
        var bold = false
        var chars = Array(text)
        var i = 0
        func flush() {
            if !current.isEmpty { spans.append(Span(current, inCode ? Style(.markdownCode) : Style(.text, bold: bold))) }
            current = ""
        }
        while i < chars.count {
            if chars[i] == "`" {
                flush()
                inCode.toggle()
            } else if !inCode, chars[i] == "*", i + 1 < chars.count, chars[i + 1] == "*" {
                flush()
                bold.toggle()
                i += 1
            } else {
                current.append(chars[i])
            }
            i += 1
        }
        flush()
        chars.removeAll()
        return spans
    }

    private static func table(_ rows: [String], width: Int, glyphs: Glyphs) -> [StyledLine] {
        let parsed = rows.map(MarkdownTable.cells)
        let body = parsed.filter { !MarkdownTable.isSeparator($0) }
        guard let header = body.first else { return [] }
        let count = body.map(\.count).max() ?? 0
        var widths = (0..<count).map { c in body.map { DisplayWidth.of($0[safe: c] ?? "") }.max() ?? 0 }
        let separator = " \(glyphs.vertical) "
        let available = width - 2 - (count - 1) * DisplayWidth.of(separator)
        while widths.reduce(0, +) > available, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 4 {
            widths[widest] -= 1
        }
        func render(_ row: [String], style: Style) -> StyledLine {
            var line: StyledLine = [Span("  ")]
            for c in 0..<count {
                line.append(Span(DisplayWidth.pad(row[safe: c] ?? "", to: widths[c]), style))
                if c < count - 1 { line.append(Span(separator, Style(.border))) }
            }
            return line
        }
        var out = [render(header, style: Style(.markdownHeading, bold: true))]
        out.append([Span("  " + widths.map { String(repeating: glyphs.horizontal, count: $0) }.joined(separator: glyphs.horizontal + glyphs.horizontal + glyphs.horizontal), Style(.border))])
        for row in body.dropFirst() { out.append(render(row, style: Style(.text))) }
        return out
    }
}
