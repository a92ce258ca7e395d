import Foundation
import TowerCore
import TowerServices

/// Discovery: from a ticket's text to the repositories and files that matter, ranked and
/// explained, with the cross-repository dependencies and an approach. The original's flow
/// (keywords → org code search → trees → relevance → key files → dependencies → rank →
/// approach), with a lexical ranking that works without a model; a model, when configured,
/// only adds search terms and writes the approach.
public struct DiscoveryAgent: Sendable {
    /// How much Discovery may spend.
    public struct Budget: Sendable {
        /// Code-search calls per ticket (GitHub allows a few a minute): spent on the most specific keywords first.
        public var searchCalls = 6
        /// Repositories whose trees are read.
        public var repositories = 8
        /// Bytes of file content read in all, and per file.
        public var bytes = 3 << 20
        public var fileBytes = 96 << 10
        /// Files read in all (on GitHub each is a request), the most worthwhile first across
        /// every candidate repository; manifests are read besides.
        public var files = 150

        public init() {}
    }

    /// The result with what was spent on it.
    public struct Report: Sendable {
        public var result: DiscoveryResult
        public var searchCalls: Int
        public var searchedKeywords: [String]
        public var repositoriesConsidered: [String]
        public var filesRead: Int
        public var bytesRead: Int
        public var dependencyEvidence: [String]
        /// Every repository the ranker scored, with its files' scores: what the benchmark and an
        /// explanation read, beyond the relevant few in the result.
        public var ranking: [RankedRepository]
        /// Files hit per repository and keyword by the code search, and each repository's
        /// size in source and test files.
        public var searchHits: [String: [String: Int]]
        public var repositorySizes: [String: Int]
    }

    public let forge: any Forge
    public let owner: String
    /// `nil`: the lexical path only (`--no-llm`, or no model configured).
    public let caller: StructuredCaller?
    public let prompts: PromptLibrary
    public var budget: Budget
    /// How files and repositories are scored.
    public var ranker = LexicalRanker()
    let trees: TreeCache
    let log: @Sendable (String) async -> Void

    public init(
        forge: any Forge, owner: String, caller: StructuredCaller?, prompts: PromptLibrary, budget: Budget = Budget(), trees: TreeCache = TreeCache(),
        log: @escaping @Sendable (String) async -> Void = { _ in }
    ) {
        self.forge = forge
        self.owner = owner
        self.caller = caller
        self.prompts = prompts
        self.budget = budget
        self.trees = trees
        self.log = log
    }

