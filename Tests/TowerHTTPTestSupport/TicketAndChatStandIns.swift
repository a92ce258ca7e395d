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
    }

    private let lock = NSLock()
    private var issues: [String: Issue] = [:]
    private var jiraComments: [String: [String]] = [:]
    private var slackMessages: [[String: Any]] = []
    private var holdingSlack = false
    private var droppingHeld = false
    private var slackArrivals = 0
    public init() {}

    func locked<T>(_ body: (TicketAndChat) -> T) -> T { lock.withLock { body(self) } }

    public func addIssue(_ key: String, summary: String, description: String) {
        locked { $0.issues[key] = Issue(key: key, summary: summary, description: description) }
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
        let children = (node["content"] as? [Any] ?? []).map(text).joined()
        return ["paragraph", "heading", "listItem"].contains(node["type"] as? String ?? "") ? children + "\n" : children
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
            return Self.json([
                "id": "10001", "key": issue.key,
                "fields": [
                    "summary": issue.summary, "status": ["name": "To Do"], "issuetype": ["name": "Story"], "labels": ["AI"], "description": description,
                ],
            ])
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
