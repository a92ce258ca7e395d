import Foundation
import TowerCore

/// How a ticket names a repository of the organization, beyond its words.
///
/// A ticket that speaks of another repository of the organization *as a dependency* ("Update
/// Werkzeug dependency to >= 2.2.2", "upgrade to h3 v2", "dependencies on certifi and
/// httpcore", a changelog's "From Werkzeug, …") is about a repository that declares it, not
/// about the dependency itself: the change is in the user. The named repository's words are
/// all over its own files, so lexically it wins; this step hands the lead to its dependents
/// among the candidates, from the edges the manifests and imports gave. A name without such a
/// cue ("Restore multidict internal state") is left alone: most tickets that name a repository
/// are about that repository.
///
/// A ticket that names a repository's API by its package (`multidict.MultiDict.update`,
/// `itsdangerous.json`, `h3.fetch`) is about that repository: its evidence is doubled. Pure.
enum RepositoryMentions {
    /// What the named repository's evidence is scaled by when a candidate declares it.
    static let factor = 0.25
    /// What a repository whose API the ticket names is scaled by.
    static let apiFactor = 2.0

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

    /// The repositories whose package `text` names with a member, in a code span or not:
    /// `multidict.MultiDict`, `itsdangerous.json`. `published` adds the names the repositories'
    /// manifests publish (`jinja2` for jinja).
    static func namedAPIs(in text: String, repositories: [String], published: [String: Set<String>] = [:]) -> [String] {
        let accesses = KeywordExtractor.matches(#"(?<![\w.\-/])([A-Za-z_][A-Za-z0-9_\-]*\.[A-Za-z_]\w*)"#, in: KeywordExtractor.withoutReferences(text))
        // A package is written in lower case (`multidict`, `jinja2`); `InventoryClient.total` is a class's member.
        let packages = Set(accesses.filter { $0.first?.isLowercase == true }.map { CrossRepoDependencies.normalise(String($0.prefix { $0 != "." })) })
        return repositories.filter { repository in
            // Both sides are normalised: `variants` holds the name's normalised spelling.
            !packages.isDisjoint(with: CrossRepoDependencies.variants(of: repository).union(published[repository] ?? []))
        }.map(CrossRepoDependencies.shortName)
    }

    /// `repositories` with each one the ticket names as a dependency scaled down by ``factor``,
    /// files and all, when another ranked repository declares or imports it (`edges`, "A → B"
    /// when A uses B), and each whose API it names scaled up by ``apiFactor`` unless it is first
    /// already; the reason says so. Relevances are recomputed over the new best.
    static func adjust(
        _ repositories: [RankedRepository], dependencies named: [String], apis: [String] = [], edges: [DiscoveryResult.Dependency]
    ) -> [RankedRepository] {
        guard !named.isEmpty || !apis.isEmpty else { return repositories }
        let ranked = Set(repositories.map { CrossRepoDependencies.shortName($0.name) })
        var changed = false
        var adjusted = repositories.map { repo -> RankedRepository in
            let name = CrossRepoDependencies.shortName(repo.name)
            var repo = repo
            func scale(_ by: Double, _ why: String) {
                changed = true
                repo.score *= by
                for index in repo.files.indices { repo.files[index].score *= by }
                repo.reason += "; ×\(String(format: "%.2f", by)): \(why)"
            }
            if named.contains(name) {
                let users = edges.filter { $0.to == name && $0.type == "library" && ranked.contains($0.from) }.map(\.from)
                if let user = Set(users).sorted().first { scale(factor, "the ticket names \(name) as a dependency, and \(user) uses it") }
            }
            // Already first, it keeps the others' relevance as it was (a ticket may span two).
            if apis.contains(name), !named.contains(name), repo.name != repositories.first?.name { scale(apiFactor, "the ticket names \(name)'s API") }
            return repo
        }
        guard changed else { return repositories }
        adjusted.sort { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
        return RankedRepository.rescaled(adjusted)
    }
}