    /// Runs Discovery for a ticket; `pinned` limits it to one repository; a repository one of
    /// the ticket's Jira `components` names leads (see ``ComponentRepositories``).
    public func discover(title: String, description: String, pinned: RepositoryRef? = nil, components: [String] = []) async throws -> Report {
        let text = title + "\n" + description
        var keywords = KeywordExtractor.keywords(in: text)
        await log("keywords from the ticket: \(keywords.map(\.text).joined(separator: ", "))")
        if let caller {
            let prompt = try prompts.render("discovery", "keywords", ["ticket": Fence.wrap(text, tag: "ticket"), "keywords": keywords.map(\.text).joined(separator: ", ")])
            let answer = try await caller.ask(RelatedTerms.self, system: try prompts.render("discovery", "system", [:]), prompt: prompt, purpose: "discovery keywords")
            var known = Set(keywords.map { $0.text.lowercased() })
            // The model's terms pass the rules the ticket's own do: no URL, version, ticket
            // number, hash or stop word is searched, whoever proposed it.
            let proposed = answer.related.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let refused = proposed.filter { !KeywordExtractor.admissible($0) }
            let related = proposed.filter { KeywordExtractor.admissible($0) && known.insert($0.lowercased()).inserted }
            keywords += related.map { Keyword($0, kind: .related) }
            if !related.isEmpty { await log("related terms from the model: \(related.joined(separator: ", "))") }
            if !refused.isEmpty { await log("not searched, from the model: \(refused.map { "\"\($0)\"" }.joined(separator: ", ")) (a URL, version, ticket number, hash or stop word)") }
        }
        guard !keywords.isEmpty else { throw DiscoveryError.nothingToSearch }

        let organization: [RepositoryRef]
        if let pinned { organization = [pinned] } else { organization = try await forge.repositories(owner: owner) }
        guard !organization.isEmpty else { throw DiscoveryError.emptyOrganization(owner: owner, forge: forge.name) }
        let known = Set(organization.map(\.description))
        let componentNamed = pinned == nil ? ComponentRepositories.named(by: components, in: organization.map(\.description)) : []
        for (repository, component) in componentNamed { await log("the ticket's Jira component \"\(component)\" names \(repository)") }

        // Code search, most specific keywords first, within the budget.
        var hits: [String: [String: Set<String>]] = [:]  // repo → path → keywords
        var searched: [String] = []
        var queue = Self.searchOrder(keywords)
        var next = 0
        while next < queue.count, searched.count < budget.searchCalls {
            let keyword = queue[next]
            next += 1
            // A path by its file name; a flag without its dashes (a leading `-` excludes a term in
            // GitHub's search syntax, and `proxy-headers` still finds `--proxy-headers`).
            let query =
                keyword.kind == .path
                ? (keyword.text.split(separator: "/").last.map(String.init) ?? keyword.text) : String(keyword.text.drop { $0 == "-" })
            let found = try await forge.searchCode(query, owner: owner).filter { known.contains($0.repository) }
            searched.append(query)
            for hit in found {
                hits[hit.repository, default: [:]][hit.path, default: []].insert(keyword.text)
            }
            // A name the organization's code holds nowhere is one the ticket asks to add: its
            // words are what it will be near, so they are searched next and ranked as words.
            let words = found.isEmpty ? NewName.words(of: keyword, besides: keywords) : []
            if !words.isEmpty {
                await log("\"\(keyword.text)\" is nowhere in the code: a new name, so its words are searched: \(words.map(\.text).joined(separator: ", "))")
                keywords += words
                queue.insert(contentsOf: words, at: next)
            }
        }
        await log("searched \(forge.name) for \(searched.map { "\"\($0)\"" }.joined(separator: ", ")): \(hits.values.map(\.count).reduce(0, +)) files in \(hits.count) repositories")

        // How rare each searched keyword is, from the search's own hits: a file that holds a rare
        // keyword is worth reading before one that holds a common one, whichever repository it is in.
        var hitCounts: [String: Int] = [:]
        for files in hits.values { for keywords in files.values { for keyword in keywords { hitCounts[keyword, default: 0] += 1 } } }
        let kinds = Dictionary(keywords.map { ($0.text, $0.kind) }, uniquingKeysWith: { first, _ in first })
        func rarity(_ keyword: String) -> Double {
            (kinds[keyword]?.weight ?? 1) / log2(2 + Double(hitCounts[keyword] ?? 8))
        }
        let keywordTerms = Dictionary(keywords.compactMap { k in Terms.forKeyword(k).first.map { ($0, k.text) } }, uniquingKeysWith: { first, _ in first })
        // Summed in a fixed order: a set's order differs from run to run, and so would the last
        // bits of the sum, and with them which of two equal files the reading budget takes.
        func worth(_ path: String, in repo: String) -> Double {
            var score = (hits[repo]?[path] ?? []).sorted().map(rarity).reduce(0, +)
            for term in Set(Terms.of(path)).sorted() { if let keyword = keywordTerms[term] { score += rarity(keyword) } }
            return score
        }

