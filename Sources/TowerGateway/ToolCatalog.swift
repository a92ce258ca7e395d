import Foundation
import TowerCore
import TowerLLM
import TowerServices

/// One method `tower tool SERVICE.METHOD key=value …` can call: the original's MCP tool names
/// and parameters, over the typed clients.
public struct ToolMethod: Sendable {
    /// A parameter; `owner` defaults to `GITHUB_ORG`, the channel to `SLACK_CHANNEL_AGENTS`.
    public struct Parameter: Sendable {
        public var name: String
        public var required: Bool
        public var summary: String
    }

    public var name: String
    public var summary: String
    public var parameters: [Parameter]
    let body: @Sendable (Gateway, ToolArguments) async throws -> JSONValue

    init(_ name: String, _ summary: String, _ parameters: [Parameter] = [], _ body: @escaping @Sendable (Gateway, ToolArguments) async throws -> JSONValue) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.body = body
    }

    /// Checks the arguments against the parameters, then calls the service.
    public func call(_ gateway: Gateway, _ arguments: ToolArguments) async throws -> JSONValue {
        let known = Set(parameters.map(\.name))
        let unknown = arguments.values.keys.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else { throw ToolError.unexpectedArguments(method: name, unknown: unknown, takes: parameters.map(\.name)) }
        for parameter in parameters where parameter.required { _ = try arguments.string(parameter.name) }
        return try await body(gateway, arguments)
    }
}

private func required(_ name: String, _ summary: String) -> ToolMethod.Parameter { .init(name: name, required: true, summary: summary) }
private func optional(_ name: String, _ summary: String) -> ToolMethod.Parameter { .init(name: name, required: false, summary: summary) }

/// Any `Encodable` result as JSON.
func json<T: Encodable>(_ value: T) throws -> JSONValue {
    try JSONValue.parse(JSONEncoder().encode(value))
}

/// Every tool method, by service.
public enum ToolCatalog {
    public static let all: [ToolMethod] = github + jira + slack + sentry + anthropic

    /// A method by its `service.method` name.
    public static func method(named name: String) throws -> ToolMethod {
        if let method = all.first(where: { $0.name == name }) { return method }
        let (service, method) = name.contains(".") ? (String(name.split(separator: ".")[0]), String(name.split(separator: ".").last ?? "")) : ("", name)
        let suggestions = all.map(\.name).filter { $0.hasPrefix(service + ".") && (method.isEmpty || $0.contains(method)) || (!method.isEmpty && $0.hasSuffix("." + method)) }
        throw ToolError.unknownMethod(name, suggestions: Array(suggestions.prefix(5)))
    }

    // MARK: GitHub

    static let owner = optional("owner", "organization or user (default GITHUB_ORG)")
    static let repo = required("repo", "repository name, or owner/name")

    /// `owner` and `repo`: `repo=owner/name`, or `repo=name` with `owner=` or `GITHUB_ORG`.
    static func repository(_ gateway: Gateway, _ arguments: ToolArguments) throws -> RepositoryRef {
        let name = try arguments.string("repo")
        if name.contains("/") {
            guard let ref = RepositoryRef(name) else { throw ToolError.badArgument("repo=\(name) is not owner/name") }
            return ref
        }
        guard let owner = arguments.optional("owner") ?? gateway.githubOrg else { throw ToolError.badArgument("give owner=… or set GITHUB_ORG") }
        return RepositoryRef(owner: owner, name: name)
    }

