import Foundation
import HTTPTypes
import TowerCore
import TowerNet

/// Jira Cloud's REST API v3 (e-mail and API token), with the original's jira-mcp method set.
/// Comments and descriptions are sent as Atlassian Document Format. Jira's error shape
/// (`errorMessages` and per-field `errors`) becomes the error's message.
public struct JiraClient: Sendable {
    public let baseURL: URL
    let email: String
    let token: String
    let http: HTTPClient

    public init(baseURL: URL, email: String, token: String, http: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL
        self.email = email
        self.token = token
        self.http = http
    }

    /// The fields Tower reads of an issue.
    public struct Issue: Sendable, Equatable, Codable {
        public var key: String
        public var summary: String
        public var status: String?
        public var issueType: String?
        public var labels: [String]
        /// The names of the project components the issue is filed under (`fields.components`):
        /// where a team says the work is, often a repository's name.
        public var components: [String] = []
        /// The description as plain text (ADF flattened).
        public var description: String
    }

    /// An issue with its description flattened from ADF to text.
    public func getIssue(_ key: String) async throws -> Issue {
        var issue = Self.issue(try await call(.get, "/rest/api/3/issue/\(key, as: "issueIdOrKey")", query: ["fields": "summary,status,issuetype,labels,components,description"]))
        // Jira's description does not promise `key` in the answer; the one asked for is the one.
        if issue.key.isEmpty { issue.key = key }
        return issue
    }

    /// JQL search (the enhanced `/search/jql` endpoint), following `nextPageToken` up to `maxResults`.
    public func searchIssues(jql: String, maxResults: Int = 50) async throws -> [Issue] {
        var issues: [Issue] = []
        var token: String?
        repeat {
            var body: [String: JSONValue] = [
                "jql": .string(jql), "maxResults": .number(Double(min(100, maxResults - issues.count))),
                "fields": .array(["summary", "status", "issuetype", "labels", "components", "description"].map(JSONValue.string)),
            ]
            if let token { body["nextPageToken"] = .string(token) }
            let page = try await call(.post, "/rest/api/3/search/jql", body: .object(body))
            if case .array(let found) = page["issues"] { issues += found.map(Self.issue) }
            token = page["isLast"] == .bool(true) ? nil : page["nextPageToken"]?.string
        } while token != nil && issues.count < maxResults
        return issues
    }

    /// Creates an issue; returns its key. `hardLineBreaks`: the description's lines stay lines
    /// (a filled-in template), see ``AtlassianDocument/from(markdown:hardLineBreaks:)``.
    public func createIssue(
        project: String, issueType: String, summary: String, description: String, labels: [String] = [], hardLineBreaks: Bool = false
    ) async throws -> String {
        let fields: JSONValue = .object([
            "project": .object(["key": .string(project)]), "issuetype": .object(["name": .string(issueType)]), "summary": .string(summary),
            "description": AtlassianDocument.from(markdown: description, hardLineBreaks: hardLineBreaks), "labels": .array(labels.map(JSONValue.string)),
        ])
        let created = try await call(.post, "/rest/api/3/issue", body: .object(["fields": fields]))
        guard let key = created["key"]?.string else { throw ServiceError(service: "Jira", status: 201, message: "no key in the answer") }
        return key
    }

    /// Sets `fields` (Jira's own field names and shapes) with `PUT /rest/api/3/issue/{key}`.
    public func updateIssue(_ key: String, fields: [String: JSONValue]) async throws {
        _ = try await call(.put, "/rest/api/3/issue/\(key, as: "issueIdOrKey")", body: .object(["fields": .object(fields)]))
    }

    /// A comment, written as Markdown-ish text and sent as a document.
    @discardableResult
    public func addComment(_ key: String, markdown: String) async throws -> String {
        let answer = try await call(.post, "/rest/api/3/issue/\(key, as: "issueIdOrKey")/comment", body: .object(["body": AtlassianDocument.from(markdown: markdown)]))
        return answer["id"]?.string ?? ""
    }

    /// An issue's comments as plain text, oldest first, every page of them (up to `maxPages`
    /// pages of Jira's page size): how a re-run finds the comment its first run posted, by the
    /// marker in it. One page of 100 missed it on a busy issue, and the comment went out twice.
    public func comments(_ key: String, pageSize: Int = 100, maxPages: Int = 50) async throws -> [(id: String, text: String)] {
        var all: [(id: String, text: String)] = []
        for _ in 0..<maxPages {
            let page = try await call(
                .get, "/rest/api/3/issue/\(key, as: "issueIdOrKey")/comment", query: ["startAt": String(all.count), "maxResults": String(pageSize), "orderBy": "created"])
            guard case .array(let comments) = page["comments"], !comments.isEmpty else { break }
            all += comments.map { ($0["id"]?.string ?? "", $0["body"].map(Self.plainText) ?? "") }
            // Jira may answer fewer than asked (its own cap); `total` says when it is all.
            if let total = page["total"]?.number, all.count >= Int(total) { break }
        }
        return all
    }

