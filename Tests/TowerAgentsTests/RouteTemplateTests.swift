import Foundation
import Testing
import TowerCore

/// Every path template the GitHub, Jira and Sentry clients name their calls by in a trace
/// (`url.template`) is a path of the service's published API description, placeholder names
/// included: read from the clients' source, where each path is one `APIPath` literal.
@Suite struct RouteTemplateTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/TowerServices")

    /// The templates of the path literals in `file`: `\(owner: x)` → `{owner}`, `\(x, as: "n")` → `{n}`,
    /// and `path + "…"` joined to the `let path: APIPath` it extends.
    static func templates(in file: String, prefixes: [String]) throws -> [String] {
        let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
        func template(_ literal: String) -> String {
            var t = literal.replacingOccurrences(of: #"\\\((\w+): [^)]*\)"#, with: "{$1}", options: .regularExpression)
            t = t.replacingOccurrences(of: #"\\\((?:[^()]|\([^()]*\))*, as: "(\w+)"\)"#, with: "{$1}", options: .regularExpression)
            return t
        }
        // Path literals: a quoted string starting with one of the API's prefixes, interpolations
        // (and the quotes inside them) included.
        let literal = try NSRegularExpression(pattern: #"(let path: APIPath = |path \+ )?"((?:/(?:"# + prefixes.joined(separator: "|") + #"))(?:[^"\\]|\\\((?:[^()]|\([^()]*\))*\))*)""#)
        var base = ""
        var found: [String] = []
        for match in literal.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let lead = Range(match.range(at: 1), in: text).map { String(text[$0]) } ?? ""
            let body = template(String(text[Range(match.range(at: 2), in: text)!]))
            if lead.hasPrefix("let path") { base = body; continue }
            found.append(lead.hasPrefix("path +") ? base + body : body)
        }
        return found
    }

    static func contractPaths(_ service: String, dropping prefix: String = "") throws -> Set<String> {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/contracts")
        let json = try JSONValue.parse(try Data(contentsOf: directory.appendingPathComponent("\(service).json")))
        guard case .object(let operations)? = json["operations"] else { return [] }
        return Set(operations.keys.compactMap { $0.split(separator: " ", maxSplits: 1).last.map(String.init) })
    }

    @Test(arguments: [
        (["GitHubClient.swift", "GitHubClientActions.swift"], "github", ["repos", "orgs", "users", "user", "search"]),
        (["JiraClient.swift"], "jira", ["rest"]),
        (["SentryClient.swift"], "sentry", ["api"]),
    ])
    func everyTemplateIsAPublishedPath(_ files: [String], _ service: String, _ prefixes: [String]) throws {
        let published = try Self.contractPaths(service)
        var count = 0
        for file in files {
            let templates = try Self.templates(in: file, prefixes: prefixes)
            count += templates.count
            for template in templates {
                #expect(published.contains(template), "\(file): \(template) is not a path of \(service)'s API description")
            }
        }
        #expect(count >= (service == "github" ? 20 : 4), "\(files): \(count) templates")
    }
}