        // Candidate repositories: the best files they hold, and a name that is a keyword.
        func weight(_ repo: String) -> Double {
            let files = (hits[repo] ?? [:]).keys.map { worth($0, in: repo) }.sorted(by: >).prefix(10).reduce(0, +)
            let named = Terms.of(CrossRepoDependencies.shortName(repo)).contains { keywordTerms[$0] != nil }
            return files + (named ? 2 : 0)
        }
        let weights = organization.map { (name: $0.description, weight: weight($0.description)) }.filter { $0.weight > 0 }
        // A repository a component names is a candidate whatever the search found.
        let named = componentNamed.map(\.repository)
        let candidates =
            pinned.map { [$0.description] }
            ?? Array(
                (named + weights.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.name < $1.name }.map(\.name).filter { !named.contains($0) })
                    .prefix(budget.repositories))

        // Trees (cached by commit); every file that was hit or has a keyword in its path is ranked,
        // and the most worthwhile across all candidates are read, within the budgets.
        var populationSize = 0
        var repositorySizes: [String: Int] = [:]
        var scored: [(repo: String, path: String, worth: Double)] = []
        var commits: [String: String] = [:]
        for name in candidates {
            guard let repo = RepositoryRef(name) else { continue }
            let branch = try await forge.defaultBranch(of: repo)
            let commit = try await forge.headCommit(of: branch, in: repo)
            commits[name] = commit
            let forge = forge
            let tree = try await trees.files(of: repo, at: commit) { try await forge.files(in: repo, ref: commit) }
            populationSize += tree.count
            repositorySizes[name] = tree.filter { FileKind.of($0) == .source || FileKind.of($0) == .test }.count
            for path in tree where FileKind.isReadable(path) {
                let value = worth(path, in: name)
                let manifest = CrossRepoDependencies.isManifest(path)
                if value > 0 || manifest { scored.append((name, path, value + (manifest ? 0.001 : 0))) }
            }
        }
        scored.sort { $0.worth != $1.worth ? $0.worth > $1.worth : ($0.repo, $0.path) < ($1.repo, $1.path) }
        var chosen: [String: [String]] = [:]
        for (index, file) in scored.enumerated() where index < budget.files || CrossRepoDependencies.isManifest(file.path) {
            chosen[file.repo, default: []].append(file.path)
        }
        var texts: [String: [String: String]] = [:]
        for name in candidates {
            guard let repo = RepositoryRef(name), let commit = commits[name], let paths = chosen[name] else { continue }
            texts[name] = try await forge.files(paths, in: repo, ref: commit)
        }
        var documents: [CandidateFile] = []
        var contents: [String: [String: String]] = [:]
        var bytesRead = 0
        var filesRead = 0
        for file in scored {
            var content: String?
            if bytesRead < budget.bytes, let text = texts[file.repo]?[file.path] {
                let kept = String(text.utf8.prefix(budget.fileBytes)) ?? String(text.prefix(budget.fileBytes / 4))
                bytesRead += kept.utf8.count
                filesRead += 1
                content = kept
                contents[file.repo, default: [:]][file.path] = kept
            }
            documents.append(CandidateFile(repository: file.repo, path: file.path, content: content))
        }

        let searchHits = hits.mapValues { files in
            var counts: [String: Int] = [:]
            for keywords in files.values { for keyword in keywords { counts[keyword, default: 0] += 1 } }
            return counts
        }
        // How common each searched keyword is in the candidates, from the search's own hits.
        var candidateHits: [String: Int] = [:]
        for repo in candidates { for keywords in (hits[repo] ?? [:]).values { for keyword in keywords { candidateHits[keyword, default: 0] += 1 } } }
        var frequency: [String: Int] = [:]
        for keyword in keywords {
            guard let count = candidateHits[keyword.text], let term = Terms.forKeyword(keyword).first else { continue }
            frequency[term] = max(frequency[term] ?? 0, count)
        }
        let index = LexicalIndex(
            documents,
            population: LexicalIndex.Population(
                size: max(populationSize, documents.count), frequency: frequency, density: SearchDensity(hits: searchHits, sizes: repositorySizes)))
        var ranking = ranker.rank(index, keywords: keywords)
        guard !ranking.files.isEmpty || !componentNamed.isEmpty else {
            throw DiscoveryError.nothingFound(
                keywords: searched, owner: owner, forge: forge.name, repositories: organization.count)
        }

        // Dependencies among the organization's repositories, from what was read; a repository
        // the ticket names as a dependency yields the lead to the candidates that use it, and one
        // whose API it names (`multidict.MultiDict`) gains.
        let published = CrossRepoDependencies.publishedNames(files: contents)
        let edges = CrossRepoDependencies.find(files: contents, organization: organization.map(\.description), published: published)
        ranking.repositories = RepositoryMentions.adjust(
            ranking.repositories, dependencies: RepositoryMentions.named(in: text, repositories: candidates),
            apis: RepositoryMentions.namedAPIs(in: text, repositories: candidates, published: published), edges: edges.map(\.dependency))
        ranking.repositories = ComponentRepositories.lead(ranking.repositories, named: componentNamed)
        let relevant = ranking.repositories.filter { $0.relevance >= 0.2 }.prefix(5)
        let relevantNames = Set(relevant.map { CrossRepoDependencies.shortName($0.name) })
        let dependencies = edges.filter { relevantNames.contains($0.dependency.from) || relevantNames.contains($0.dependency.to) }
        for edge in dependencies { await log("dependency \(edge.dependency.from) → \(edge.dependency.to) (\(edge.dependency.type)): \(edge.evidence)") }

        let focus = FileOrdering.focus(
            of: text, keywords: keywords, sources: relevant.flatMap { $0.files.prefix(20).filter { $0.kind == .source }.map(\.path) })
        let repositories = relevant.map { repo in
            DiscoveryResult.Repository(
                name: CrossRepoDependencies.shortName(repo.name), relevance: repo.relevance, reason: repo.reason, languages: Self.languages(repo.files.map(\.path)),
                files: FileOrdering.arrange(Array(repo.files.prefix(20)), focus: focus).prefix(10).map {
                    DiscoveryResult.File(path: $0.path, type: $0.kind.rawValue, relevance: $0.relevance, reason: $0.reason)
                })
        }
        var result = DiscoveryResult(
            relevantRepos: Array(repositories), crossRepoDependencies: dependencies.map(\.dependency), estimatedComplexity: "", recommendedApproach: "",
            keywords: keywords.map(\.text))
        if let caller {
            let prompt = try prompts.render("discovery", "approach", ["summary": Fence.wrap(Self.summary(of: result, title: title), tag: "discovery")])
            let answer = try await caller.ask(ApproachAnswer.self, system: try prompts.render("discovery", "system", [:]), prompt: prompt, purpose: "discovery approach")
            result.recommendedApproach = answer.recommendedApproach
            result.estimatedComplexity = answer.estimatedComplexity
        } else {
            (result.estimatedComplexity, result.recommendedApproach) = Self.approachFromCounts(result)
        }
        return Report(
            result: result, searchCalls: searched.count, searchedKeywords: searched, repositoriesConsidered: candidates, filesRead: filesRead,
            bytesRead: bytesRead, dependencyEvidence: dependencies.map(\.evidence), ranking: ranking.repositories,
            searchHits: searchHits, repositorySizes: repositorySizes)
    }

    /// Keywords in the order the search budget is spent: paths, identifiers, quoted phrases,
    /// then words (longer, rarer-looking words first), then the model's terms.
    static func searchOrder(_ keywords: [Keyword]) -> [Keyword] {
        // A word inside an identifier or path already searched adds little (`vat` of `compute_vat`).
        let specific = keywords.filter { $0.kind != .word && $0.kind != .related && $0.kind != .compound }.map { $0.text.lowercased() }
        let keywords = keywords.filter { keyword in
            keyword.kind != .compound && (keyword.kind != .word || !specific.contains { $0.contains(keyword.text.lowercased()) })
        }
        return keywords.enumerated().sorted { a, b in
            if a.element.kind != b.element.kind { return a.element.kind < b.element.kind }
            if a.element.kind == .word, a.element.text.count != b.element.text.count { return a.element.text.count > b.element.text.count }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// A bounded summary of the result for the approach prompt: repositories, top files, edges.
    static func summary(of result: DiscoveryResult, title: String) -> String {
        var lines = ["Ticket title: \(title)", "Keywords: \(result.keywords.prefix(20).joined(separator: ", "))"]
        for repo in result.relevantRepos.prefix(5) {
            lines.append("Repository \(repo.name) (relevance \(repo.relevance), \(repo.languages.joined(separator: "/"))): \(repo.reason.prefix(300))")
            for file in repo.files.prefix(6) { lines.append("  - \(file.path) [\(file.type), \(file.relevance)]") }
        }
        for edge in result.crossRepoDependencies.prefix(10) { lines.append("Dependency: \(edge.from) uses \(edge.to) (\(edge.type))") }
        return lines.joined(separator: "\n")
    }

    /// Complexity and approach without a model, from the evidence: the repositories and source
    /// files the change reaches and the definitions the ticket names, said in one line; then
    /// what to change, and only the repositories that use the one changed.
    static func approachFromCounts(_ result: DiscoveryResult) -> (String, String) {
        let repos = result.relevantRepos.filter { $0.relevance >= 0.5 }.prefix(3)
        let sources = repos.flatMap { repo in repo.files.filter { $0.type == "source" && $0.relevance >= 0.5 }.map { "\(repo.name)/\($0.path)" } }
        let definitions = repos.flatMap { $0.files.filter { $0.type == "source" && ($0.reason ?? "").contains("(defines") } }.count
        let complexity = repos.count <= 1 && sources.count <= 2 ? "Low" : repos.count <= 2 && sources.count <= 5 ? "Medium" : "High"
        let why =
            "\(complexity): \(repos.count) repositor\(repos.count == 1 ? "y" : "ies"), \(sources.count) source file\(sources.count == 1 ? "" : "s")"
            + (definitions > 0 ? ", \(definitions) defining what the ticket names" : "") + "."
        var parts: [String] = []
        for repo in repos {
            let files = repo.files.filter { $0.type == "source" && $0.relevance >= 0.5 }.prefix(3).map(\.path)
            let tests = repo.files.filter { $0.type == "test" && $0.relevance >= 0.3 }.prefix(2).map(\.path)
            var part = "Change \(repo.name)"
            if !files.isEmpty { part += " (\(files.joined(separator: ", ")))" }
            if !tests.isEmpty { part += ", with tests in \(tests.joined(separator: ", "))" }
            parts.append(part)
        }
        if let changed = repos.first?.name {
            let users = result.crossRepoDependencies.filter { edge in edge.to == changed && !repos.contains { $0.name == edge.from } }.prefix(2)
            for edge in users { parts.append("then check \(edge.from), which uses \(edge.to) (\(edge.type))") }
        }
        return (complexity, why + " " + (parts.isEmpty ? "No clear target: read the ranked files first." : parts.joined(separator: "; ") + "."))
    }

    /// Languages from file extensions, most files first.
    static func languages(_ paths: [String]) -> [String] {
        let names: [String: String] = [
            "py": "Python", "ts": "TypeScript", "tsx": "TypeScript", "js": "JavaScript", "jsx": "JavaScript", "mjs": "JavaScript", "go": "Go",
            "rs": "Rust", "swift": "Swift", "java": "Java", "kt": "Kotlin", "rb": "Ruby", "php": "PHP", "c": "C", "h": "C", "cc": "C++", "cpp": "C++",
            "cs": "C#", "scala": "Scala", "sh": "Shell", "vue": "Vue", "html": "HTML", "css": "CSS",
        ]
        var counts: [String: Int] = [:]
        for path in paths {
            guard let ext = path.split(separator: ".").last.map({ $0.lowercased() }), let name = names[ext] else { continue }
            counts[name, default: 0] += 1
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
    }
}

/// Why Discovery stopped without a result.
public enum DiscoveryError: Error, Equatable, CustomStringConvertible {
    case nothingToSearch
    case emptyOrganization(owner: String, forge: String)
    case nothingFound(keywords: [String], owner: String, forge: String, repositories: Int)

    public var description: String {
        switch self {
        case .nothingToSearch: "the ticket has no words to search for; give it a title or description that names what to change"
        case .emptyOrganization(let owner, let forge): "\(owner) has no repositories on the \(forge)"
        case .nothingFound(let keywords, let owner, let forge, let repositories):
            "nothing in \(owner) matches the ticket: searched the \(forge) (\(repositories) repositories) for \(keywords.map { "\"\($0)\"" }.joined(separator: ", ")) and no file matched; name a file, a function or a repository in the ticket, or pin one with --repo"
        }
    }
}
