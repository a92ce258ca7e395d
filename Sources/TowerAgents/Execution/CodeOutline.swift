import Foundation

/// The definitions of a source file as signature lines (what aider's repository map gives a
/// model): a prompt cannot show a whole repository, but a model shown the signatures of what it
/// was not shown calls what exists instead of inventing it. Pure and line-based, for the common
/// languages; a language it does not know has no outline.
enum CodeOutline {
    /// One definition: its 1-based line, the name it defines, and its signature on one line.
    struct Definition: Equatable, Sendable {
        var line: Int
        var name: String
        var signature: String
    }

    /// Signatures longer than this are cut (a long parameter list says enough by then).
    static let signatureLimit = 160

    /// The definitions of `text`, by the language `path`'s extension names.
    static func definitions(in text: String, path: String) -> [Definition] {
        guard let patterns = patterns(for: path) else { return [] }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var found: [Definition] = []
        for (index, line) in lines.enumerated() where line.utf8.count < 1_000 {
            let string = String(line)
            let range = NSRange(string.startIndex..., in: string)
            guard let match = patterns.lazy.compactMap({ $0.firstMatch(in: string, range: range) }).first,
                let nameRange = Range(match.range(withName: "name"), in: string)
            else { continue }
            found.append(Definition(line: index + 1, name: String(string[nameRange]), signature: signature(from: lines, at: index)))
        }
        return found
    }

    /// The definition's line, joined with the lines after it while its parentheses stay open
    /// (a Python `def` over several lines), whitespace collapsed, body openers dropped.
    static func signature(from lines: [Substring], at index: Int) -> String {
        let indent = lines[index].prefix { $0 == " " || $0 == "\t" }.count
        var text = String(lines[index]).trimmingCharacters(in: .whitespaces)
        var depth = text.reduce(0) { $0 + ($1 == "(" ? 1 : $1 == ")" ? -1 : 0) }
        var next = index + 1
        while depth > 0, next < lines.count, next <= index + 8 {
            let more = lines[next].trimmingCharacters(in: .whitespaces)
            text += (text.hasSuffix("(") ? "" : " ") + more
            depth += more.reduce(0) { $0 + ($1 == "(" ? 1 : $1 == ")" ? -1 : 0) }
            next += 1
        }
        text = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        // A body's brace goes; an assignment's (`RATES = {`) stays, it says what the value is.
        if text.hasSuffix("{"), !text.dropLast().trimmingCharacters(in: .whitespaces).hasSuffix("=") {
            text = String(text.dropLast()).trimmingCharacters(in: .whitespaces)
        }
        if text.count > signatureLimit { text = String(text.prefix(signatureLimit)) + " …" }
        return String(repeating: " ", count: min(indent, 12)) + text
    }

    /// An outline block for several files, within `budget` bytes: each file's path, then its
    /// signatures with their line numbers, files in the order given. A file whose signatures do
    /// not all fit keeps its outermost ones (classes and module functions before methods), and
    /// says how many it left out; no file takes more than half the budget while others wait.
    static func render(_ files: [(path: String, definitions: [Definition])], budget: Int) -> String {
        var out: [String] = []
        var used = 0
        var omitted = 0
        let listed = files.filter { !$0.definitions.isEmpty }
        for (index, file) in listed.enumerated() {
            let share = index == listed.count - 1 ? budget - used : min(budget - used, budget / 2)
            let lines = file.definitions.map { "  \($0.line): \($0.signature)" }
            var cost = file.path.utf8.count + 1
            var kept = Set<Int>()
            // Outermost first, each depth in line order.
            let order = lines.indices.sorted { depth(file.definitions[$0]) != depth(file.definitions[$1]) ? depth(file.definitions[$0]) < depth(file.definitions[$1]) : $0 < $1 }
            for line in order where cost + lines[line].utf8.count + 1 <= share - 48 {
                kept.insert(line)
                cost += lines[line].utf8.count + 1
            }
            guard !kept.isEmpty else {
                omitted += 1
                continue
            }
            var block = [file.path] + lines.indices.filter(kept.contains).map { lines[$0] }
            if kept.count < lines.count { block.append("  [… \(lines.count - kept.count) more definitions]") }
            let text = block.joined(separator: "\n")
            out.append(text)
            used += text.utf8.count + 1
        }
        if omitted > 0 { out.append("[\(omitted) more file\(omitted == 1 ? "" : "s") not outlined: over the outline's budget]") }
        return out.joined(separator: "\n")
    }

