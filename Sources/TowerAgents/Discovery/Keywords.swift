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
        /// Two adjacent words of the prose joined (`test client` → `testclient`), the way code
        /// names the thing they describe (`TestClient`, `test_client`, `testclient.py`). Never
        /// searched on its own: it only scores files the other keywords found.
        case compound

        /// Specific before general: the order the search budget is spent in.
        var rank: Int {
            switch self {
            case .path: 0
            case .identifier: 1
            case .quoted: 2
            case .word: 3
            case .related: 4
            case .compound: 5
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
            case .compound: 2
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
        let text = withoutReferences(text)
        var found: [Keyword] = []
        var seen = Set<String>()
        func add(_ raw: some StringProtocol, _ kind: Keyword.Kind, inCode: Bool = false) {
            let term = String(raw).trimmingCharacters(in: CharacterSet(charactersIn: " \t\n.,;:!?()[]{}'\"`"))
            guard term.count >= 2, term.count <= 80, admissible(term) else { return }
            if kind == .path, term.contains("/"), !fileName(term) {
                // `and/or`, `read/write`, `RST/markdown`, `CI/CD`: words joined by a slash, not a
                // path, when any is a stop word or, in prose, the two are plain words (a path names
                // a file, goes deeper, has a `_`, `.` or `-` in it, starts with `/` as a route
                // does, or is code: `/orders/total`).
                let parts = term.split(separator: "/").map(String.init)
                if parts.contains(where: { StopWords.contains($0.lowercased()) }) {
                    for part in parts { add(part.lowercased(), .word) }
                    return
                }
                if !inCode, parts.count == 2, parts.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber } }), !text.contains("/" + term) {
                    for part in parts { classify(part) == .word ? add(part.lowercased(), .word) : add(part, classify(part)) }
                    return
                }
            }
            let key = term.lowercased()
            if seen.contains(key) {
                // `multidict.MultiDict`: the class's own spelling says more than its package's, since
                // a definition (`class MultiDict`) is matched as written.
                if kind == .identifier, term != key, let index = found.firstIndex(where: { $0.text == key && ($0.kind == .identifier || $0.kind == .word) }) {
                    found[index] = Keyword(term, kind: .identifier)
                }
                return
            }
            if kind == .word, StopWords.contains(key) || term.count < 3 || term.allSatisfy(\.isNumber) { return }
            seen.insert(key)
            found.append(Keyword(term, kind: kind))
        }
        // Code spans: each identifier or path inside, or the whole span.
        var rest = text
        for span in matches(#"`([^`\n]{1,120})`"#, in: text) {
            // A word in a code span is code: `urlize` names a function as surely as `url_for`,
            // and `content-length` is one name, as `gateway-base` is.
            for token in tokens(span, keepingKebab: true) { add(token, classify(token) == .word ? .identifier : classify(token), inCode: true) }
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
        for (first, second) in adjacentWords(rest) { add(first + second, .compound) }
        let ordered = found.enumerated().sorted { a, b in
            a.element.kind != b.element.kind ? a.element.kind < b.element.kind : a.offset < b.offset
        }.map(\.element)
        return Array(ordered.prefix(limit))
    }

    /// Whether a term may be searched at all: never a URL, a version (`2.3.1`, `v1.2`), an issue
    /// or ticket number (`#123`, `GH-42`, `PROJ-7`) or a commit hash. The model's terms pass the
    /// same rules.
    public static func admissible(_ term: String) -> Bool {
        let lower = term.lowercased()
        if lower.contains("://") || lower.hasPrefix("www.") { return false }
        if StopWords.contains(lower) { return false }
        for pattern in rejected where term.range(of: pattern, options: .regularExpression) != nil { return false }
        return true
    }

    static let rejected = [
        #"^[vV]?\d+(\.\d+)+([a-z]+\d*)?$"#,  // versions
        #"^#\d+$"#, #"^(GH|gh)-\d+$"#, #"^[A-Z][A-Z0-9_]+-\d+$"#,  // issues and tickets
        #"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}$"#,  // commit hashes
        #"^\d+$"#,
    ]

    /// The text without what is never a search term: URLs (a package index link is not a
    /// keyword), issue references, and a Conventional Commits type.
    static func withoutReferences(_ text: String) -> String {
        // A Conventional Commits type (`feat(router)!:`, `fix:`, `chore(deps):`) says what kind
        // of change it is, not where: only its scope, which names a part, stays.
        var out = text.replacingOccurrences(of: conventionalType, with: "$1$2 ", options: .regularExpression)
        for pattern in [#"(https?|ftp)://[^\s)>\]"'`]+"#, #"\bwww\.[^\s)>\]"'`]+"#, #"(?<![\w/])#\d+\b"#] {
            out = out.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return out
    }

    /// The type of a Conventional Commits 1.0.0 subject (https://www.conventionalcommits.org),
    /// at the start of a line or a list item: one of the Angular convention's types the
    /// specification cites, or changelogen's `types`. The list marker is group 1, the scope in
    /// parentheses group 2.
    static let conventionalType =
        #"(?m)^(\s*(?:[-*]\s+)?)(?:feat|fix|chore|docs|style|refactor|perf|test|build|ci|revert|types)(?:\(([^)\n]{1,40})\))?!?:[ \t]+"#

    /// Path, identifier or word, from the token's shape.
    static func classify(_ token: String) -> Keyword.Kind {
        if isFlag(token) { return .identifier }
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

    /// A command-line flag (`--proxy-headers`, `-v`): one name, searched whole. In prose, a
    /// single-dash token counts only from four characters (`-v` there is more often a dash).
    static func isFlag(_ token: String) -> Bool {
        token.range(of: #"^--?[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$"#, options: .regularExpression) != nil
    }

    /// Words, identifiers and paths: runs of letters, digits, `_`, `.`, `/`, `-` (trimmed); a
    /// flag keeps its dashes.
    static func tokens(_ text: String, keepingKebab: Bool = false) -> [String] {
        var tokens: [String] = []
        var current = ""
        func flush() {
            let flag = current.trimmingCharacters(in: CharacterSet(charactersIn: "."))
            if isFlag(flag), flag.count >= 4 || flag.hasPrefix("--") {
                tokens.append(flag)
                current = ""
                return
            }
            let token = current.trimmingCharacters(in: CharacterSet(charactersIn: ".-/"))
            if !token.isEmpty { tokens.append(token.hasSuffix("()") ? String(token.dropLast(2)) : token) }
            current = ""
        }
        for ch in text {
            if ch.isLetter || ch.isNumber || "_./-".contains(ch) { current.append(ch) } else { flush() }
        }
        flush()
        return tokens.flatMap { token -> [String] in
            // "rate-limit" is two words and `Client.fetch` two names, unless it is a path, a file
            // or a flag.
            guard !token.contains("/"), !fileName(token), !isFlag(token) else { return [token] }
            if keepingKebab, token.range(of: #"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+$"#, options: .regularExpression) != nil { return [token] }
            return token.split(whereSeparator: { $0 == "-" || $0 == "." }).map(String.init)
        }
    }

    /// Pairs of adjacent plain words within one clause, neither filler: the candidates for a
    /// name written as two words.
    static func adjacentWords(_ text: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for clause in text.split(whereSeparator: { ".,;:!?()[]{}\"'`\n".contains($0) }) {
            let words = clause.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
            for index in words.indices.dropFirst() {
                let (a, b) = (words[index - 1], words[index])
                guard [a, b].allSatisfy({ $0.count >= 3 && $0.allSatisfy(\.isLetter) && !StopWords.isFiller($0) }) else { continue }
                pairs.append((a, b))
            }
        }
        return pairs
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

    /// Words that say nothing about where code lives (``StopWords``).
    public static var stopWords: Set<String> { StopWords.all }
}
