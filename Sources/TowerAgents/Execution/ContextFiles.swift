import Foundation
import TowerCore

/// What a piece of work's prompt shows of its repository's checkout: the plan's components *in
/// this repository* (from the plan's structured components, never its rendered cells), Discovery's
/// best files there, the tests that cover them, each whole or cut to what matters, and an outline
/// of the definitions it does not show. Pure, over the checkout's file list and a reader.
enum ContextFiles {
    static let perDirectory = 4
    static let fromDiscovery = 4
    /// Bytes of one file shown before it is cut (about 6,000 tokens).
    static let perFile = 24 << 10
    /// Bytes of outline (about 2,000 tokens).
    static let outlineBudget = 8 << 10
    /// Files read for the outline at most, and their bytes, so that a huge checkout stays cheap.
    static let outlineFiles = 400
    static let outlineBytes = 6 << 20

    /// What the prompt shows.
    struct Context: Sendable {
        /// Files shown, most important first, each whole or cut.
        var files: [(path: String, excerpt: FileExcerpt)]
        /// Component paths of this repository that do not exist in the checkout: what the work
        /// may create.
        var new: [String]
        /// Signatures of definitions not shown (may be empty).
        var outline: String

        /// Each file fenced for a prompt: its path and length, and for a cut one the lines shown.
        func fenced() -> [String] {
            files.map { file in
                var attributes = ["path": file.path, "lines": String(file.excerpt.lineCount)]
                if !file.excerpt.whole { attributes["shown"] = file.excerpt.shownDescription }
                return Fence.wrap(file.excerpt.text, tag: "file", attributes: attributes)
            }
        }

        /// How the model saw `path` when not whole, for ``ChangeApplier``: a file it did not see
        /// whole may not be rewritten whole. `nil` when it was shown whole.
        func notSeenWhole(_ path: String) -> String? {
            guard let shown = files.first(where: { $0.path == path }) else { return "were not shown" }
            return shown.excerpt.whole ? nil : "were shown only lines \(shown.excerpt.shownDescription) of \(shown.excerpt.lineCount) of"
        }
    }

    /// The components that belong to `repository`: those naming it, and in a plan over one
    /// repository those naming none.
    static func components(_ all: [PlanDocument.Component], of repository: String, spansRepositories: Bool) -> [PlanDocument.Component] {
        all.filter { $0.repository == repository || ($0.repository == nil && !spansRepositories) }
    }

    /// Existing files to show, most important first, and the component paths that do not exist
    /// yet (what the task may create). `components` are this repository's; `unresolved` are
    /// component paths of a multi-repository plan that name no repository: shown when the
    /// checkout has them, never announced as creatable here.
    static func select(components: [PlanDocument.Component], unresolved: [String] = [], discovered: [String], files: [String]) -> (existing: [String], new: [String]) {
        let present = Set(files)
        var chosen: [String] = []
        var new: [String] = []
        func add(_ path: String) { if !chosen.contains(path) { chosen.append(path) } }
        func show(_ raw: String) -> Bool {
            let path = raw.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
            if present.contains(path) {
                add(path)
                return true
            }
            let inside = files.filter { $0.hasPrefix(path + "/") && FileKind.of($0) != .docs }
            inside.prefix(perDirectory).forEach(add)
            return !inside.isEmpty
        }
        for component in components where !show(component.path) {
            let path = component.path.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
            if !path.isEmpty, !new.contains(path) { new.append(path) }
        }
        for path in unresolved { _ = show(path) }
        for path in discovered.filter({ present.contains($0) && FileKind.of($0) != .docs }).prefix(fromDiscovery) { add(path) }
        // Tests that name a chosen module: test_tax.py, tax_test.go, tax.test.ts, TaxTests.swift.
        let stems = Set(chosen.filter { FileKind.of($0) == .source }.map(stem))
        for test in files where FileKind.of(test) == .test && !chosen.contains(test) {
            let name = stem(test).lowercased()
            if stems.contains(where: { !$0.isEmpty && name.contains($0.lowercased()) }) { add(test) }
        }
        return (chosen, new)
    }

    /// The shown files within `budget` bytes (each at most ``perFile``, cut around the
    /// definitions `focus` names), and the outline of what is not shown: the cut files' other
    /// definitions, Discovery's files, the shown files' neighbours, then any source file that
    /// defines a name in `focus`.
    static func assemble(
        existing: [String], new: [String], discovered: [String], files: [String], focus: Set<String>, budget: Int, read: (String) -> String?
    ) -> Context {
        var remaining = budget
        var shown: [(path: String, excerpt: FileExcerpt)] = []
        var outlined: [(path: String, definitions: [CodeOutline.Definition])] = []
        for path in existing {
            guard remaining > 512, let text = read(path) else { continue }
            let definitions = CodeOutline.definitions(in: text, path: path)
            let focused = definitions.filter { focus.contains($0.name) }.map(\.line)
            let excerpt = FileExcerpt.of(text, budget: min(remaining, perFile), focus: focused)
            remaining -= excerpt.text.utf8.count
            shown.append((path, excerpt))
            if !excerpt.whole {
                let hidden = definitions.filter { definition in !excerpt.shownRanges.contains { $0.contains(definition.line) } }
                outlined.append(("\(path) (the lines not shown)", hidden))
            }
        }

        // The rest of the repository's code, nearest first.
        let shownPaths = Set(shown.map(\.path))
        let directories = Set((shown.map(\.path) + new).map { ($0 as NSString).deletingLastPathComponent })
        let sources = files.filter { !shownPaths.contains($0) && CodeOutline.knows($0) && FileKind.of($0) == .source }
        let near = sources.filter { directories.contains(($0 as NSString).deletingLastPathComponent) }
        var order: [String] = []
        var seen = Set<String>()
        for path in discovered.filter(sources.contains) + near + sources where seen.insert(path).inserted { order.append(path) }
        let preferred = Set(discovered + near)
        var bytes = 0
        var others: [(path: String, definitions: [CodeOutline.Definition])] = []
        for path in order.prefix(outlineFiles) {
            guard bytes < outlineBytes, let text = read(path) else { continue }
            bytes += text.utf8.count
            let definitions = CodeOutline.definitions(in: text, path: path)
            if preferred.contains(path) {
                outlined.append((path, definitions))
            } else if definitions.contains(where: { focus.contains($0.name) }) {
                others.append((path, definitions))
            }
        }
        return Context(files: shown, new: new, outline: CodeOutline.render(outlined + others, budget: outlineBudget))
    }

    /// Names a text mentions that look like code (`snake_case`, `camelCase`, `CamelCase`, each
    /// part of a dotted name, `call()`s), as Discovery's keywords find them: the definitions a
    /// prompt centres a cut file on.
    static func identifiers(in text: String) -> Set<String> {
        Set(KeywordExtractor.keywords(in: text, limit: 200).filter { $0.kind == .identifier }.map(\.text))
    }

    /// A file's name without its directories and extensions.
    static func stem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.split(separator: ".").first.map(String.init) ?? name
    }
}
