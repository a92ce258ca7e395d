import Foundation

/// A service that calls Tower, with the route it calls, how it signs, how it names a delivery
/// and how large a body it may send. GitHub caps its own payloads at 25 MB; the others send
/// small JSON or form bodies, so their routes refuse anything near that size.
public enum WebhookSource: String, Sendable, CaseIterable, Codable {
    case github, jira, sentry
    /// `/agent` slash commands (a form body).
    case slack
    /// Slack's Approve/Reject buttons (a form body with one `payload=` field).
    case slackInteraction = "slack-interaction"

    /// The route the service is configured to call.
    public var path: String {
        switch self {
        case .github: "/webhooks/github"
        case .jira: "/webhooks/jira"
        case .sentry: "/webhooks/sentry"
        case .slack: "/webhooks/slack"
        case .slackInteraction: "/webhooks/slack/interactions"
        }
    }

    /// The largest body accepted; anything larger is answered 413 unread.
    public var bodyLimit: Int {
        switch self {
        case .github: 25 * 1024 * 1024
        case .jira, .sentry: 2 * 1024 * 1024
        case .slack, .slackInteraction: 256 * 1024
        }
    }

    /// The setting that holds the route's secrets (several, comma-separated, while rotating).
    public var secretKey: String {
        switch self {
        case .github: "GITHUB_WEBHOOK_SECRET"
        case .jira: "JIRA_WEBHOOK_SECRET"
        case .sentry: "SENTRY_WEBHOOK_SECRET"
        case .slack, .slackInteraction: "SLACK_SIGNING_SECRET"
        }
    }

    /// The source whose route is `path`.
    public static func at(path: String) -> WebhookSource? {
        allCases.first { $0.path == path }
    }
}
