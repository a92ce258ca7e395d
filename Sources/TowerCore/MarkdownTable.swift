/// Markdown table rows, as PLAN.md and the console read them.
public enum MarkdownTable {
    /// The cells of one row, trimmed, with `\|` read as a literal pipe; outer pipes are optional.
    public static func cells(_ row: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        for ch in row {
            if escaped {
                current.append(ch == "|" ? "|" : "\\\(ch)")
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "|" {
                cells.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        if escaped { current.append("\\") }
        cells.append(current)
        if row.hasPrefix("|") { cells.removeFirst() }
        if row.hasSuffix("|") && !row.hasSuffix("\\|") { cells.removeLast() }
        return cells.map(\.trimmed)
    }

    /// Whether a row is the `|---|:--:|` line under the header.
    public static func isSeparator(_ cells: [String]) -> Bool {
        cells.allSatisfy { !$0.isEmpty && $0.allSatisfy { "-: ".contains($0) } }
    }
}
