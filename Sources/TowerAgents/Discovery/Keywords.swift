import Foundation

/// A search term taken from a ticket, with how it was found: what decides its weight in the
/// ranking and the order in which the code-search budget is spent.
public struct Keyword: Sendable, Equatable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, Comparable {
        /// A file path or file name (`src/auth/oauth.ts`, `settings.py`).
        case path
        /// A code identifier: in a code span, CamelCase or snake_case (`RateLimiter`, `max_retries`).
        case identifier
        /// A quoted phrase or error message.
        case quoted
        /// A term the model suggested (synonyms, the codebase's likely names).
        case related
        /// A significant plain word.
        case word

        /// Specific before general: the order the search budget is spent in.
        var rank: Int {
            switch self {
            case .path: 0
            case .identifier: 1
            case .quoted: 2
            case .word: 3
            case .related: 4
            }
        }

        public static func < (a: Kind, b: Kind) -> Bool { a.rank < b.rank }

        /// How much a match of this kind counts in the lexical score.
        public var weight: Double {
            switch self {
            case .path: 3
            case .identifier: 2.5
            case .quoted: 2
            case .word: 1
            case .related: 0.6
            }
        }
    }

    public var text: String
    public var kind: Kind

    public init(_ text: String, kind: Kind) {
        self.text = text
        self.kind = kind
    }
}

/// Keywords from a ticket's own text: always available, with or without a model.
public enum KeywordExtractor {
    /// The keywords of `text`, most specific first, without duplicates (case-insensitive).
    public static func keywords(in text: String, limit: Int = 24) -> [Keyword] {
        var found: [Keyword] = []
        var seen = Set<String>()
        func add(_ raw: some StringProtocol, _ kind: Keyword.Kind) {
            let term = String(raw).trimmingCharacters(in: CharacterSet(charactersIn: " \t\n.,;:!?()[]{}'\"`"))
            guard term.count >= 2, term.count <= 80 else { return }
            let key = term.lowercased()
            guard !seen.contains(key) else { return }
            if kind == .word, stopWords.contains(key) || term.count < 3 || term.allSatisfy(\.isNumber) { return }
            seen.insert(key)
            found.append(Keyword(term, kind: kind))
        }
        // Code spans: each identifier or path inside, or the whole span.
        var rest = text
        for span in matches(#"`([^`\n]{1,120})`"#, in: text) {
            for token in tokens(span) { add(token, classify(token)) }
            rest = rest.replacingOccurrences(of: "`\(span)`", with: " ")
        }
        for quoted in matches(#""([^"\n]{3,80})""#, in: rest) + matches(#"(?<![A-Za-z])'([^'\n]{3,80})'(?![A-Za-z])"#, in: rest) {
            let inner = tokens(quoted)
            if inner.count == 1 { add(inner[0], classify(inner[0])) } else { add(quoted, .quoted) }
        }
        for token in tokens(rest) {
            let kind = classify(token)
            if kind != .word { add(token, kind) }
        }
        for token in tokens(rest) where classify(token) == .word {
            add(token.lowercased(), .word)
        }
        let ordered = found.enumerated().sorted { a, b in
            a.element.kind != b.element.kind ? a.element.kind < b.element.kind : a.offset < b.offset
        }.map(\.element)
        return Array(ordered.prefix(limit))
    }

    /// Path, identifier or word, from the token's shape.
    static func classify(_ token: String) -> Keyword.Kind {
        if token.contains("/") || fileName(token) { return .path }
        if isIdentifier(token) { return .identifier }
        return .word
    }

    /// `settings.py`, `oauth.ts`: a name with a known source extension.
    static func fileName(_ token: String) -> Bool {
        guard let dot = token.lastIndex(of: "."), dot != token.startIndex else { return false }
        return sourceExtensions.contains(token[token.index(after: dot)...].lowercased())
    }

    /// CamelCase (an inner capital), snake_case or SCREAMING_CASE, or a call (`name()`).
    static func isIdentifier(_ token: String) -> Bool {
        guard let first = token.first, first.isLetter || first == "_" else { return false }
        if token.contains("_") && token.count > 3 { return true }
        let letters = Array(token)
        for index in letters.indices.dropFirst() where letters[index].isUppercase && letters[index - 1].isLowercase { return true }
        return false
    }

    /// Words, identifiers and paths: runs of letters, digits, `_`, `.`, `/`, `-` (trimmed).
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        func flush() {
            let token = current.trimmingCharacters(in: CharacterSet(charactersIn: ".-/"))
            if !token.isEmpty { tokens.append(token.hasSuffix("()") ? String(token.dropLast(2)) : token) }
            current = ""
        }
        for ch in text {
            if ch.isLetter || ch.isNumber || "_./-".contains(ch) { current.append(ch) } else { flush() }
        }
        flush()
        return tokens.flatMap { token -> [String] in
            // "rate-limit" is two words and `Client.fetch` two names, unless it is a path or a file.
            guard !token.contains("/"), !fileName(token) else { return [token] }
            return token.split(whereSeparator: { $0 == "-" || $0 == "." }).map(String.init)
        }
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    static let sourceExtensions: Set<String> = [
        "py", "ts", "tsx", "js", "jsx", "mjs", "go", "rs", "swift", "java", "kt", "rb", "php", "c", "h", "cc", "cpp", "hpp", "cs", "scala",
        "json", "yaml", "yml", "toml", "md", "sql", "sh", "html", "css", "scss", "vue", "proto", "cfg", "ini", "txt", "lock", "gradle", "xml",
    ]

    /// Words that say nothing about where code lives: English function words and the words
    /// every ticket uses.
    public static let stopWords: Set<String> = [
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have", "him",
        "his", "how", "its", "may", "new", "now", "old", "see", "two", "way", "who", "did", "get", "got", "let", "put", "say", "she", "too",
        "use", "used", "using", "that", "this", "with", "from", "they", "will", "would", "there", "their", "what", "about", "which", "when",
        "make", "like", "than", "then", "them", "these", "some", "into", "could", "other", "only", "also", "after", "should", "need", "needs",
        "must", "does", "doesn", "don", "isn", "aren", "wasn", "won", "were", "been", "being", "where", "while", "because", "each", "more",
        "most", "such", "very", "just", "over", "under", "again", "once", "here", "why", "both", "same", "own", "off", "your", "yours",
        "we", "us", "it", "is", "be", "to", "of", "in", "on", "at", "by", "or", "an", "as", "if", "so", "no", "do", "up",
        "add", "adds", "added", "adding", "support", "supports", "allow", "allows", "fix", "fixes", "fixed", "update", "updates", "updated",
        "change", "changes", "changed", "issue", "issues", "bug", "feature", "ticket", "please", "want", "wants", "able", "instead", "currently",
        "when", "every", "without", "within", "ensure", "make", "sure", "way", "thing", "things", "something", "work", "works", "working",
        "implement", "implementation", "improve", "improvement", "better", "correct", "correctly", "properly", "remove", "removes", "removed",
        "option", "options", "case", "cases", "user", "users", "given", "return", "returns", "value", "values", "data", "file", "files",
        "code", "test", "tests", "call", "calls", "called", "first", "last", "also", "still", "already", "even", "well", "via", "etc", "e.g",
        "i.e", "should", "shouldn", "wouldn", "couldn", "can't", "cannot", "default", "true", "false", "null", "none", "nil",
    ]
}
