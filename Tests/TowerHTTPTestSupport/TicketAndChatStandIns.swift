import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerTestLog

/// Jira Cloud's v3 issues and comments, and Slack's `chat.postMessage`, in memory, with each
/// service's authentication and error shapes. For the agents' end-to-end tests.
public final class TicketAndChat: @unchecked Sendable {
    public struct Issue: Sendable {
        public var key: String
        public var summary: String
        public var description: String
        public var issueType = "Story"
        public var labels: [String] = []
        /// Project components' names; served in Jira's shape (`{"self", "id", "name"}`).
        public var components: [String] = []
        public var project = "PROJ"
    }

    private let lock = NSLock()
    private var issues: [String: Issue] = [:]
    private var jiraComments: [String: [String]] = [:]
    private var slackMessages: [[String: Any]] = []
    private var holdingSlack = false
    private var droppingHeld = false
    private var slackArrivals = 0
    private var created: [String] = []
    private var createArrivals = 0
    private var holdingCreates = false
    private var failingCreates: [String: Int] = [:]
    private var searches: [String] = []
    public init() {}

    /// Keys of the issues created through the API, in order.
    public var createdKeys: [String] { locked { $0.created } }
    /// An issue by key.
    public func issue(_ key: String) -> Issue? { locked { $0.issues[key] } }
    /// `POST /issue` requests that arrived.
    public var createRequests: Int { locked { $0.createArrivals } }
    /// The JQL of every search.
    public var searchQueries: [String] { locked { $0.searches } }
    /// Creates issues but holds the answer until released (a kill -9 after Jira created it).
    public func holdCreates(_ hold: Bool) { locked { $0.holdingCreates = hold } }
    /// The next `times` creates whose summary contains `summary` answer 500 and create nothing.
    public func failCreates(containing summary: String, times: Int = 1) { locked { $0.failingCreates[summary] = times } }

    func locked<T>(_ body: (TicketAndChat) -> T) -> T { lock.withLock { body(self) } }

    public func addIssue(_ key: String, summary: String, description: String, labels: [String] = [], components: [String] = []) {
        locked { $0.issues[key] = Issue(key: key, summary: summary, description: description, labels: labels, components: components) }
    }

    /// The comments posted on an issue, as the ADF documents' text.
    public func comments(_ key: String) -> [String] { locked { $0.jiraComments[key] ?? [] } }
    /// Every Slack message posted, as its JSON body.
    public var messages: [[String: Any]] { locked { $0.slackMessages } }
    /// `chat.postMessage` requests that arrived, held or not.
    public var slackRequests: Int { locked { $0.slackArrivals } }

    /// Holds `chat.postMessage` until released, unanswered and unposted (a kill -9 window).
    /// `drop`: the held requests never reach Slack (the connection died on the way).
    public func holdSlack(_ hold: Bool, drop: Bool = false) {
        locked { chat in
            chat.holdingSlack = hold
            chat.droppingHeld = drop
        }
    }

    static func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// An ADF document's text, paragraphs on their own lines.
    static func text(_ node: Any?) -> String {
        guard let node = node as? [String: Any] else { return "" }
        if let text = node["text"] as? String { return text }
        if node["type"] as? String == "hardBreak" { return "\n" }
        if node["type"] as? String == "rule" { return "---\n" }
        let children = (node["content"] as? [Any] ?? []).map(text).joined()
        return ["paragraph", "heading", "listItem", "codeBlock"].contains(node["type"] as? String ?? "") ? children + "\n" : children
    }

