import Crypto
import Foundation
import TowerCore
import TowerStore

/// What happens to one request before it is answered: verified on its raw bytes, checked for
/// shape, named by the service's delivery id, and made a ``WebhookDelivery`` for the inbox. Pure:
/// the listener writes the delivery durably and answers; nothing here touches the engine.
public enum Intake {
    /// The answer to a request.
    public enum Decision: Equatable, Sendable {
        /// Refused, with the status to answer and why (for the operator; the caller gets less).
        case refused(status: Int, reason: String)
        /// Verified: store it, then answer `reply` (Slack's ephemeral text, GitHub's pong).
        case accepted(WebhookDelivery, reply: String)
    }

    public static func decide(
        _ source: WebhookSource, body: Data, header: (String) -> String?, secrets: [String], now: Date
    ) -> Decision {
        if let refusal = Signatures.verify(source, body: body, header: header, secrets: secrets, now: now) {
            return .refused(status: 401, reason: refusal.description)
        }
        switch source {
        case .github:
            guard let id = header("X-GitHub-Delivery"), !id.isEmpty else { return .refused(status: 400, reason: "no X-GitHub-Delivery header") }
            guard let event = header("X-GitHub-Event"), !event.isEmpty else { return .refused(status: 400, reason: "no X-GitHub-Event header") }
            guard let json = object(body) else { return .refused(status: 400, reason: "the body is not a JSON object") }
            let action = json["action"]?.string.map { ".\($0)" } ?? ""
            return .accepted(delivery("github-\(id)", source, "\(event)\(action)", body, now), reply: event == "ping" ? "pong" : "received")
        case .jira:
            guard let json = object(body) else { return .refused(status: 400, reason: "the body is not a JSON object") }
            let event = json["webhookEvent"]?.string ?? "unknown"
            let id = header("X-Atlassian-Webhook-Identifier").flatMap { $0.isEmpty ? nil : $0 } ?? "sha256-\(digest(body))"
            return .accepted(delivery("jira-\(id)", source, event, body, now), reply: "received")
        case .sentry:
            guard let json = object(body) else { return .refused(status: 400, reason: "the body is not a JSON object") }
            let resource = header("Sentry-Hook-Resource") ?? "unknown"
            let id = header("Request-ID").flatMap { $0.isEmpty ? nil : $0 } ?? "sha256-\(digest(body))"
            return .accepted(delivery("sentry-\(id)", source, "\(resource).\(json["action"]?.string ?? "unknown")", body, now), reply: "received")
        case .slack:
            guard let form = FormBody(body), let command = form["command"] else { return .refused(status: 400, reason: "not a slash command form") }
            // A retry (X-Slack-Retry-Num) carries the same trigger: it lands on the same inbox row.
            let id = form["trigger_id"].flatMap { $0.isEmpty ? nil : $0 } ?? "sha256-\(digest(body))"
            let text = (form["text"] ?? "").trimmingCharacters(in: .whitespaces)
            return .accepted(delivery("slack-\(id)", source, "command \(command)", body, now), reply: SlackReplies.acknowledgement(command: command, text: text))
        case .slackInteraction:
            guard let form = FormBody(body), let payload = form["payload"], let json = object(Data(payload.utf8)) else {
                return .refused(status: 400, reason: "not an interaction form with a JSON payload")
            }
            let type = json["type"]?.string ?? "unknown"
            let action: String? = {
                if case .array(let actions)? = json["actions"] { return actions.first?["action_ts"]?.string }
                return nil
            }()
            let id = json["trigger_id"]?.string ?? action ?? "sha256-\(digest(body))"
            return .accepted(delivery("slack-\(id)", source, "interaction \(type)", body, now), reply: "")
        }
    }

    static func delivery(_ id: String, _ source: WebhookSource, _ event: String, _ body: Data, _ now: Date) -> WebhookDelivery {
        WebhookDelivery(id: String(id.prefix(200)), source: source.rawValue, event: String(event.prefix(120)), body: body, receivedAt: now)
    }

    static func object(_ body: Data) -> JSONValue? {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: body), case .object = json else { return nil }
        return json
    }

    static func digest(_ body: Data) -> String {
        SHA256.hash(data: body).prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}

/// An `application/x-www-form-urlencoded` body's fields (Slack's slash commands and buttons).
struct FormBody {
    let fields: [String: String]

    init?(_ body: Data) {
        guard let text = String(data: body, encoding: .utf8) else { return nil }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard let name = Self.decode(parts[0]) else { return nil }
            fields[name] = parts.count == 2 ? Self.decode(parts[1]) ?? "" : ""
        }
        self.fields = fields
    }

    subscript(_ name: String) -> String? { fields[name] }

    static func decode(_ text: String) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
