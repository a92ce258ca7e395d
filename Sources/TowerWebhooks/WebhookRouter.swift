import Foundation
import TowerCore
import TowerServices
import TowerStore

/// What a delivery asks Tower to do, as the original's webhook router decides it.
public enum WebhookAction: Equatable, Sendable {
    /// A Jira ticket labelled "AI": start its workflow (unless it has a live task).
    case startWorkflow(ticket: String, title: String, description: String)
    /// An operator command from a PR comment or Slack, on a task.
    case command(OperatorRequest)
    /// CI may have news for a branch: let the CI/CD agent look now.
    case wakeCI(repository: String, branch: String?)
    /// A fatal Sentry issue: through the Sentry agent's dedup at once.
    case sentryIssue(id: String)
    case pong
    /// Nothing to do, and why (kept as the delivery's outcome).
    case ignore(String)
}

/// An operator command that arrived by webhook: who, through which channel, and where the
/// answer goes.
public struct OperatorRequest: Equatable, Sendable {
    public enum Verb: String, Sendable {
        case approve, reject, retry, status, list, help, budget, pause, resume
    }

    public enum Reply: Equatable, Sendable {
        /// A comment on this pull request.
        case pullRequest(repository: String, number: Int)
        /// Slack's `response_url`.
        case slack(responseURL: String)
    }

    public var verb: Verb
    /// The task: given, or found from the PR's body. `nil` for `list` and `help`; for `pause` and
    /// `resume` in Slack, a task id or a repository (`owner/name`).
    public var taskId: String?
    /// The reason, the note, or `list`'s status.
    public var text: String?
    public var actor: Actor
    /// The Slack user id, checked against the approvers.
    public var slackUser: String?
    /// GitHub's `author_association` of the commenter (OWNER, MEMBER, COLLABORATOR, …): only
    /// the repository's own people may decide, whoever can comment on a public repository.
    public var githubAssociation: String? = nil
    public var reply: Reply?
}

public enum WebhookRouter {
    /// The label that hands a Jira ticket to the agents.
    public static let label = "AI"
    /// The marker a PR body carries when the agents opened it.
    public static let marker = "AI Agent"

    public static func route(_ delivery: WebhookDelivery) -> WebhookAction {
        switch WebhookSource(rawValue: delivery.source) {
        case .github: github(delivery)
        case .jira: jira(delivery)
        case .sentry: sentry(delivery)
        case .slack: slashCommand(delivery)
        case .slackInteraction: interaction(delivery)
        case nil: .ignore("unknown source \(delivery.source)")
        }
    }

    // MARK: Jira

    static func jira(_ delivery: WebhookDelivery) -> WebhookAction {
        guard let json = Intake.object(delivery.body), let issue = json["issue"], let key = issue["key"]?.string else { return .ignore("no issue in the body") }
        let fields = issue["fields"]
        var labels: [String] = []
        if case .array(let list)? = fields?["labels"] { labels = list.compactMap(\.string) }
        let start = WebhookAction.startWorkflow(
            ticket: key, title: fields?["summary"]?.string ?? key, description: fields?["description"].map(JiraClient.plainText) ?? "")
        switch json["webhookEvent"]?.string {
        case "jira:issue_created":
            return labels.contains(label) ? start : .ignore("\(key) has no \(label) label")
        case "jira:issue_updated":
            // Only the change that *adds* the label starts a workflow; any other update does not.
            guard case .array(let items)? = json["changelog"]?["items"] else { return .ignore("\(key): no changelog") }
            for item in items where item["field"]?.string == "labels" {
                let before = Set((item["fromString"]?.string ?? "").split(separator: " ").map(String.init))
                let after = Set((item["toString"]?.string ?? "").split(separator: " ").map(String.init))
                if after.contains(label) && !before.contains(label) { return start }
            }
            return .ignore("\(key): the \(label) label was not added")
        default:
            return .ignore("Jira event \(json["webhookEvent"]?.string ?? "?") is not routed")
        }
    }

    // MARK: GitHub

    static func github(_ delivery: WebhookDelivery) -> WebhookAction {
        let event = delivery.event.split(separator: ".").first.map(String.init) ?? ""
        // Only the members routing reads are built; the rest (sender, organization,
        // installation, …) is checked and skipped.
        guard let members = Intake.members(delivery.body, "action", "repository", "issue", "comment", "pull_request", "workflow_run") else {
            return .ignore("no body")
        }
        let json = JSONValue.object(members)
        let repository = json["repository"]?["full_name"]?.string ?? ""
        switch event {
        case "ping":
            return .pong
        case "issue_comment":
            guard json["action"]?.string == "created" else { return .ignore("comment \(json["action"]?.string ?? "?")") }
            guard let issue = json["issue"], issue["pull_request"] != nil, let number = issue["number"]?.number else {
                return .ignore("a comment on an issue, not on a pull request")
            }
            let body = json["comment"]?["body"]?.string ?? ""
            guard let command = agentCommand(body) else { return .ignore("no @agent command in the comment") }
            guard let taskId = taskId(inPullRequestBody: issue["body"]?.string ?? "") else {
                return .ignore("PR \(repository)#\(Int(number)) was not opened by the agents")
            }
            let user = json["comment"]?["user"]?["login"]?.string ?? "github"
            return .command(
                OperatorRequest(
                    verb: command.verb, taskId: taskId, text: command.text, actor: Actor(user: user, channel: .githubComment), slackUser: nil,
                    githubAssociation: json["comment"]?["author_association"]?.string ?? "NONE", reply: .pullRequest(repository: repository, number: Int(number))))
        case "pull_request":
            guard ["opened", "synchronize", "reopened"].contains(json["action"]?.string ?? "") else { return .ignore("pull_request \(json["action"]?.string ?? "?")") }
            guard (json["pull_request"]?["body"]?.string ?? "").contains(marker) else { return .ignore("the PR does not carry the \(marker) marker") }
            return .wakeCI(repository: repository, branch: json["pull_request"]?["head"]?["ref"]?.string)
        case "workflow_run":
            guard json["action"]?.string == "completed" else { return .ignore("workflow_run \(json["action"]?.string ?? "?")") }
            return .wakeCI(repository: repository, branch: json["workflow_run"]?["head_branch"]?.string)
        default:
            return .ignore("GitHub event \(event) is not routed")
        }
    }

