import Foundation
import TowerCore
import TowerServices
import TowerStore

/// Jira comments and Slack messages from a step, each kept in the outbox under the step's
/// idempotency key: a re-run finds what its first run sent instead of sending a twin; a service
/// that is not configured leaves the message in the outbox marked `not sent`; a service that
/// fails leaves it marked `failed` with the service's own words. Neither stops the workflow:
/// the console and the CLI are approval channels of their own, and nothing claims to have
/// posted what it did not post.
public struct Notifier: Sendable {
    let store: any Store
    let taskId: String?
    let jira: JiraClient?
    let jiraProblem: String
    let slack: SlackClient?
    let slackProblem: String
    let slackChannel: String
    let log: @Sendable (LogLevel, String) async -> Void

    public init(
        store: any Store, taskId: String?, jira: JiraClient?, jiraProblem: String, slack: SlackClient?, slackProblem: String, slackChannel: String,
        log: @escaping @Sendable (LogLevel, String) async -> Void
    ) {
        self.store = store
        self.taskId = taskId
        self.jira = jira
        self.jiraProblem = jiraProblem
        self.slack = slack
        self.slackProblem = slackProblem
        self.slackChannel = slackChannel
        self.log = log
    }

    /// The marker a comment carries so that a re-run can find it on the issue.
    static func marker(_ key: String) -> String { "tower-ref: \(key)" }

    /// A comment on a Jira issue, once per key.
    @discardableResult
    public func jiraComment(issue: String, markdown: String, kind: String, key: String) async throws -> OutboxMessage {
        let text = markdown + "\n\n_" + Self.marker(key) + "_"
        if let sent = try await alreadySent(key) { return sent }
        guard let jira else { return try await notSent("jira", issue, kind, text, key, jiraProblem) }
        do {
            // Posted by a run that died before recording it: the marker is on the issue already.
            if try await jira.comments(issue).contains(where: { $0.text.contains(Self.marker(key)) }) {
                await log(.info, "Jira comment on \(issue) was posted by an earlier run; not posting it again")
                return try await record("jira", issue, kind, text, key, .sent, nil)
            }
            try await jira.addComment(issue, markdown: text)
            await log(.info, "commented on Jira \(issue)")
            return try await record("jira", issue, kind, text, key, .sent, nil)
        } catch {
            await log(.warning, "Jira comment on \(issue) failed: \(error); it stays in the outbox as failed")
            return try await record("jira", issue, kind, text, key, .failed, String(describing: error))
        }
    }

    /// The Slack approval request with Approve and Reject buttons, once per key.
    @discardableResult
    public func slackApproval(ticket: String?, title: String, summary: String, pullRequest: String?, key: String) async throws -> OutboxMessage {
        let text = "Plan ready for approval: \(ticket.map { "\($0): " } ?? "")\(title)\n\(summary)" + (pullRequest.map { "\n\($0)" } ?? "")
        if let sent = try await alreadySent(key) { return sent }
        guard let slack else { return try await notSent("slack", slackChannel, "approval_request", text, key, slackProblem) }
        guard let taskId else { return try await notSent("slack", slackChannel, "approval_request", text, key, "an approval needs a task") }
        do {
            let posted = try await slack.sendApprovalRequest(channel: slackChannel, taskId: taskId, ticket: ticket, title: title, summary: summary, pullRequest: pullRequest)
            await log(.info, "asked for approval in Slack \(posted.channel)")
            return try await record("slack", slackChannel, "approval_request", text, key, .sent, nil)
        } catch {
            await log(.warning, "Slack approval request failed: \(error); approve from the console or with tower agent approve \(taskId)")
            return try await record("slack", slackChannel, "approval_request", text, key, .failed, String(describing: error))
        }
    }

    /// The Slack request for more budget, with Grant and Stop buttons, once per key.
    @discardableResult
    public func slackBudget(ticket: String?, title: String, reason: String, grant: Double, key: String) async throws -> OutboxMessage {
        let text = "Waiting for model budget: \(ticket.map { "\($0): " } ?? "")\(title)\n\(reason)"
        if let sent = try await alreadySent(key) { return sent }
        guard let slack else { return try await notSent("slack", slackChannel, "budget_request", text, key, slackProblem) }
        guard let taskId else { return try await notSent("slack", slackChannel, "budget_request", text, key, "a budget request needs a task") }
        do {
            let posted = try await slack.sendBudgetRequest(channel: slackChannel, taskId: taskId, ticket: ticket, title: title, reason: reason, grant: grant)
            await log(.info, "asked for more model budget in Slack \(posted.channel)")
            return try await record("slack", slackChannel, "budget_request", text, key, .sent, nil)
        } catch {
            await log(.warning, "Slack budget request failed: \(error); grant from the console or with tower agent budget \(taskId) +\(Int(grant))")
            return try await record("slack", slackChannel, "budget_request", text, key, .failed, String(describing: error))
        }
    }

    /// A Slack notice (CI passed, an escalation, the task done), once per key.
    @discardableResult
    public func slackNotice(_ text: String, kind: String, key: String) async throws -> OutboxMessage {
        if let sent = try await alreadySent(key) { return sent }
        guard let slack else { return try await notSent("slack", slackChannel, kind, text, key, slackProblem) }
        do {
            let posted = try await slack.postMessage(channel: slackChannel, text: text)
            await log(.info, "Slack \(kind) posted in \(posted.channel)")
            return try await record("slack", slackChannel, kind, text, key, .sent, nil)
        } catch {
            await log(.warning, "Slack \(kind) failed: \(error); it stays in the outbox as failed")
            return try await record("slack", slackChannel, kind, text, key, .failed, String(describing: error))
        }
    }

    /// The message already sent under `key`, if any; otherwise, a paused task stops here, before
    /// sending (``TaskPaused``).
    private func alreadySent(_ key: String) async throws -> OutboxMessage? {
        guard let existing = try await store.outboxMessage(key: key), existing.status == .sent else {
            if let taskId { try await HaltCheck(store: store, taskId: taskId).check(repository: nil, before: "the message \(key)") }
            return nil
        }
        await log(.info, "\(existing.service) \(existing.kind) to \(existing.target) was sent by an earlier run; not sending it again")
        return existing
    }

    private func notSent(_ service: String, _ target: String, _ kind: String, _ text: String, _ key: String, _ why: String) async throws -> OutboxMessage {
        await log(.info, "\(service) \(kind) not sent: \(why); it is in the outbox")
        return try await record(service, target, kind, text, key, .notSent, why)
    }

    private func record(
        _ service: String, _ target: String, _ kind: String, _ text: String, _ key: String, _ status: OutboxMessage.Status, _ error: String?
    ) async throws -> OutboxMessage {
        try await store.recordOutbox(
            OutboxMessage(taskId: taskId, service: service, target: target, kind: kind, text: text, status: status, error: error, at: Date(), key: key))
    }
}
