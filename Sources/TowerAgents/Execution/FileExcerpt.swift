/// A file as a prompt shows it: whole when it fits, otherwise cut to the parts that matter (its
/// head, and the definitions the task names, with room around them), every gap said where it is,
/// so that a model edits what it saw and knows what it did not. Pure.
struct FileExcerpt: Equatable, Sendable {
    /// The text to show, with a `[… lines A–B not shown …]` line at each gap.
    var text: String
    /// Whether every line is shown.
    var whole: Bool
    /// The 1-based line ranges shown, e.g. `1–40, 212–318`.
    var shownRanges: [ClosedRange<Int>]
    /// Lines in the file.
    var lineCount: Int

    /// Lines shown around a focused definition: a little before, more after (its body).
    static let before = 15
    static let after = 80
    /// Lines of the head always shown (imports, module docs, constants).
    static let head = 40

    /// `text` within `budget` bytes. `focus` are the lines (1-based) the task is about, nearest
    /// first; windows around them come after the head, then the head grows with what is left.
    static func of(_ text: String, budget: Int, focus: [Int]) -> FileExcerpt {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if text.utf8.count <= budget {
            return FileExcerpt(text: text, whole: true, shownRanges: lines.isEmpty ? [] : [1...lines.count], lineCount: lines.count)
        }
        var chosen = Set<Int>()  // 0-based line indices
        var used = 0
        func take(_ range: Range<Int>) -> Bool {
            for index in range where !chosen.contains(index) {
                let cost = lines[index].utf8.count + 1
                if used + cost > budget - 200 { return false }
                chosen.insert(index)
                used += cost
            }
            return true
        }
        let count = lines.count
        var room = take(0..<min(head, count))
        for line in focus where room {
            let start = max(0, line - 1 - before), end = min(count, line - 1 + after)
            room = take(start..<end)
        }
        if room { _ = take(0..<count) }

        var ranges: [ClosedRange<Int>] = []
        for index in chosen.sorted() {
            if let last = ranges.last, last.upperBound == index {
                ranges[ranges.count - 1] = last.lowerBound...index + 1
            } else {
                ranges.append(index + 1...index + 1)
            }
        }
        var out: [Substring] = []
        var next = 1
        for range in ranges {
            if range.lowerBound > next { out.append(Substring(gap(next, range.lowerBound - 1))) }
            out.append(contentsOf: lines[(range.lowerBound - 1)..<range.upperBound])
            next = range.upperBound + 1
        }
        if next <= count { out.append(Substring(gap(next, count))) }
        return FileExcerpt(text: out.joined(separator: "\n"), whole: false, shownRanges: ranges, lineCount: count)
    }

    /// The line that marks lines not shown.
    static func gap(_ from: Int, _ to: Int) -> String {
        from == to ? "[… line \(from) not shown …]" : "[… lines \(from)–\(to) not shown …]"
    }

    /// `1–40, 212–318`.
    var shownDescription: String {
        shownRanges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)–\($0.upperBound)" }.joined(separator: ", ")
    }
}