    public func routes(_ router: Router<BasicRequestContext>) {
        let jiraAuth = "Basic " + Data("bot@acme.example:\(TestSecrets.jiraToken)".utf8).base64EncodedString()
        let unauthenticated = Self.json(["errorMessages": ["You are not authenticated. Authentication required to perform this operation."], "errors": [:]], status: .unauthorized)
        let notFound = Self.json(["errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": [:]], status: .notFound)
        router.get("/jira/rest/api/3/issue/:key") { request, context in
            guard request.headers[.authorization] == jiraAuth else { return unauthenticated }
            let key = context.parameters.get("key") ?? ""
            guard let issue = self.locked({ $0.issues[key] }) else { return notFound }
            let description: [String: Any] = [
                "type": "doc", "version": 1,
                "content": issue.description.components(separatedBy: "\n\n").map { ["type": "paragraph", "content": [["type": "text", "text": $0]]] },
            ]
            let components = issue.components.enumerated().map { index, name in
                ["self": "https://acme.atlassian.net/rest/api/3/component/\(10000 + index)", "id": "\(10000 + index)", "name": name]
            }
            return Self.json([
                "id": "10001", "key": issue.key,
                "fields": [
                    "summary": issue.summary, "status": ["name": "To Do"], "issuetype": ["name": "Story"], "labels": ["AI"] + issue.labels,
                    "components": components, "description": description,
                ],
            ])
        }
        // Creating an issue: the fields Jira requires, an ADF description, a key in the project.
        router.post("/jira/rest/api/3/issue") { request, _ in
            guard request.headers[.authorization] == jiraAuth else { return unauthenticated }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] ?? [:]
            let fields = body["fields"] as? [String: Any] ?? [:]
            guard let project = (fields["project"] as? [String: Any])?["key"] as? String, let summary = fields["summary"] as? String,
                let type = (fields["issuetype"] as? [String: Any])?["name"] as? String
            else {
                return Self.json(["errorMessages": [], "errors": ["project": "project is required", "summary": "You must specify a summary of the issue."]], status: .badRequest)
            }
            guard (fields["description"] as? [String: Any])?["type"] as? String == "doc" else {
                return Self.json(["errorMessages": [], "errors": ["description": "Operation value must be an Atlassian Document (see the Atlassian Document Format)"]], status: .badRequest)
            }
            let failing = self.locked { chat -> Bool in
                chat.createArrivals += 1
                guard let match = chat.failingCreates.first(where: { summary.contains($0.key) && $0.value > 0 }) else { return false }
                chat.failingCreates[match.key] = match.value - 1
                return true
            }
            if failing { return Self.json(["errorMessages": ["Internal server error"], "errors": [:]], status: .internalServerError) }
            let key = self.locked { chat -> String in
                let key = "\(project)-\(100 + chat.created.count + 1)"
                chat.issues[key] = Issue(
                    key: key, summary: summary, description: Self.text(fields["description"]), issueType: type, labels: fields["labels"] as? [String] ?? [],
                    project: project)
                chat.created.append(key)
                return key
            }
            while self.locked({ $0.holdingCreates }) { try await Task.sleep(nanoseconds: 20_000_000) }
            return Self.json(["id": "\(10_000 + Int(key.split(separator: "-").last ?? "0")!)", "key": key, "self": "https://acme.atlassian.net/rest/api/3/issue/\(key)"], status: .created)
        }
        // Enhanced JQL search: `project = "P"` and `text ~ "\"phrase\""` are understood; a phrase
        // matches a description or summary that contains its words in order.
        router.post("/jira/rest/api/3/search/jql") { request, _ in
            guard request.headers[.authorization] == jiraAuth else { return unauthenticated }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] ?? [:]
            let jql = body["jql"] as? String ?? ""
            self.locked { $0.searches.append(jql) }
            let project = jql.range(of: #"project = "([^"]+)""#, options: .regularExpression).map { String(jql[$0].dropFirst(11).dropLast()) }
            let phrase = jql.range(of: #"text ~ "\\"[^\\]+\\"""#, options: .regularExpression).map { String(jql[$0].dropFirst(10).dropLast(3)) }
            let found = self.locked { chat in
                chat.issues.values.filter { issue in
                    (project == nil || issue.project == project) && (phrase.map { issue.description.contains($0) || issue.summary.contains($0) } ?? true)
                }.sorted { $0.key < $1.key }
            }
            let issues = found.map { issue -> [String: Any] in
                [
                    "id": "1", "key": issue.key,
                    "fields": [
                        "summary": issue.summary, "status": ["name": "To Do"], "issuetype": ["name": issue.issueType], "labels": issue.labels,
                        "description": [
                            "type": "doc", "version": 1,
                            "content": issue.description.split(separator: "\n").map { ["type": "paragraph", "content": [["type": "text", "text": String($0)]]] },
                        ],
                    ],
                ]
            }
            return Self.json(["issues": issues, "isLast": true])
        }
        router.get("/jira/rest/api/3/issue/:key/comment") { request, context in
            guard request.headers[.authorization] == jiraAuth else { return unauthenticated }
            let key = context.parameters.get("key") ?? ""
            guard self.locked({ $0.issues[key] }) != nil else { return notFound }
            let comments = self.comments(key).enumerated().map { index, text -> [String: Any] in
                ["id": "\(index + 1)", "body": ["type": "doc", "version": 1, "content": [["type": "paragraph", "content": [["type": "text", "text": text]]]]]]
            }
            return Self.json(["startAt": 0, "maxResults": 100, "total": comments.count, "comments": comments])
        }
        router.post("/jira/rest/api/3/issue/:key/comment") { request, context in
            guard request.headers[.authorization] == jiraAuth else { return unauthenticated }
            let key = context.parameters.get("key") ?? ""
            guard self.locked({ $0.issues[key] }) != nil else { return notFound }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] ?? [:]
            guard (body["body"] as? [String: Any])?["type"] as? String == "doc" else {
                return Self.json(["errorMessages": [], "errors": ["comment": "Comment body can not be empty!"]], status: .badRequest)
            }
            let text = Self.text(body["body"])
            let id = self.locked { chat -> Int in
                chat.jiraComments[key, default: []].append(text)
                return chat.jiraComments[key]!.count
            }
            return Self.json(["id": "\(id)", "body": body["body"]!], status: .created)
        }
        router.post("/slack/api/chat.postMessage") { request, _ in
            guard request.headers[.authorization] == "Bearer \(TestSecrets.slackToken)" else { return Self.json(["ok": false, "error": "invalid_auth"]) }
            self.locked { $0.slackArrivals += 1 }
            var held = false
            while self.locked({ $0.holdingSlack }) {
                held = true
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            if held, self.locked({ $0.droppingHeld }) { return Self.json(["ok": false, "error": "request_timeout"]) }
            let buffer = try await request.body.collect(upTo: 1 << 20)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] ?? [:]
            guard let channel = body["channel"] as? String else { return Self.json(["ok": false, "error": "channel_not_found"]) }
            let ts = self.locked { chat -> String in
                chat.slackMessages.append(body)
                return "1700000000.\(String(format: "%06d", chat.slackMessages.count))"
            }
            return Self.json(["ok": true, "channel": channel, "ts": ts, "message": ["text": body["text"] ?? ""]])
        }
    }
}