    /// Moves an issue through a transition named (case-insensitively) or numbered `transition`.
    public func transitionIssue(_ key: String, transition: String) async throws {
        let available = try await call(.get, "/rest/api/3/issue/\(key, as: "issueIdOrKey")/transitions")
        guard case .array(let transitions) = available["transitions"],
            let match = transitions.first(where: { $0["id"]?.string == transition || $0["name"]?.string?.lowercased() == transition.lowercased() }),
            let id = match["id"]?.string
        else {
            var names: [String] = []
            if case .array(let list) = available["transitions"] { names = list.compactMap { $0["name"]?.string } }
            throw ServiceError(service: "Jira", status: 400, message: "\(key) has no transition \(transition); available: \(names.joined(separator: ", "))")
        }
        _ = try await call(.post, "/rest/api/3/issue/\(key, as: "issueIdOrKey")/transitions", body: .object(["transition": .object(["id": .string(id)])]))
    }

    /// The account the API token belongs to (`GET /rest/api/3/myself`).
    public func myself() async throws -> ServiceIdentity {
        let (json, headers) = try await exchange(.get, "/rest/api/3/myself")
        let name = json["displayName"]?.string ?? json["accountId"]?.string ?? "unknown account"
        return ServiceIdentity(
            identity: json["emailAddress"]?.string.map { "\(name) <\($0)>" } ?? name,
            headroom: RateHeadroom(headers, remaining: "x-ratelimit-remaining", limit: "x-ratelimit-limit"))
    }

    // MARK: Plumbing

    func call(_ method: HTTPRequest.Method, _ path: APIPath, query: [String: String] = [:], body: JSONValue? = nil) async throws -> JSONValue {
        try await exchange(method, path, query: query, body: body).json
    }

    /// A call whose answer's headers matter too (rate limits).
    func exchange(_ method: HTTPRequest.Method, _ path: APIPath, query: [String: String] = [:], body: JSONValue? = nil) async throws -> (json: JSONValue, headers: HTTPFields) {
        var headers = HTTPFields()
        headers[.authorization] = "Basic " + Data("\(email):\(token)".utf8).base64EncodedString()
        headers[.accept] = "application/json"
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await http.send(HTTPClientRequest(method: method, url: baseURL.endpoint(path.path, query: query), headers: headers, body: try body.map { try JSONEncoder().encode($0) },
                route: path.template))
        let json = response.body.isEmpty ? JSONValue.object([:]) : (try? JSONValue.parse(response.body))
        guard response.status.kind == .successful else {
            var messages: [String] = []
            if case .array(let list) = json?["errorMessages"] { messages += list.compactMap(\.string) }
            if case .object(let fields) = json?["errors"] { messages += fields.sorted { $0.key < $1.key }.compactMap { key, value in value.string.map { "\(key): \($0)" } } }
            let message = messages.isEmpty ? String(decoding: response.body.prefix(200), as: UTF8.self) : messages.joined(separator: "; ")
            throw ServiceError(service: "Jira", status: response.status.code, message: message)
        }
        return (json ?? .object([:]), response.headers)
    }

    static func issue(_ json: JSONValue) -> Issue {
        let fields = json["fields"]
        var labels: [String] = []
        if case .array(let list) = fields?["labels"] { labels = list.compactMap(\.string) }
        var components: [String] = []
        if case .array(let list) = fields?["components"] { components = list.compactMap { $0["name"]?.string } }
        return Issue(
            key: json["key"]?.string ?? "", summary: fields?["summary"]?.string ?? "", status: fields?["status"]?["name"]?.string,
            issueType: fields?["issuetype"]?["name"]?.string, labels: labels, components: components, description: fields?["description"].map(plainText) ?? "")
    }

    /// The text of an ADF document (or a plain string, as v2 answers have): the API's answers
    /// and the webhooks' payloads alike. Inline code (a `code` mark) keeps its backticks, as
    /// Markdown writes it: Discovery takes a code span's words as identifiers.
    public static func plainText(_ node: JSONValue) -> String {
        if let text = node.string { return text }
        if node["type"]?.string == "text" {
            let text = node["text"]?.string ?? ""
            guard case .array(let marks) = node["marks"], marks.contains(where: { $0["type"]?.string == "code" }), !text.contains("`") else { return text }
            return "`" + text + "`"
        }
        if node["type"]?.string == "hardBreak" { return "\n" }
        if node["type"]?.string == "rule" { return "---\n" }
        guard case .array(let children) = node["content"] else { return "" }
        let block = ["paragraph", "heading", "listItem", "codeBlock"].contains(node["type"]?.string ?? "")
        return children.map(plainText).joined() + (block ? "\n" : "")
    }
}
