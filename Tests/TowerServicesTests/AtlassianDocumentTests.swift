import Foundation
import Testing
import TowerCore
import TowerTestSupport

@testable import TowerServices

/// Markdown made into Atlassian Document Format must be a document Jira accepts: ADF forbids a
/// text node with empty text, and Jira refuses the whole description or comment over one.
@Suite struct AtlassianDocumentTests {
    /// Every text node in the document, depth first.
    static func texts(_ node: JSONValue) -> [String?] {
        var found: [String?] = []
        if node["type"]?.string == "text" { found.append(node["text"]?.string) }
        if case .array(let children)? = node["content"] { for child in children { found += texts(child) } }
        return found
    }

    @Test func anEmptyCodeBlockHasNoEmptyTextNode() {
        for markdown in ["```\n```", "```python\n```", "Before\n\n```\n", "```sh\n", "- a\n```\n```\n- b"] {
            let document = AtlassianDocument.from(markdown: markdown)
            #expect(Self.texts(document).allSatisfy { ($0 ?? "").isEmpty == false }, "\(markdown): \(document)")
            var blocks: [JSONValue] = []
            if case .array(let nodes)? = document["content"] { blocks = nodes.filter { $0["type"]?.string == "codeBlock" } }
            #expect(blocks.count == 1, "\(markdown)")
        }
        let python = AtlassianDocument.from(markdown: "```python\nprint(1)\n```")
        #expect(Self.texts(python) == ["print(1)"])
    }

    /// 5,000 documents built from the pieces the agents write, empty ones included: none has
    /// an empty text node.
    @Test func noDocumentHasAnEmptyTextNode() {
        var rng = SplitMix64(state: UInt64(Date().timeIntervalSince1970))
        let pieces = ["```", "```swift", "", " ", "- ", "* ", "- [ ] ", "# ", "## Title", "---", "**", "*", "``", "text", "**bold** and `code`", "- [x] done"]
        for _ in 0..<5_000 {
            let markdown = (0..<Int.random(in: 1...8, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined(separator: "\n")
            for hard in [false, true] {
                let document = AtlassianDocument.from(markdown: markdown, hardLineBreaks: hard)
                #expect(Self.texts(document).allSatisfy { ($0 ?? "").isEmpty == false }, "\(markdown.debugDescription)")
            }
        }
    }
}