    /// How deeply a definition is nested, by its indentation.
    private static func depth(_ definition: Definition) -> Int {
        definition.signature.prefix { $0 == " " }.count
    }

    /// The file extensions with an outline.
    static func knows(_ path: String) -> Bool { patterns(for: path) != nil }

    private static func patterns(for path: String) -> [NSRegularExpression]? {
        let name = path.lowercased()
        guard let dot = name.lastIndex(of: ".") else { return nil }
        switch name[name.index(after: dot)...] {
        case "py", "pyi": return python
        case "swift": return swift
        case "go": return go
        case "js", "jsx", "ts", "tsx", "mjs", "cjs": return javascript
        case "rs": return rust
        case "java", "kt", "kts", "scala", "cs": return jvm
        case "rb": return ruby
        case "php": return php
        default: return nil
        }
    }

    private static func compile(_ patterns: [String]) -> [NSRegularExpression] {
        patterns.map { try! NSRegularExpression(pattern: $0) }
    }

    private static let python = compile([
        #"^\s*(?:async\s+)?def\s+(?<name>[A-Za-z_]\w*)\s*\("#, #"^\s*class\s+(?<name>[A-Za-z_]\w*)\b"#,
        #"^(?<name>[A-Z][A-Z0-9_]{2,})\s*(?::[^=]*)?=[^=]"#,
    ])
    private static let swift = compile([
        #"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|internal|fileprivate|open|package|static|class|final|override|mutating|nonmutating|nonisolated|convenience|required|indirect|dynamic)\s+)*(?:func|struct|class|enum|protocol|actor|typealias|extension)\s+(?<name>[A-Za-z_][\w.]*)"#,
        #"^\s*(?:(?:public|private|internal|fileprivate|open|package|convenience|required|override|nonisolated)\s+)*(?<name>init)[?!]?\s*[(<]"#,
    ])
    private static let go = compile([#"^func\s+(?:\([^)]*\)\s*)?(?<name>[A-Za-z_]\w*)"#, #"^type\s+(?<name>[A-Za-z_]\w*)"#])
    private static let javascript = compile([
        #"^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*(?<name>[A-Za-z_$][\w$]*)"#,
        #"^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?(?:class|interface|enum)\s+(?<name>[A-Za-z_$][\w$]*)"#,
        #"^\s*(?:export\s+)?type\s+(?<name>[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*="#,
        #"^\s*(?:export\s+)?(?:const|let)\s+(?<name>[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=>"#,
        #"^\s+(?:(?:public|private|protected|static|async|readonly|get|set)\s+)*(?<name>(?!if\b|for\b|while\b|switch\b|catch\b|return\b|function\b)[A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{\s*$"#,
    ])
    private static let rust = compile([
        #"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:const\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|type|mod|union)\s+(?<name>[A-Za-z_]\w*)"#,
        #"^\s*impl(?:<[^>]*>)?\s+(?:[\w:<>, ]+\s+for\s+)?(?<name>[A-Za-z_][\w:]*)"#,
    ])
    private static let jvm = compile([
        #"^\s*(?:(?:public|private|protected|internal|static|final|abstract|sealed|open|data|inline|partial|override)\s+)*(?:class|interface|enum|record|object|struct)\s+(?<name>[A-Za-z_]\w*)"#,
        #"^\s*(?:(?:public|private|protected|internal|static|final|abstract|synchronized|override|suspend|open|async|virtual)\s+)*fun\s+(?:<[^>]*>\s*)?(?:[\w.]+\.)?(?<name>[A-Za-z_]\w*)"#,
        #"^\s*(?:(?:public|private|protected|internal|static|final|abstract|synchronized|override|async|virtual)\s+)+[\w<>\[\], ?]+\s+(?<name>[A-Za-z_]\w*)\s*\("#,
    ])
    private static let ruby = compile([#"^\s*def\s+(?:self\.)?(?<name>[A-Za-z_]\w*[?!=]?)"#, #"^\s*(?:class|module)\s+(?<name>[A-Z][\w:]*)"#])
    private static let php = compile([
        #"^\s*(?:(?:public|private|protected|static|final|abstract)\s+)*function\s+(?<name>[A-Za-z_]\w*)"#,
        #"^\s*(?:(?:final|abstract)\s+)?(?:class|interface|trait|enum)\s+(?<name>[A-Za-z_]\w*)"#,
    ])
}
