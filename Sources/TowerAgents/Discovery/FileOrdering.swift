/// The order a person reads a repository's ranked files in: the sources the change is in, each
/// ahead of the tests that cover it (named under their source: "covered by tests/test_x.py"),
/// then build and configuration, then docs and examples. A ticket about tests or docs puts
/// those first. Pure: the ranking decides the order within each group.
enum FileOrdering {
    /// What the ticket is about, from its own words.
    enum Focus: Equatable {
        case code, tests, docs
    }

    static let testWords: Set<String> = ["test", "tests", "testing", "unittest", "pytest", "flaky", "coverage", "fixture", "fixtures", "tox"]
    static let docWords: Set<String> = ["doc", "docs", "documentation", "readme", "changelog", "tutorial", "sphinx", "mkdocs"]

    /// The ticket's focus: tests or docs when it names them and names no code (a typo in a
    /// docstring, or coverage of `_utils.py`, is about the code), code otherwise. A word that
    /// is also the name of a ranked source module names that code: werkzeug's "test client"
    /// lives in `src/werkzeug/test.py`.
    static func focus(of text: String, keywords: [Keyword] = [], sources: [String] = []) -> Focus {
        if keywords.contains(where: { $0.kind == .identifier || ($0.kind == .path && FileKind.of($0.text) == .source) }) { return .code }
        let modules = Set(sources.map { ContextFiles.stem($0).lowercased() })
        let words = Set(text.lowercased().split { !$0.isLetter }.map(String.init)).subtracting(modules)
        if !words.isDisjoint(with: docWords) { return .docs }
        if !words.isDisjoint(with: testWords) { return .tests }
        return .code
    }

    /// `files` (ranked best first) in reading order, with relevance never rising down the list.
    /// A test never comes before the source it covers (test_tax.py, tax_test.go, tax.test.ts
    /// and TaxTests.swift cover tax): a source ranks at least as high as its best test, because
    /// a test that matches the ticket best says its source is where the change goes, and the
    /// source's reason names its tests. Each test keeps its own place below. Build and
    /// configuration files come after, then docs and examples.
    static func arrange(_ files: [RankedFile], focus: Focus) -> [RankedFile] {
        func group(_ kind: FileKind) -> Int {
            switch (kind, focus) {
            case (.source, .code), (.test, .code), (.test, .tests), (.docs, .docs): 0
            case (.source, _), (.test, _): 1
            case (.build, _), (.config, _): 2
            case (.docs, _), (.example, _): 3
            }
        }
        var files = files
        let stems = files.map { ContextFiles.stem($0.path).lowercased() }
        // Where each file sorts among equals: a claimed test right after the source that claimed it.
        var position = files.indices.map { (first: $0, second: 0) }
        // Each source claims, in ranking order, the tests that cover it; a ticket about tests
        // reads the tests on their own.
        var claimed = Set<Int>()
        if focus != .tests {
            for index in files.indices where files[index].kind == .source {
                let stem = stems[index]
                guard stem.count >= 3 else { continue }
                let tests = files.indices.filter { other in files[other].kind == .test && !claimed.contains(other) && stems[other].contains(stem) }.prefix(2)
                guard !tests.isEmpty else { continue }
                claimed.formUnion(tests)
                files[index].relevance = max(files[index].relevance, tests.map { files[$0].relevance }.max() ?? 0)
                files[index].reason += "; covered by \(tests.map { files[$0].path }.joined(separator: ", "))"
                for test in tests { position[test] = (index, 1) }
            }
        }
        var ordered = files.indices.sorted { a, b in
            let ga = group(files[a].kind), gb = group(files[b].kind)
            if ga != gb { return ga < gb }
            if files[a].relevance != files[b].relevance { return files[a].relevance > files[b].relevance }
            return position[a] < position[b]
        }.map { files[$0] }
        var ceiling = Double.infinity
        for index in ordered.indices {
            ceiling = min(ceiling, ordered[index].relevance)
            ordered[index].relevance = ceiling
        }
        return ordered
    }
}
