import Foundation

/// A file Discovery read (or only saw in a tree), as the ranker scores it.
public struct CandidateFile: Sendable, Equatable {
    /// `owner/name`.
    public var repository: String
    public var path: String
    /// The text read, or `nil` when the byte budget ran out before it (ranked on its path).
    public var content: String?

    public init(repository: String, path: String, content: String?) {
        self.repository = repository
        self.path = path
        self.content = content
    }
}

/// Term counts of a set of files (path and content), for BM25.
public struct LexicalIndex: Sendable {
    struct Document: Sendable {
        var file: CandidateFile
        var kind: FileKind
        var counts: [String: Int]
        var length: Int
        var pathTerms: Set<String>
    }

    /// What is known of the whole collection the files were picked from: its size, and how many
    /// of its files hold a term (from code search, for the searched keywords). The files read
    /// were picked *because* they hold those terms, so their own counts would make every
    /// searched term look common; IDF takes these numbers instead where it has them.
    public struct Population: Sendable {
        public var size: Int
        public var frequency: [String: Int]
        /// How densely each candidate repository holds the keywords: how its evidence is scaled.
        public var density: SearchDensity?

        public init(size: Int, frequency: [String: Int], density: SearchDensity? = nil) {
            self.size = size
            self.frequency = frequency
            self.density = density
        }
    }

    let documents: [Document]
    let averageLength: Double
    let documentFrequency: [String: Int]
    let population: Population?

    /// Inverse document frequency of a term (BM25's, never negative).
    func idf(_ term: String) -> Double {
        if let population, let df = population.frequency[term], population.size >= documents.count {
            let n = Double(population.size), d = Double(min(df, population.size))
            return log(1 + (n - d + 0.5) / (d + 0.5))
        }
        let n = Double(documents.count), d = Double(documentFrequency[term] ?? 0)
        return log(1 + (n - d + 0.5) / (d + 0.5))
    }

    public init(_ files: [CandidateFile], population: Population? = nil) {
        let documents = files.map(Self.document)
        var frequency: [String: Int] = [:]
        for document in documents { for term in document.counts.keys { frequency[term, default: 0] += 1 } }
        self.init(documents: documents, documentFrequency: frequency, population: population)
    }

    init(documents: [Document], documentFrequency: [String: Int], population: Population?) {
        self.documents = documents
        self.documentFrequency = documentFrequency
        self.population = population
        averageLength = max(1, Double(documents.map(\.length).reduce(0, +)) / Double(max(1, documents.count)))
    }

    /// One file's terms: its path's, then its content's, as in plain BM25 over path + content.
    static func document(_ file: CandidateFile) -> Document {
        var counts: [String: Int] = [:]
        let pathTerms = Terms.of(file.path)
        let terms = pathTerms + (file.content.map { Terms.of($0) } ?? [])
        for term in terms { counts[term, default: 0] += 1 }
        return Document(file: file, kind: FileKind.of(file.path), counts: counts, length: terms.count, pathTerms: Set(pathTerms))
    }
}

/// A ranked file, with its score's explanation.
public struct RankedFile: Sendable, Equatable {
    public var repository: String
    public var path: String
    public var kind: FileKind
    public var score: Double
    /// 0–1: the score over the best file's, so it compares across repositories.
    public var relevance: Double
    /// Keywords matched and how: "defines RateLimiter; path: limiter; mentions rate ×3".
    public var reason: String
    /// The keywords that matched at all.
    public var matched: [String]
    /// Identifiers this file defines.
    public var defines: [String]
}

/// A ranked repository.
public struct RankedRepository: Sendable, Equatable {
    public var name: String
    public var score: Double
    public var relevance: Double
    public var reason: String
    public var files: [RankedFile]

    /// `repositories` with each relevance recomputed after their scores were scaled: a
    /// repository's over the best repository's score, a file's over the best file's, so both
    /// still compare across repositories. The order is left as given.
    static func rescaled(_ repositories: [RankedRepository]) -> [RankedRepository] {
        let bestRepository = repositories.map(\.score).max().flatMap { $0 > 0 ? $0 : nil } ?? 1
        let bestFile = repositories.flatMap { $0.files.map(\.score) }.max().flatMap { $0 > 0 ? $0 : nil } ?? 1
        return repositories.map { repo in
            var repo = repo
            repo.relevance = LexicalRanker.round(repo.score / bestRepository)
            for index in repo.files.indices { repo.files[index].relevance = LexicalRanker.round(repo.files[index].score / bestFile) }
            return repo
        }
    }
}

/// The explainable lexical ranking: BM25 over paths and contents, where a keyword counts by how
/// specific it is (a path or identifier more than a plain word), a file that *defines* a named
/// identifier outranks one that only mentions it, a match in a path counts extra, and docs count
/// less than code. Pure: the same files and keywords give the same ranking.
public struct LexicalRanker: Sendable {
    public var k1 = 1.2
    public var b = 0.75
    /// Extra for a keyword in the file's path (times its IDF).
    public var pathBoost = 1.6
    /// Extra for a file that defines a named identifier (times its IDF): more than any mention
    /// and path match of it can earn (BM25 saturates at k1 + 1), so the definition outranks
    /// everything else about it.
    public var definitionBoost = 6.0
    /// Off for the plain-BM25 baseline the benchmark compares against.
    public var usesKeywordKinds = true
    /// How many of a repository's best files make its score, each counting half the one before.
    public var repositoryDepth = 3

