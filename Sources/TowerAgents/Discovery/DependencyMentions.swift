import Foundation
import TowerCore

/// A ticket that speaks of another repository of the organization *as a dependency* ("Update
/// Werkzeug dependency to >= 2.2.2", "upgrade to h3 v2", "dependencies on certifi and
/// httpcore", a changelog's "From Werkzeug, …") is about a repository that declares it, not
/// about the dependency itself: the change is in the user. The named repository's words are
/// all over its own files, so lexically it wins; this step hands the lead to its dependents
/// among the candidates, from the edges the manifests and imports gave. A name without such a
/// cue ("Restore multidict internal state") is left alone: most tickets that name a repository
/// are about that repository. Pure.
enum DependencyMentions {
    /// What the named repository's evidence is scaled by when a candidate declares it.
    static let factor = 0.25

    /// Words that say the name after them is a dependency: "depends on", "upgrade to",
    /// "migrate from", "requires", "bump".
    static let cues = [
        "depend", "depends", "depending", "dependency", "dependencies", "require", "requires", "requirement", "requirements", "upgrade", "upgrades",
        "upgraded", "upgrading", "bump", "bumps", "bumped", "pin", "pins", "pinned", "migrate", "migrates", "migrated", "migrating", "migration",
    ]
    /// Words that say the name before them is a dependency: "Werkzeug dependency".
    static let trailing = ["dependency", "dependencies", "requirement", "requirements"]

    /// The short names of `repositories` that `text` speaks of as a dependency: followed by a
    /// trailing cue word, within four words after a cue word, or opening a sentence as "From X,"
    /// (how a changelog credits a change it inherits). A version or "release" after the name is
    /// no cue: a project's own changelog names its own releases ("introduced by multidict 6.5.0").
    /// A name inside a dotted path, a URL or an identifier (`yarl.URL`, `github.com/aio-libs/yarl`) is not one.
    static func named(in text: String, repositories: [String]) -> [String] {
        let lower = KeywordExtractor.withoutReferences(text).lowercased()
        return repositories.map(CrossRepoDependencies.shortName).filter { name in
            let escaped = NSRegularExpression.escapedPattern(for: name.lowercased())
            // The name as a word of its own, maybe in backticks: not `x.y`, `/x`, `x-y` or `x_y`.
            let word = #"(?<![\w./\-])`?"# + escaped + #"`?(?![\w\-]|\.\w)"#
            let patterns = [
                word + #"\s+(?:"# + trailing.joined(separator: "|") + #")\b"#,
                #"\b(?:"# + cues.joined(separator: "|") + #")\b(?:\W+[\w`]+){0,3}?\W+"# + word,
                #"(?:^|[.!?]\s+|\n\s*[-*]?\s*)from\s+"# + word + #"\s*,"#,
            ]
            return patterns.contains { lower.range(of: $0, options: .regularExpression) != nil }
        }
    }

    /// `repositories` with each one the ticket names as a dependency scaled down by ``factor``,
    /// files and all, when another ranked repository declares or imports it (`edges`, "A → B"
    /// when A uses B); the reason says so. Relevances are recomputed over the new best.
    static func adjust(_ repositories: [RankedRepository], named: [String], edges: [DiscoveryResult.Dependency]) -> [RankedRepository] {
        guard !named.isEmpty else { return repositories }
        let ranked = Set(repositories.map { CrossRepoDependencies.shortName($0.name) })
        var changed = false
        var adjusted = repositories.map { repo -> RankedRepository in
            let name = CrossRepoDependencies.shortName(repo.name)
            guard named.contains(name) else { return repo }
            let users = edges.filter { $0.to == name && $0.type == "library" && ranked.contains($0.from) }.map(\.from)
            guard let user = Set(users).sorted().first else { return repo }
            var repo = repo
            changed = true
            repo.score *= factor
            for index in repo.files.indices { repo.files[index].score *= factor }
            repo.reason += "; ×\(String(format: "%.2f", factor)): the ticket names \(name) as a dependency, and \(user) uses it"
            return repo
        }
        guard changed else { return repositories }
        adjusted.sort { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
        let bestRepository = adjusted.first?.score ?? 1
        let bestFile = adjusted.flatMap { $0.files.map(\.score) }.max() ?? 1
        for index in adjusted.indices {
            adjusted[index].relevance = LexicalRanker.round(adjusted[index].score / bestRepository)
            for file in adjusted[index].files.indices { adjusted[index].files[file].relevance = LexicalRanker.round(adjusted[index].files[file].score / bestFile) }
        }
        return adjusted
    }
}
