import Crypto
import Foundation
import TowerAgents
import TowerCore
import TowerNet
import TowerServices
import TowerStore
import TowerWebhooks

/// Every parser of outside input, each as a function of raw bytes that must return for any
/// input: no trap, no unbounded recursion, no hang. libFuzzer drives them (scripts/fuzz), and
/// the replay mode runs saved inputs through the same functions.
enum FuzzTarget: String, CaseIterable {
    /// JSON bodies: the whole-document reader and the member reader the listener answers from.
    case json
    /// A request to each webhook route, signed so it gets past verification into the form and
    /// JSON parsing, the id checks, and then the router that reads it after the answer.
    case intake
    /// PLAN.md as a person may have edited it, read back into the plan model.
    case plan
    /// Jira's Atlassian Document Format flattened to text, and Markdown made into it.
    case adf
    /// A GitHub Actions job log, split into steps and classified.
    case actionsLog = "actions-log"
    /// A model's Server-Sent Events stream, in chunks of any size.
    case sse

    func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .json:
            _ = JSONReader.parse(bytes)
            _ = JSONReader.members(bytes, ["action", "webhookEvent"])
        case .intake:
            Self.intake(Data(buffer: bytes))
        case .plan:
            if let plan = try? PlanDocument.parse(String(decoding: bytes, as: UTF8.self)) {
                _ = try? PlanDocument.parse(plan.render())
            }
        case .adf:
            if let document = JSONReader.parse(bytes) { _ = JiraClient.plainText(document) }
            _ = AtlassianDocument.from(markdown: String(decoding: bytes, as: UTF8.self), hardLineBreaks: bytes.first.map { $0 & 1 == 1 } ?? false)
        case .actionsLog:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = ActionsLog(text).failedSteps
            _ = LogClassifier.classify([text])
        case .sse:
            var decoder = ServerSentEventDecoder()
            let chunk = max(1, Int(bytes.first ?? 7) % 64)
            var start = 0
            while start < bytes.count {
                _ = decoder.feed(bytes[start..<min(bytes.count, start + chunk)])
                start += chunk
            }
            _ = decoder.finish()
        }
    }

    static let secret = "fuzz"

    static func intake(_ body: Data) {
        let stamp = "\(Int(Date().timeIntervalSince1970))"
        func hmac(_ message: Data) -> String {
            Hex.encode(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8))))
        }
        let hex = hmac(body)
        var slackMessage = Data("v0:\(stamp):".utf8)
        slackMessage.append(body)
        let slack = "v0=" + hmac(slackMessage)
        let event = ["issue_comment", "pull_request", "workflow_run", "ping", "check_suite"][Int(body.first ?? 0) % 5]
        let headers: [WebhookSource: [String: String]] = [
            .github: ["x-github-event": event, "x-github-delivery": "fuzz-1", "x-hub-signature-256": "sha256=" + hex],
            .jira: ["x-hub-signature": "sha256=" + hex, "x-atlassian-webhook-identifier": "fuzz-1"],
            .sentry: ["sentry-hook-signature": hex, "sentry-hook-timestamp": stamp, "sentry-hook-resource": ["issue", "event_alert"][Int(body.last ?? 0) % 2]],
            .slack: ["x-slack-request-timestamp": stamp, "x-slack-signature": slack],
            .slackInteraction: ["x-slack-request-timestamp": stamp, "x-slack-signature": slack],
        ]
        for source in WebhookSource.allCases {
            let decision = Intake.decide(source, body: body, header: { headers[source]?[$0.lowercased()] }, secrets: [secret], now: Date())
            if case .accepted(let delivery, _) = decision { _ = WebhookRouter.route(delivery) }
        }
    }
}
