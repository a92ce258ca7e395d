import TowerServices

/// Applies a ``CodeChangeAnswer`` to the files as they are, all or nothing: one problem in any
/// file refuses the whole answer, and the problems go back to the model. Pure: the caller reads
/// the files (inside the checkout's confinement) and writes the result.
enum ChangeApplier {
    /// Existing files longer than this are changed with edits, not rewritten whole.
    static let wholeFileLines = 250
    static let wholeFileBytes = 12 << 10

    /// The files to write, or the problems that refuse the answer. `current` reads a file as it
    /// is now (`nil` when there is none); `notSeenWhole` says how the prompt showed a file
    /// it did not show whole ("were shown only lines 1–40 of", "were not shown"; `nil`: whole). A whole new content for a
    /// file the model saw only part of would delete what it never saw, so only edits may change it.
    static func apply(
        _ answer: CodeChangeAnswer, current: (String) -> String?, notSeenWhole: (String) -> String? = { _ in nil }
    ) -> (changes: [FileChange], problems: [String]) {
        var problems: [String] = []
        var changes: [FileChange] = []
        var seen = Set<String>()
        for (index, file) in answer.files.enumerated() {
            let at = "$.files[\(index)] (\(file.path))"
            if let problem = pathProblem(file.path) {
                problems.append("\(at): \(problem)")
                continue
            }
            guard seen.insert(file.path).inserted else {
                problems.append("\(at): the same file appears twice; give all its changes in one entry")
                continue
            }
            let existing = current(file.path)
            switch file.action {
            case "create":
                guard let content = file.content, file.edits == nil else { problems.append("\(at): create needs content and no edits"); continue }
                if existing != nil { problems.append("\(at): the file already exists; use edit (or replace for a small file)"); continue }
                changes.append(FileChange(path: file.path, content: content))
            case "replace":
                guard let content = file.content, file.edits == nil else { problems.append("\(at): replace needs content and no edits"); continue }
                guard let existing else { problems.append("\(at): the file does not exist; use create"); continue }
                if let seen = notSeenWhole(file.path) {
                    problems.append(
                        "\(at): you \(seen) this file; a whole new content would delete the lines you did not see. Change it with edit (search/replace blocks on lines you were shown)")
                    continue
                }
                let lines = existing.split(separator: "\n", omittingEmptySubsequences: false).count
                if lines > wholeFileLines || existing.utf8.count > wholeFileBytes {
                    problems.append("\(at): the file has \(lines) lines; change it with edit (search/replace blocks), not a whole new content")
                    continue
                }
                changes.append(FileChange(path: file.path, content: content))
            case "edit":
                guard let edits = file.edits, !edits.isEmpty, file.content == nil else { problems.append("\(at): edit needs edits and no content"); continue }
                guard var text = existing else { problems.append("\(at): the file does not exist; use create"); continue }
                var refused = false
                for (number, edit) in edits.enumerated() {
                    let count = occurrences(of: edit.search, in: text)
                    if count != 1 {
                        problems.append(
                            "\(at): edit \(number + 1): the search text "
                                + (count == 0
                                    ? "is not in the file (it must match exactly, whitespace included, after the edits before it)"
                                    : "appears \(count) times; include more surrounding lines so that it matches once"))
                        refused = true
                        continue
                    }
                    text = text.replacingOccurrences(of: edit.search, with: edit.replace)
                }
                if !refused { changes.append(FileChange(path: file.path, content: text)) }
            default:
                problems.append("\(at): unknown action \(file.action)")
            }
        }
        if problems.isEmpty, changes.allSatisfy({ current($0.path) == $0.content }) {
            problems.append("$.files: the answer changes nothing")
        }
        return problems.isEmpty ? (changes, []) : ([], problems)
    }

    /// Why a path may not be written, or `nil`: only relative paths inside the checkout, never
    /// git's own directory, never the approved PLAN.md.
    static func pathProblem(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.isEmpty || path.hasPrefix("/") || path.contains("\0") || path.contains("\\") || path.utf8.count > 400
            || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        {
            return "not a path inside the repository"
        }
        if parts.contains(where: { $0 == ".git" }) { return "git's own files cannot be changed" }
        if path == "PLAN.md" { return "PLAN.md is the approved plan; it is not changed by code" }
        return nil
    }

    /// Non-overlapping occurrences (what `replacingOccurrences` would replace).
    static func occurrences(of needle: String, in haystack: String) -> Int {
        guard !needle.isEmpty else { return 0 }
        var count = 0
        var range = haystack.startIndex..<haystack.endIndex
        while let found = haystack.range(of: needle, range: range) {
            count += 1
            range = found.upperBound..<haystack.endIndex
        }
        return count
    }
}
