/// What the Discovery agent hands to Planning, with the original's exact JSON keys.
public struct DiscoveryResult: Codable, Sendable, Equatable {
    /// A repository that matters for the ticket, ranked by `relevance` (0–1).
    public struct Repository: Codable, Sendable, Equatable {
        public var name: String
        public var relevance: Double
        public var reason: String
        public var languages: [String]
        public var files: [File]

        public init(name: String, relevance: Double, reason: String, languages: [String], files: [File]) {
            self.name = name
            self.relevance = relevance
            self.reason = reason
            self.languages = languages
            self.files = files
        }
    }

    /// A file inside a relevant repository.
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        /// `source`, `test`, `docs`, `config`, `build`, as Discovery classified its path.
        public var type: String
        public var relevance: Double
        /// Which keywords the file matched and how (defines, path, content): why it ranks
        /// where it does. Absent in the original's example; added so a ranking can be checked.
        public var reason: String?

        public init(path: String, type: String, relevance: Double, reason: String? = nil) {
            self.path = path
            self.type = type
            self.relevance = relevance
            self.reason = reason
        }
    }

    /// One repository using another (`API`, `library`, `event`, …).
    public struct Dependency: Codable, Sendable, Equatable {
        public var from: String
        public var to: String
        public var type: String

        public init(from: String, to: String, type: String) {
            self.from = from
            self.to = to
            self.type = type
        }
    }

    public var relevantRepos: [Repository]
    public var crossRepoDependencies: [Dependency]
    /// `Low`, `Medium` or `High` in the original's examples.
    public var estimatedComplexity: String
    public var recommendedApproach: String
    public var keywords: [String]

    public init(
        relevantRepos: [Repository], crossRepoDependencies: [Dependency], estimatedComplexity: String,
        recommendedApproach: String, keywords: [String]
    ) {
        self.relevantRepos = relevantRepos
        self.crossRepoDependencies = crossRepoDependencies
        self.estimatedComplexity = estimatedComplexity
        self.recommendedApproach = recommendedApproach
        self.keywords = keywords
    }

    /// Repositories ordered most relevant first, as the console and Planning read them.
    public var rankedRepos: [Repository] {
        relevantRepos.sorted { $0.relevance > $1.relevance }
    }

    /// Every file across the repositories in the order to read them: by relevance, which
    /// compares across repositories, so a close second repository's best file comes before
    /// the first one's weaker files; among equals, the ranked repositories' own order (a
    /// source before the test under it). The console's "Read first" and the benchmark's
    /// hit@5 both read this order.
    public var readingOrder: [(repository: String, file: File)] {
        rankedRepos.flatMap { repo in repo.files.map { (repository: repo.name, file: $0) } }
            .enumerated().sorted { a, b in
                a.element.file.relevance != b.element.file.relevance ? a.element.file.relevance > b.element.file.relevance : a.offset < b.offset
            }.map(\.element)
    }
}
