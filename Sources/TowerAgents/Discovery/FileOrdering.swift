/// The order a person reads a repository's ranked files in: the sources the change is in, then
/// the tests that cover them (named under their source: "covered by tests/test_x.py"), then
/// build and configuration, then docs and examples. A ticket about tests or docs puts those
/// first. Pure: the ranking decides the order within each group.
enum FileOrdering {
    /// What the ticket is about, from its own words.
    enum Focus: Equatable {
        case code, tests, docs
    }

    static let testWords: Set<String> = ["test", "tests", "testing", "unittest", "pytest", "flaky", "coverage", "fixture", "fixtures", "tox"]
    static let docWords: Set<String> = ["doc", "docs", "documentation", "readme", "changelog", "tutorial", "sphinx", "mkdocs"]

    /// The ticket's focus: tests or docs when it names them and names no code (a typo in a
    /// docstring, or coverage of `_utils.py`, is about the code), code otherwise.
    static func focus(of text: String, keywords: [Keyword] = []) -> Focus {
        if keywords.contains(where: { $0.kind == .identifier || ($0.kind == .path && FileKind.of($0.text) == .source) }) { return .code }
        let words = Set(text.lowercased().split { !$0.isLetter }.map(String.init))
        if !words.isDisjoint(with: docWords) { return .docs }
        if !words.isDisjoint(with: testWords) { return .tests }
        return .code
    }

    /// `files` (ranked best first) in reading order, with relevance never rising down the list,
    /// and each source's reason naming the listed tests that cover it.
    static func arrange(_ files: [RankedFile], focus: Focus) -> [RankedFile] {
        func group(_ kind: FileKind) -> Int {
            switch (kind, focus) {
            case (.source, .code), (.test, .tests), (.docs, .docs): 0
            case (.source, _): 1
            case (.test, _): 2
            case (.build, _), (.config, _): 3
            case (.docs, _), (.example, _): 4
            }
        }
        var ordered = files.enumerated().sorted { a, b in
            let ga = group(a.element.kind), gb = group(b.element.kind)
            return ga != gb ? ga < gb : a.offset < b.offset
        }.map(\.element)
        // Tests under their source: test_tax.py, tax_test.go, tax.test.ts, TaxTests.swift cover tax.
        let tests = ordered.filter { $0.kind == .test }
        for index in ordered.indices where ordered[index].kind == .source {
            let stem = ContextFiles.stem(ordered[index].path).lowercased()
            guard stem.count >= 3 else { continue }
            let covering = tests.filter { ContextFiles.stem($0.path).lowercased().contains(stem) }.prefix(2).map(\.path)
            if !covering.isEmpty { ordered[index].reason += "; covered by \(covering.joined(separator: ", "))" }
        }
        var ceiling = Double.infinity
        for index in ordered.indices {
            ceiling = min(ceiling, ordered[index].relevance)
            ordered[index].relevance = ceiling
        }
        return ordered
    }
}