    static let github: [ToolMethod] = [
        ToolMethod("github.search_code", "search code in an organization (every page)", [required("query", "search words"), optional("org", "organization (default GITHUB_ORG)")]) { g, a in
            guard let org = a.optional("org") ?? g.githubOrg else { throw ToolError.badArgument("give org=… or set GITHUB_ORG") }
            return try json(try await g.require(.github, g.github).searchCode(query: try a.string("query"), org: org))
        },
        ToolMethod("github.get_repo", "repository details", [owner, repo]) { g, a in
            let r = try repository(g, a)
            return try json(try await g.require(.github, g.github).getRepo(owner: r.owner, repo: r.name))
        },
        ToolMethod("github.get_tree", "every file at a ref (recursive)", [owner, repo, required("sha", "branch, tag or commit")]) { g, a in
            let r = try repository(g, a)
            let tree = try await g.require(.github, g.github).getTree(owner: r.owner, repo: r.name, sha: try a.string("sha"))
            return .object(["tree": try json(tree.entries), "truncated": .bool(tree.truncated)])
        },
        ToolMethod("github.get_file_content", "a file's text", [owner, repo, required("path", "file path"), optional("ref", "branch, tag or commit")]) { g, a in
            let r = try repository(g, a)
            return try json(try await g.require(.github, g.github).getFileContent(owner: r.owner, repo: r.name, path: try a.string("path"), ref: a.optional("ref")))
        },
        ToolMethod("github.create_branch", "a branch at another's head (an existing one is kept)", [owner, repo, required("branch", "new branch"), required("from_ref", "branch it starts from")]) { g, a in
            let r = try repository(g, a)
            let sha = try await g.require(.github, g.github).createBranch(owner: r.owner, repo: r.name, branch: try a.string("branch"), fromRef: try a.string("from_ref"))
            return .object(["sha": .string(sha)])
        },
        ToolMethod(
            "github.create_or_update_file", "write one file on a branch (contents API)",
            [owner, repo, required("path", "file path"), required("content", "the new text (@file reads a file)"), required("message", "commit message"), required("branch", "branch")]
        ) { g, a in
            let r = try repository(g, a)
            let sha = try await g.require(.github, g.github).createOrUpdateFile(
                owner: r.owner, repo: r.name, path: try a.string("path"), content: try a.string("content"), message: try a.string("message"), branch: try a.string("branch"))
            return .object(["sha": .string(sha)])
        },
        ToolMethod(
            "github.create_commit", "several files in one commit (git data API)",
            [owner, repo, required("branch", "branch"), required("message", "commit message"), required("files", #"JSON {"path": "content", …} (@file reads a file)"#)]
        ) { g, a in
            let r = try repository(g, a)
            guard case .object(let files) = try a.json("files"), !files.isEmpty else { throw ToolError.badArgument(#"files must be a JSON object {"path": "content"}"#) }
            let changes = try files.sorted { $0.key < $1.key }.map { path, content -> (path: String, content: String) in
                guard let text = content.string else { throw ToolError.badArgument("files[\(path)] must be a string") }
                return (path, text)
            }
            let sha = try await g.require(.github, g.github).createCommit(owner: r.owner, repo: r.name, branch: try a.string("branch"), files: changes, message: try a.string("message"))
            return .object(["sha": .string(sha)])
        },
        ToolMethod(
            "github.create_pull_request", "open a pull request (draft by default), or the one already open for head",
            [owner, repo, required("title", "title"), required("body", "description"), required("head", "branch with the work"), required("base", "branch to merge into"), optional("draft", "true (default) or false")]
        ) { g, a in
            let r = try repository(g, a)
            return try json(
                try await g.require(.github, g.github).createPullRequest(
                    owner: r.owner, repo: r.name, title: try a.string("title"), body: try a.string("body"), head: try a.string("head"), base: try a.string("base"),
                    draft: try a.bool("draft", default: true)))
        },
        ToolMethod("github.get_pull_request", "one pull request", [owner, repo, required("number", "pull request number")]) { g, a in
            let r = try repository(g, a)
            return try json(try await g.require(.github, g.github).getPullRequest(owner: r.owner, repo: r.name, number: try a.int("number")))
        },
        ToolMethod("github.find_pull_request", "the open pull request of a head branch (null if none)", [owner, repo, required("head", "branch")]) { g, a in
            let r = try repository(g, a)
            return try json(try await g.require(.github, g.github).findOpenPullRequest(owner: r.owner, repo: r.name, head: try a.string("head")))
        },
        ToolMethod("github.list_workflow_runs", "a branch's CI runs", [owner, repo, required("branch", "branch")]) { g, a in
            let r = try repository(g, a)
            return try json(try await g.require(.github, g.github).listWorkflowRuns(owner: r.owner, repo: r.name, branch: try a.string("branch")).runs)
        },
        ToolMethod("github.get_workflow_run_logs", "a run's logs, unzipped", [owner, repo, required("run_id", "workflow run id")]) { g, a in
            let r = try repository(g, a)
            let logs = try await g.require(.github, g.github).getWorkflowRunLogs(owner: r.owner, repo: r.name, runId: try a.int("run_id"))
            return .array(logs.map { .object(["name": .string($0.name), "text": .string($0.text)]) })
        },
        ToolMethod("github.add_comment", "a comment on an issue or pull request", [owner, repo, required("number", "issue or pull request number"), required("body", "comment")]) { g, a in
            let r = try repository(g, a)
            try await g.require(.github, g.github).addComment(owner: r.owner, repo: r.name, number: try a.int("number"), body: try a.string("body"))
            return .object(["ok": .bool(true)])
        },
        ToolMethod("github.rate_limit", "the core API's rate limit left") { g, _ in
            try json(try await g.require(.github, g.github).getRateLimit())
        },
    ]

    // MARK: Jira

    static let jira: [ToolMethod] = [
        ToolMethod("jira.get_issue", "issue details (description as text)", [required("issue_key", "e.g. PROJ-123")]) { g, a in
            try json(try await g.require(.jira, g.jira).getIssue(try a.string("issue_key")))
        },
        ToolMethod("jira.search_issues", "JQL search", [required("jql", "query"), optional("max_results", "at most this many (default 50)")]) { g, a in
            try json(try await g.require(.jira, g.jira).searchIssues(jql: try a.string("jql"), maxResults: try a.optionalInt("max_results") ?? 50))
        },
        ToolMethod(
            "jira.create_issue", "a new issue",
            [optional("project", "project key (default JIRA_PROJECT_KEY)"), optional("issue_type", "Task (default), Bug, Story…"), required("summary", "title"),
             required("description", "Markdown-ish text"), optional("labels", "comma-separated")]
        ) { g, a in
            guard let project = a.optional("project") ?? g.jiraProject else { throw ToolError.badArgument("give project=… or set JIRA_PROJECT_KEY") }
            let key = try await g.require(.jira, g.jira).createIssue(
                project: project, issueType: a.optional("issue_type") ?? "Task", summary: try a.string("summary"), description: try a.string("description"), labels: a.list("labels"))
            return .object(["key": .string(key)])
        },
        ToolMethod("jira.update_issue", "set fields", [required("issue_key", "e.g. PROJ-123"), required("fields", #"JSON object, e.g. {"summary": "…"}"#)]) { g, a in
            guard case .object(let fields) = try a.json("fields") else { throw ToolError.badArgument("fields must be a JSON object") }
            try await g.require(.jira, g.jira).updateIssue(try a.string("issue_key"), fields: fields)
            return .object(["ok": .bool(true)])
        },
        ToolMethod("jira.add_comment", "a comment (Markdown-ish → Atlassian Document Format)", [required("issue_key", "e.g. PROJ-123"), required("body", "comment (@file reads a file)")]) { g, a in
            let id = try await g.require(.jira, g.jira).addComment(try a.string("issue_key"), markdown: try a.string("body"))
            return .object(["id": .string(id)])
        },
        ToolMethod("jira.transition_issue", "move an issue by transition name or id", [required("issue_key", "e.g. PROJ-123"), required("transition_id", "transition id or name")]) { g, a in
            try await g.require(.jira, g.jira).transitionIssue(try a.string("issue_key"), transition: try a.string("transition_id"))
            return .object(["ok": .bool(true)])
        },
        ToolMethod("jira.myself", "the account the API token belongs to") { g, _ in
            try json(try await g.require(.jira, g.jira).myself())
        },
    ]

    // MARK: Slack

    static let channel = optional("channel", "channel (default SLACK_CHANNEL_AGENTS)")

    static func channel(_ g: Gateway, _ a: ToolArguments) throws -> String {
        guard let channel = a.optional("channel") ?? g.slackChannel else { throw ToolError.badArgument("give channel=… or set SLACK_CHANNEL_AGENTS") }
        return channel
    }

    static let slack: [ToolMethod] = [
        ToolMethod("slack.send_message", "post a message", [channel, required("text", "message text")]) { g, a in
            try json(try await g.require(.slack, g.slack).postMessage(channel: try channel(g, a), text: try a.string("text")))
        },
        ToolMethod(
            "slack.send_approval_request", "an approval request with Approve and Reject buttons",
            [channel, required("task_id", "task the buttons decide"), required("title", "what is to be approved"), required("summary", "plan summary"),
             optional("ticket", "Jira key"), optional("pull_request", "PR URL")]
        ) { g, a in
            try json(
                try await g.require(.slack, g.slack).sendApprovalRequest(
                    channel: try channel(g, a), taskId: try a.string("task_id"), ticket: a.optional("ticket"), title: try a.string("title"), summary: try a.string("summary"),
                    pullRequest: a.optional("pull_request")))
        },
        ToolMethod(
            "slack.send_notification", "a formatted notice: type=completed|failed|escalated|sentry_ticket",
            [channel, required("type", "completed, failed, escalated or sentry_ticket"), optional("task_id", "task"), optional("ticket", "Jira key"),
             optional("pull_request", "PR URL"), optional("step", "failed step"), optional("error", "failure"), optional("reason", "why escalated"),
             optional("issue", "Sentry issue"), optional("events", "event count"), optional("level", "Sentry level")]
        ) { g, a in
            let notice: SlackClient.Notice
            switch try a.string("type") {
            case "completed": notice = .completed(taskId: try a.string("task_id"), ticket: a.optional("ticket"), pullRequest: a.optional("pull_request"))
            case "failed": notice = .failed(taskId: try a.string("task_id"), ticket: a.optional("ticket"), step: try a.string("step"), error: try a.string("error"))
            case "escalated":
                notice = .escalated(taskId: try a.string("task_id"), ticket: a.optional("ticket"), reason: try a.string("reason"), pullRequest: a.optional("pull_request"))
            case "sentry_ticket":
                notice = .sentryTicket(issue: try a.string("issue"), ticket: try a.string("ticket"), events: try a.int("events"), level: try a.string("level"))
            case let other: throw ToolError.badArgument("type=\(other) is not completed, failed, escalated or sentry_ticket")
            }
            return try json(try await g.require(.slack, g.slack).sendNotification(channel: try channel(g, a), notice))
        },
        ToolMethod("slack.auth_test", "the bot and workspace the token belongs to") { g, _ in
            try json(try await g.require(.slack, g.slack).authTest())
        },
    ]

    // MARK: Sentry

    static let sentry: [ToolMethod] = [
        ToolMethod(
            "sentry.list_issues", "a project's issues over a period",
            [required("project", "project id or slug"), optional("query", "default is:unresolved"), optional("stats_period", "24h (default), 14d…")]
        ) { g, a in
            try json(
                try await g.require(.sentry, g.sentry).listIssues(
                    project: try a.string("project"), query: a.optional("query") ?? "is:unresolved", statsPeriod: a.optional("stats_period") ?? "24h"))
        },
        ToolMethod("sentry.get_issue", "one issue", [required("issue_id", "issue id")]) { g, a in
            try json(try await g.require(.sentry, g.sentry).getIssue(try a.string("issue_id")))
        },
        ToolMethod("sentry.get_latest_event", "an issue's latest event with its stack trace", [required("issue_id", "issue id")]) { g, a in
            let event = try await g.require(.sentry, g.sentry).getLatestEvent(issue: try a.string("issue_id"))
            guard case .object(var fields) = try json(event) else { return try json(event) }
            fields["stackTrace"] = .string(event.formattedStackTrace)
            return .object(fields)
        },
        ToolMethod("sentry.resolve_issue", "mark an issue resolved", [required("issue_id", "issue id")]) { g, a in
            try await g.require(.sentry, g.sentry).resolveIssue(try a.string("issue_id"))
            return .object(["ok": .bool(true)])
        },
        ToolMethod("sentry.get_organization", "the organization the token reads") { g, _ in
            try json(try await g.require(.sentry, g.sentry).getOrganization())
        },
    ]

    // MARK: Anthropic

    static let anthropic: [ToolMethod] = [
        ToolMethod("anthropic.list_models", "the models the API key may use") { g, _ in
            let answer = try await g.require(.anthropic, g.anthropic).listModels()
            return .object(["models": .array(answer.models.map(JSONValue.string)), "organization": answer.organization.map(JSONValue.string) ?? .null])
        }
    ]
}
