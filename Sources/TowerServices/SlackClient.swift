import Foundation
import HTTPTypes
import TowerCore
import TowerNet

/// Slack's Web API for what Tower says: messages with Block Kit, approval requests with
/// Approve and Reject buttons carrying the task id, one formatted notice per event, and replies
/// through a slash command's `response_url`. Slack answers HTTP 200 with `ok: false` for most
/// errors; those become errors carrying Slack's error string.
public struct SlackClient: Sendable {
    public let baseURL: URL
    let token: String
    let http: HTTPClient

    public init(baseURL: URL = URL(string: "https://slack.com/api")!, token: String, http: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
    }

    /// Where a message landed: its channel id and timestamp (Slack's message id).
    public struct Posted: Sendable, Equatable, Codable {
        public var channel: String
        public var ts: String
    }

    /// The events Tower tells the channel about.
    public enum Notice: Sendable, Equatable {
        case completed(taskId: String, ticket: String?, pullRequest: String?)
        case failed(taskId: String, ticket: String?, step: String, error: String)
        case escalated(taskId: String, ticket: String?, reason: String, pullRequest: String?)
        case sentryTicket(issue: String, ticket: String, events: Int, level: String)
    }

    /// chat.postMessage.
    @discardableResult
    public func postMessage(channel: String, text: String, blocks: [JSONValue]? = nil) async throws -> Posted {
        var payload: [String: JSONValue] = ["channel": .string(channel), "text": .string(text)]
        if let blocks { payload["blocks"] = .array(blocks) }
        let answer = try await call("chat.postMessage", .object(payload))
        return Posted(channel: answer["channel"]?.string ?? channel, ts: answer["ts"]?.string ?? "")
    }

    /// The approval request: the plan's summary and two buttons whose value is the task id.
    @discardableResult
    public func sendApprovalRequest(channel: String, taskId: String, ticket: String?, title: String, summary: String, pullRequest: String?) async throws -> Posted {
        let subject = ticket.map { "\($0): \(title)" } ?? title
        var lines = ["*Plan ready for approval* — \(subject)", summary]
        if let pullRequest { lines.append("<\(pullRequest)|PLAN.md in the draft PR>") }
        lines.append("Task `\(taskId)` · or `/agent approve \(taskId)`")
        let blocks: [JSONValue] = [
            .object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(lines.joined(separator: "\n"))])]),
            .object([
                "type": .string("actions"), "block_id": .string("approval:\(taskId)"),
                "elements": .array([
                    Self.button("Approve", action: "approve", value: taskId, style: "primary"),
                    Self.button("Reject", action: "reject", value: taskId, style: "danger"),
                ]),
            ]),
        ]
        return try await postMessage(channel: channel, text: "Plan ready for approval: \(subject)", blocks: blocks)
    }

    /// A task stopped at its model budget: why, and buttons to grant more or stop it. The grant
    /// button's value is the task id and the amount (`t-… +5`).
    @discardableResult
    public func sendBudgetRequest(channel: String, taskId: String, ticket: String?, title: String, reason: String, grant: Double) async throws -> Posted {
        let subject = ticket.map { "\($0): \(title)" } ?? title
        let amount = grant == grant.rounded() ? String(Int(grant)) : String(format: "%.2f", grant)
        let text = "*Waiting for model budget* — \(subject)\n\(reason)\nTask `\(taskId)` · or `/agent budget \(taskId) +\(amount)`"
        let blocks: [JSONValue] = [
            .object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(text)])]),
            .object([
                "type": .string("actions"), "block_id": .string("budget:\(taskId)"),
                "elements": .array([
                    Self.button("Grant +$\(amount)", action: "budget_grant", value: "\(taskId) +\(amount)", style: "primary"),
                    Self.button("Stop", action: "budget_stop", value: taskId, style: "danger"),
                ]),
            ]),
        ]
        return try await postMessage(channel: channel, text: "Waiting for model budget: \(subject)", blocks: blocks)
    }

    /// A formatted notice for one event.
    @discardableResult
    public func sendNotification(channel: String, _ notice: Notice) async throws -> Posted {
        let text = Self.text(for: notice)
        return try await postMessage(channel: channel, text: text, blocks: [.object(["type": .string("section"), "text": .object(["type": .string("mrkdwn"), "text": .string(text)])])])
    }

    /// The bot and workspace the token belongs to (`auth.test`).
    public func authTest() async throws -> ServiceIdentity {
        let answer = try await call("auth.test", .object([:]))
        let user = answer["user"]?.string ?? answer["user_id"]?.string ?? "unknown user"
        let team = answer["team"]?.string ?? answer["team_id"]?.string ?? "unknown workspace"
        return ServiceIdentity(identity: "\(user) in \(team)\(answer["url"]?.string.map { " (\($0))" } ?? "")")
    }

    /// Answers a slash command or a button through its `response_url` (no token: the URL is the credential).
    public func respond(to responseURL: URL, text: String, replaceOriginal: Bool = false) async throws {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        let body = try JSONEncoder().encode(JSONValue.object(["text": .string(text), "replace_original": .bool(replaceOriginal), "response_type": .string("in_channel")]))
        let response = try await http.send(HTTPClientRequest(method: .post, url: responseURL, headers: headers, body: body, route: "{response_url}"))
        guard response.status.kind == .successful else {
            throw ServiceError(service: "Slack", status: response.status.code, message: String(decoding: response.body.prefix(200), as: UTF8.self))
        }
    }

    static func text(for notice: Notice) -> String {
        switch notice {
        case .completed(let id, let ticket, let pr):
            "✅ *Completed* \(ticket ?? id)\(pr.map { " — <\($0)|pull request>" } ?? "") (task `\(id)`)"
        case .failed(let id, let ticket, let step, let error):
            "❌ *Failed* \(ticket ?? id) at \(step): \(error) — `/agent retry \(id)`"
        case .escalated(let id, let ticket, let reason, let pr):
            "🚨 *Needs a human* \(ticket ?? id): \(reason)\(pr.map { " — <\($0)|pull request>" } ?? "") (task `\(id)`)"
        case .sentryTicket(let issue, let ticket, let events, let level):
            "🐛 *Sentry* \(issue): \(events) \(level) events in 24 h → \(ticket)"
        }
    }

    static func button(_ label: String, action: String, value: String, style: String) -> JSONValue {
        .object([
            "type": .string("button"), "text": .object(["type": .string("plain_text"), "text": .string(label)]), "action_id": .string(action),
            "value": .string(value), "style": .string(style),
        ])
    }

    /// A Web API method: JSON in, `{"ok": true, …}` out.
    func call(_ method: String, _ payload: JSONValue) async throws -> JSONValue {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "application/json; charset=utf-8"
        let request = HTTPClientRequest(method: .post, url: baseURL.appendingPathComponent(method), headers: headers, body: try JSONEncoder().encode(payload),
            route: "/api/\(method)")
        let response = try await http.send(request)
        let answer = try? JSONValue.parse(response.body)
        guard response.status.kind == .successful, let answer else {
            throw ServiceError(service: "Slack", status: response.status.code, message: String(decoding: response.body.prefix(200), as: UTF8.self))
        }
        guard answer["ok"] == .bool(true) else {
            throw ServiceError(service: "Slack", status: response.status.code, message: answer["error"]?.string ?? "ok: false")
        }
        return answer
    }
}
