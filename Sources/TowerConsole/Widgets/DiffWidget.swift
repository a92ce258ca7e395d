/// A unified diff, coloured line by line.
enum DiffWidget {
    static func lines(_ diff: String) -> [StyledLine] {
        diff.split(separator: "\n", omittingEmptySubsequences: false).map { raw in
            let line = String(raw)
            let role: Role
            if line.hasPrefix("+++") || line.hasPrefix("---") || line.hasPrefix("diff ") || line.hasPrefix("index ") {
                role = .diffFile
            } else if line.hasPrefix("@@") {
                role = .diffHunk
            } else if line.hasPrefix("+") {
                role = .diffAdded
            } else if line.hasPrefix("-") {
                role = .diffRemoved
            } else {
                role = .diffContext
            }
            return [Span(line, Style(role, bold: role == .diffFile))]
        }
    }

    /// Added and removed line counts of a diff.
    static func stats(_ diff: String) -> (added: Int, removed: Int) {
        var added = 0
        var removed = 0
        for line in diff.split(separator: "\n") {
            if line.hasPrefix("+++") || line.hasPrefix("---") { continue }
            if line.hasPrefix("+") { added += 1 } else if line.hasPrefix("-") { removed += 1 }
        }
        return (added, removed)
    }
}