    /// `@agent approve [note]`, `@agent reject <reason>`, `@agent retry`, `@agent status`, `@agent budget +5|stop`,
    /// `@agent pause`, `@agent resume` (the PR's task) in a comment.
    static func agentCommand(_ body: String) -> (verb: OperatorRequest.Verb, text: String?)? {
        for line in body.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let at = words.firstIndex(where: { $0.lowercased() == "@agent" }), at + 1 < words.count,
                let verb = OperatorRequest.Verb(rawValue: words[at + 1].lowercased()), [.approve, .reject, .retry, .status, .budget, .pause, .resume].contains(verb)
            else { continue }
            let rest = words[(at + 2)...].joined(separator: " ")
            return (verb, rest.isEmpty ? nil : String(rest.prefix(500)))
        }
        return nil
    }

    /// The task the agents named in the PR they opened (`Tower task \`t-…\``).
    static func taskId(inPullRequestBody body: String) -> String? {
        guard let range = body.range(of: #"Tower task `t-[a-z0-9]{8}`"#, options: .regularExpression) else { return nil }
        return String(body[range].dropFirst(12).dropLast())
    }

    // MARK: Sentry

    static func sentry(_ delivery: WebhookDelivery) -> WebhookAction {
        guard let json = Intake.object(delivery.body), let data = json["data"] else { return .ignore("no data") }
        let issue = data["issue"]
        let event = data["event"]
        let level = issue?["level"]?.string ?? event?["level"]?.string ?? ""
        let id = issue?["id"]?.string ?? event?["issue_id"]?.string
        guard let id, !id.isEmpty else { return .ignore("no Sentry issue id") }
        guard level == "fatal" else { return .ignore("level \(level.isEmpty ? "unknown" : level): the hourly pass decides by count") }
        return .sentryIssue(id: id)
    }

    // MARK: Slack

    static func slashCommand(_ delivery: WebhookDelivery) -> WebhookAction {
        guard let form = FormBody(delivery.body) else { return .ignore("not a form") }
        let words = (form["text"] ?? "").split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let verb = words.first.flatMap { OperatorRequest.Verb(rawValue: $0.lowercased()) } ?? .help
        let needsTask: Set<OperatorRequest.Verb> = [.approve, .reject, .retry, .status, .budget, .pause, .resume]
        let taskId = needsTask.contains(verb) ? words.dropFirst().first : nil
        let text = words.dropFirst(needsTask.contains(verb) ? 2 : 1).joined(separator: " ")
        return .command(
            OperatorRequest(
                verb: verb, taskId: taskId, text: text.isEmpty ? nil : String(text.prefix(500)),
                actor: Actor(user: form["user_name"] ?? form["user_id"] ?? "slack", channel: .slackCommand), slackUser: form["user_id"],
                reply: form["response_url"].map { .slack(responseURL: $0) }))
    }

    static func interaction(_ delivery: WebhookDelivery) -> WebhookAction {
        guard let form = FormBody(delivery.body), let payload = form["payload"], let json = Intake.object(Data(payload.utf8)) else { return .ignore("no payload") }
        guard case .array(let actions)? = json["actions"], let action = actions.first else { return .ignore("no action") }
        let name = action["action_id"]?.string ?? ""
        let verb: OperatorRequest.Verb
        var text: String?
        if name.hasPrefix("approve") {
            verb = .approve
        } else if name.hasPrefix("reject") {
            verb = .reject
            text = "rejected in Slack"
        } else if name == "budget_grant" || name == "budget_stop" {
            // The grant button's value is `t-… +5`; the stop button's the task id.
            verb = .budget
            text = name == "budget_stop" ? "stop" : action["value"]?.string?.split(separator: " ").dropFirst().first.map(String.init)
        } else {
            return .ignore("button \(name) is not Tower's")
        }
        guard let taskId = action["value"]?.string?.split(separator: " ").first.map(String.init), taskId.hasPrefix("t-") else {
            return .ignore("the button carries no task")
        }
        let user = json["user"]
        return .command(
            OperatorRequest(
                verb: verb, taskId: taskId, text: text,
                actor: Actor(user: user?["username"]?.string ?? user?["id"]?.string ?? "slack", channel: .slackButton), slackUser: user?["id"]?.string,
                reply: json["response_url"]?.string.map { .slack(responseURL: $0) }))
    }
}