    public init() {}

    /// Plain BM25 over path and content with every keyword alike: the benchmark's baseline.
    public static var plainBM25: LexicalRanker {
        var ranker = LexicalRanker()
        ranker.pathBoost = 0
        ranker.definitionBoost = 0
        ranker.usesKeywordKinds = false
        return ranker
    }

    /// Files ranked best first, then repositories by their best files.
    public func rank(_ files: [CandidateFile], keywords: [Keyword]) -> (files: [RankedFile], repositories: [RankedRepository]) {
        rank(LexicalIndex(files), keywords: keywords)
    }

    /// The same over an index built once (many queries over one corpus).
    public func rank(_ index: LexicalIndex, keywords: [Keyword]) -> (files: [RankedFile], repositories: [RankedRepository]) {
        let indexed = index.documents
        guard !indexed.isEmpty else { return ([], []) }
        let averageLength = index.averageLength
        func idf(_ term: String) -> Double { index.idf(term) }
        let queries = keywords.map { keyword -> (keyword: Keyword, terms: [String], weight: Double, definition: NSRegularExpression?) in
            let terms = Terms.forKeyword(keyword)
            let weight = usesKeywordKinds ? keyword.kind.weight : 1
            let definition = usesKeywordKinds && definitionBoost > 0 && keyword.kind == .identifier ? Self.definitionPattern(keyword.text) : nil
            return (keyword, terms, weight, definition)
        }

        var ranked: [RankedFile] = []
        for document in indexed {
            var score = 0.0
            var notes: [String] = []
            var matched: [String] = []
            var defines: [String] = []
            for query in queries {
                guard let primary = query.terms.first else { continue }
                let parts = Array(query.terms.dropFirst())
                func bm25(_ term: String) -> Double {
                    let tf = Double(document.counts[term] ?? 0)
                    guard tf > 0 else { return 0 }
                    return idf(term) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * Double(document.length) / averageLength))
                }
                var keywordScore = bm25(primary)
                if !parts.isEmpty, usesKeywordKinds {
                    // An identifier counts only whole (its spellings share one term); the parts of a
                    // path or a phrase count a little on their own.
                    if query.keyword.kind != .identifier { keywordScore += 0.4 * parts.map(bm25).reduce(0, +) / Double(parts.count) }
                } else if !parts.isEmpty {
                    keywordScore += parts.map(bm25).reduce(0, +)
                }
                var how: [String] = []
                // Only a file that names the identifier can define it: the regex runs on those alone.
                if let definition = query.definition, document.counts[primary] != nil, let content = document.file.content,
                    Self.defines(content, definition)
                {
                    keywordScore += definitionBoost * idf(primary)
                    how.append("defines")
                    defines.append(query.keyword.text)
                }
                if pathBoost > 0, document.pathTerms.contains(primary) {
                    keywordScore += pathBoost * idf(primary)
                    how.append("path")
                }
                guard keywordScore > 0 else { continue }
                let mentions = document.counts[primary] ?? 0
                if mentions > 0, !how.contains("defines") { how.append("mentions ×\(mentions)") }
                if how.isEmpty { how.append("parts") }
                score += query.weight * keywordScore
                matched.append(query.keyword.text)
                notes.append("\(query.keyword.text) (\(how.joined(separator: ", ")))")
            }
            guard score > 0 else { continue }
            if usesKeywordKinds { score *= document.kind.scoreFactor }
            // Several distinct keywords in one file say more than one keyword many times.
            if usesKeywordKinds, matched.count > 1 { score *= 1 + 0.15 * Double(min(matched.count - 1, 4)) }
            ranked.append(
                RankedFile(
                    repository: document.file.repository, path: document.file.path, kind: document.kind, score: score, relevance: 0,
                    reason: "matches " + notes.joined(separator: "; "), matched: matched, defines: defines))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : ($0.repository, $0.path) < ($1.repository, $1.path) }
        let best = ranked.first?.score ?? 1
        for index in ranked.indices { ranked[index].relevance = Self.round(ranked[index].score / best) }

        let byRepository = Dictionary(grouping: ranked, by: \.repository)
        let density = usesKeywordKinds ? index.population?.density : nil
        var repositories = byRepository.map { name, files -> RankedRepository in
            // A repository is as relevant as its best files, the first counting most; a large one
            // has more files that mention anything, so its evidence is scaled by how densely it
            // holds the keywords, not by how many files hold them.
            var score = files.prefix(repositoryDepth).enumerated().map { $0.element.score / pow(2, Double($0.offset)) }.reduce(0, +)
            var scaled = ""
            if let (factor, size) = density?.factor(for: name) {
                score *= factor
                if factor < 0.995 || factor > 1.005 {
                    scaled = String(format: "; ×%.2f for how densely its %d files hold the keywords, beside the organization's", factor, size)
                }
            }
            var keywordFiles: [String: Int] = [:]
            for file in files { for keyword in file.matched { keywordFiles[keyword, default: 0] += 1 } }
            let definitions = files.flatMap { file in file.defines.map { "\($0) (defined in \(file.path))" } }
            let mentioned = keywordFiles.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(6)
                .map { "\($0.key) in \($0.value) file\($0.value == 1 ? "" : "s")" }
            let reason = (definitions.prefix(3) + mentioned).joined(separator: "; ") + scaled
            return RankedRepository(name: name, score: score, relevance: 0, reason: "matches " + reason, files: files)
        }
        repositories.sort { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
        let bestRepository = repositories.first?.score ?? 1
        for index in repositories.indices { repositories[index].relevance = Self.round(repositories[index].score / bestRepository) }
        return (ranked, repositories)
    }

    /// A definition of `identifier` in the common languages: `def`, `class`, `func`, `function`,
    /// `fn`, `struct`, `interface`, `type`, Go methods; or a declared variable (`const`, `let`,
    /// `var`, `val`, after modifiers such as `export` or `static`) or a plain assignment, at a
    /// module's or a type's level or as a parameter's default (``defines(_:_:)`` checks which).
    /// A flag (`--proxy-headers`) is defined nowhere. The indentation of an assignment is group
    /// 1, of a declared variable group 2.
    static func definitionPattern(_ identifier: String) -> NSRegularExpression? {
        guard !identifier.hasPrefix("-") else { return nil }
        let name = NSRegularExpression.escapedPattern(for: identifier)
        let keywords = "def|class|func|function|fn|struct|enum|interface|type|protocol|trait|object|module|record|actor|extension"
        let modifiers = #"(?:(?:export|declare|public|private|protected|internal|fileprivate|open|static|final|override|lazy|readonly|nonisolated|pub|default)\s+)*"#
        let pattern = #"(?:\b(?:"# + keywords + #")\s+\*?"# + name + #"\b)|(?:\bfunc\s*\([^)]*\)\s*"# + name + #"\b)|(?:^([ \t]*)"# + name
            + #"[ \t]*(?::[^=\n]*)?=[^=])|(?:^([ \t]*)"# + modifiers + #"(?:const|let|var|val)\s+"# + name + #"\b)"#
        return try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
    }

    /// Whether `content` defines what `pattern` (``definitionPattern(_:)``) looks for. An
    /// indented assignment or variable counts only where it declares: directly inside a type, or
    /// as a parameter's default in a signature that spans lines. A function's local variable of
    /// the same name (`const onClick = () => …` inside a test's component) defines nothing a
    /// ticket means.
    static func defines(_ content: String, _ pattern: NSRegularExpression) -> Bool {
        let text = content as NSString
        var found = false
        pattern.enumerateMatches(in: content, range: NSRange(location: 0, length: text.length)) { match, _, stop in
            guard let match else { return }
            // An assignment's (group 1) or a declared variable's (group 2); none for a keyword form.
            let indentation = [match.range(at: 1), match.range(at: 2)].first { $0.location != NSNotFound }?.length ?? 0
            if indentation == 0 || declares(text, line: match.range.location, indentation: indentation) {
                found = true
                stop.pointee = true
            }
        }
        return found
    }

    /// Whether the block an indented line at `start` is in declares names: the nearest line above
    /// it indented less opens a class, or opens a function whose signature is still open there.
    static func declares(_ text: NSString, line start: Int, indentation: Int) -> Bool {
        var end = start
        var signatureClosed = false
        while end > 0 {
            let range = text.lineRange(for: NSRange(location: end - 1, length: 0))
            end = range.location
            let line = text.substring(with: range)
            let body = line.drop { $0 == " " || $0 == "\t" }
            let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix("//") else { continue }
            if trimmed.range(of: #"\)\s*(->.*)?[:{]$"#, options: .regularExpression) != nil { signatureClosed = true }
            guard line.count - body.count < indentation else { continue }
            if trimmed.range(of: Self.typeOpening, options: .regularExpression) != nil { return true }
            let opensFunction = trimmed.range(of: #"^(async\s+)?(def|function|func|fn)\b"#, options: .regularExpression) != nil
            return opensFunction && !signatureClosed
        }
        return false
    }

    /// A line that opens a block whose names are declarations: a type (`class`, `struct`,
    /// `extension`, `impl`, `object`…), a namespace, or Go's grouped `const (` / `var (`.
    static let typeOpening =
        #"^(@\w+(\([^)]*\))?\s+)*((export|declare|public|private|internal|fileprivate|open|final|abstract|data|sealed|companion|pub|default)\s+)*(class|struct|enum|extension|actor|protocol|interface|trait|object|record|impl|namespace|module)\b|^(const|var)\s*\($"#

    static func round(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
