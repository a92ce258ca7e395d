import TowerCore

/// Markdown-ish text (what the agents write: headings, bullets, checkboxes, code fences,
/// paragraphs, `inline code`, **bold**, *emphasis*, `---` rules) as Atlassian Document Format, so
/// a plan summary reads as a document in a Jira comment instead of a wall of symbols.
public enum AtlassianDocument {
    /// `hardLineBreaks`: every line of a paragraph keeps its own line (a ticket template's
    /// `**Error:**` / `**Type:**` lines), instead of markdown's joining them into one.
    public static func from(markdown: String, hardLineBreaks: Bool = false) -> JSONValue {
        var content: [JSONValue] = []
        var paragraph: [String] = []
        var bullets: [String] = []
        var code: [String]?
        var language = ""

        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            let nodes: [JSONValue] =
                hardLineBreaks
                ? paragraph.enumerated().flatMap { index, line in (index == 0 ? [] : [.object(["type": .string("hardBreak")])]) + inline(line) }
                : inline(paragraph.joined(separator: " "))
            content.append(.object(["type": .string("paragraph"), "content": .array(nodes)]))
            paragraph = []
        }
        func flushBullets() {
            guard !bullets.isEmpty else { return }
            content.append(.object([
                "type": .string("bulletList"),
                "content": .array(bullets.map { .object(["type": .string("listItem"), "content": .array([.object(["type": .string("paragraph"), "content": .array(inline($0))])])]) }),
            ]))
            bullets = []
        }

        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                if let lines = code {
                    content.append(codeBlock(lines, language: language))
                    code = nil
                } else {
                    flushParagraph()
                    flushBullets()
                    code = []
                    language = String(line.dropFirst(3))
                }
                continue
            }
            if code != nil {
                code?.append(raw)
                continue
            }
            let hashes = line.prefix { $0 == "#" }.count
            if line == "---" || line == "***" {
                flushParagraph()
                flushBullets()
                content.append(.object(["type": .string("rule")]))
            } else if (1...6).contains(hashes), line.dropFirst(hashes).first == " " {
                flushParagraph()
                flushBullets()
                content.append(.object([
                    "type": .string("heading"), "attrs": .object(["level": .number(Double(hashes))]),
                    "content": .array(inline(String(line.dropFirst(hashes + 1)))),
                ]))
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") {
                flushParagraph()
                var item = String(line.dropFirst(2))
                if item.hasPrefix("[ ] ") { item = "☐ " + item.dropFirst(4) } else if item.lowercased().hasPrefix("[x] ") { item = "☑ " + item.dropFirst(4) }
                bullets.append(item)
            } else if line.isEmpty {
                flushParagraph()
                flushBullets()
            } else {
                flushBullets()
                paragraph.append(line)
            }
        }
        if let lines = code { content.append(codeBlock(lines, language: language)) }
        flushParagraph()
        flushBullets()
        return .object(["type": .string("doc"), "version": .number(1), "content": .array(content)])
    }

    /// A code block. An empty one has no content: ADF forbids a text node with empty text, and
    /// Jira refuses the whole document over it.
    static func codeBlock(_ lines: [String], language: String) -> JSONValue {
        let text = lines.joined(separator: "\n")
        var block: [String: JSONValue] = ["type": .string("codeBlock"), "content": .array(text.isEmpty ? [] : [.object(["type": .string("text"), "text": .string(text)])])]
        if !language.isEmpty { block["attrs"] = .object(["language": .string(language)]) }
        return .object(block)
    }

    /// Text with `code`, **strong** and *em* marks.
    static func inline(_ text: String) -> [JSONValue] {
        var nodes: [JSONValue] = []
        var current = ""
        var mark: String?
        var chars = Array(text)[...]
        func flush() {
            guard !current.isEmpty else { return }
            var node: [String: JSONValue] = ["type": .string("text"), "text": .string(current)]
            if let mark { node["marks"] = .array([.object(["type": .string(mark)])]) }
            nodes.append(.object(node))
            current = ""
        }
        while let c = chars.first {
            if c == "`", mark != "strong" {
                flush()
                mark = mark == "code" ? nil : "code"
                chars = chars.dropFirst()
            } else if c == "*", chars.dropFirst().first == "*", mark != "code" {
                flush()
                mark = mark == "strong" ? nil : "strong"
                chars = chars.dropFirst(2)
            } else if c == "*", mark == "em" || (mark == nil && chars.dropFirst().first.map { !$0.isWhitespace } == true && chars.dropFirst().contains("*")) {
                flush()
                mark = mark == "em" ? nil : "em"
                chars = chars.dropFirst()
            } else {
                current.append(c)
                chars = chars.dropFirst()
            }
        }
        flush()
        return nodes.isEmpty ? [.object(["type": .string("text"), "text": .string(" ")])] : nodes
    }
}
