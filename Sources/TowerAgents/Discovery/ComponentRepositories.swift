import Foundation
import TowerCore

/// The repositories a ticket's Jira components name, and the lead they take.
///
/// Words alone cannot always choose a repository: "chore(deps): update dev dependencies" or
/// "remove previously deprecated code" is filed in every repository of an organization
/// (`scripts/bench-discovery` counts the tickets whose repository no ranker puts first). A
/// team that files tickets under a component named for a repository
/// (`billing-service`, `Billing Service`, `billing_service`) has already said where the work
/// is. Such a repository is a candidate whatever the search found, and it leads the result;
/// the text's own best stays beside it, at its own relevance, for Planning to weigh. A
/// component that names no repository ("Backend", "UI") changes nothing. Pure.
enum ComponentRepositories {
    /// The organization's repositories (`owner/name`) that `components` name, in the
    /// components' order, each with the component that names it. A name matches however it
    /// is spelled: case, spaces, `-`, `_` and `.` aside.
    static func named(by components: [String], in repositories: [String]) -> [(repository: String, component: String)] {
        var found: [(repository: String, component: String)] = []
        for component in components {
            let spelled = CrossRepoDependencies.normalise(component.filter { !$0.isWhitespace && $0 != "/" })
            guard !spelled.isEmpty else { continue }
            for repository in repositories where !found.contains(where: { $0.repository == repository }) {
                if CrossRepoDependencies.normalise(CrossRepoDependencies.shortName(repository)) == spelled { found.append((repository, component)) }
            }
        }
        return found
    }

    /// `repositories` with each one a component names first: its evidence raised to the best
    /// repository's, files and all, or, when none of its files matched the ticket's words,
    /// listed with no files. The reason says which component. Relevances are recomputed.
    static func lead(_ repositories: [RankedRepository], named: [(repository: String, component: String)]) -> [RankedRepository] {
        guard !named.isEmpty else { return repositories }
        let best = repositories.map(\.score).max().flatMap { $0 > 0 ? $0 : nil } ?? 1
        var led = repositories.map { repo -> RankedRepository in
            guard let component = named.first(where: { $0.repository == repo.name })?.component else { return repo }
            var repo = repo
            if repo.score < best {
                let by = repo.score > 0 ? best / repo.score : 1
                repo.score = best
                for index in repo.files.indices { repo.files[index].score *= by }
            }
            repo.reason = "the ticket's Jira component \"\(component)\" names it; " + repo.reason
            return repo
        }
        for (repository, component) in named where !repositories.contains(where: { $0.name == repository }) {
            led.append(
                RankedRepository(
                    name: repository, score: best, relevance: 0,
                    reason: "the ticket's Jira component \"\(component)\" names it; none of its files matched the ticket's words", files: []))
        }
        let first = Set(named.map(\.repository))
        led.sort { a, b in
            let (aFirst, bFirst) = (first.contains(a.name), first.contains(b.name))
            if aFirst != bFirst { return aFirst }
            return a.score != b.score ? a.score > b.score : a.name < b.name
        }
        return RankedRepository.rescaled(led)
    }
}
