import Foundation
import TowerAgents
import TowerCore
import TowerEngine
import TowerServices
import TowerStore

/// The engine's side of the inbox: every stored delivery is routed and acted on, then marked
/// processed with what was done. A delivery is marked only after its action, so a crash in
/// between acts again on restart; every action is one that a second time finds done (a live
/// task for the ticket, a decision already taken, a Sentry fingerprint already filed).
public struct InboxProcessor: ScheduledJob {
    let store: any Store
    let services: AgentServices
    /// Slack user ids that may approve, reject and retry.
    let slackApprovers: Set<String>
    /// Wakes the engine (a new task, a decision).
    let wake: @Sendable () async -> Void
    /// Tells a CI/CD agent waiting on a repository's branch to look now.
    let ciNews: @Sendable (String, String?) async -> Void
    let now: @Sendable () -> Date

    public init(
        store: any Store, services: AgentServices, slackApprovers: Set<String>, now: @escaping @Sendable () -> Date = Date.init,
        ciNews: @escaping @Sendable (String, String?) async -> Void = { _, _ in }, wake: @escaping @Sendable () async -> Void
    ) {
        self.ciNews = ciNews
        self.store = store
        self.services = services
        self.slackApprovers = slackApprovers
        self.now = now
        self.wake = wake
    }

    public var name: String { "inbox" }

    public func due(now: Date) async throws -> Date { now }

    public func run() async throws {
        // Marked together after the batch: one commit for many deliveries under load. A crash
        // before it acts on the batch again, which each action tolerates (see above).
        var done: [(id: String, outcome: String?)] = []
        for delivery in try await store.pendingDeliveries(limit: 100) {
            done.append((delivery.id, String(await process(delivery).prefix(500))))
        }
        if !done.isEmpty { try await store.markDeliveriesProcessed(done, at: now()) }
    }

    /// Acts on one delivery; returns what was done, for the inbox's record.
    public func process(_ delivery: WebhookDelivery) async -> String {
        switch WebhookRouter.route(delivery) {
        case .ignore(let why): return "ignored: \(why)"
        case .pong: return "pong"
        case .wakeCI(let repository, let branch):
            await ciNews(repository, branch)
            await wake()
            return "woke CI for \(repository)\(branch.map { "@\($0)" } ?? "")"
        case .startWorkflow(let ticket, let title, let description):
            do {
                if let live = try await store.tasks(status: nil, limit: nil).first(where: { $0.ticketId == ticket && !$0.status.isTerminal }) {
                    return "ignored: \(ticket) already has task \(live.id) (\(live.status.rawValue))"
                }
                let task = try await OperatorCommands(store: store).start(
                    ticketId: ticket, title: title, description: description, source: .jira, originTraceParent: delivery.traceParent,
                    by: Actor(user: "jira", channel: .api))
                await wake()
                return "started \(task.id) for \(ticket)"
            } catch {
                return "failed: \(error)"
            }
        case .sentryIssue(let id):
            let monitor = SentryMonitor(services: services, store: store) { _ in }
            do {
                let outcome = try await monitor.handle(issueId: id)
                if let filed = outcome.filed.first { return "filed \(filed.ticket) for Sentry issue \(id)" }
                return outcome.pass.counts.deduplicated > 0 ? "Sentry issue \(id) already has a ticket" : "failed: \(outcome.failures.joined(separator: "; "))"
            } catch {
                return "failed: \(error)"
            }
        case .command(let request):
            let answer = await perform(request)
            await reply(answer, to: request.reply)
            return answer
        }
    }

    /// Runs an operator command as its sender; returns the answer they are given.
    func perform(_ request: OperatorRequest) async -> String {
        let commands = OperatorCommands(store: store)
        let deciding: Set<OperatorRequest.Verb> = [.approve, .reject, .retry, .budget, .pause, .resume]
        if request.actor.channel == .slackCommand || request.actor.channel == .slackButton, deciding.contains(request.verb) {
            guard let user = request.slackUser, slackApprovers.contains(user) else {
                return "⛔ \(request.actor.user) may not \(request.verb.rawValue) here"
                    + (slackApprovers.isEmpty ? " (no Slack approvers are configured: TOWER_SLACK_APPROVERS)" : " (not in TOWER_SLACK_APPROVERS)")
            }
        }
        if request.actor.channel == .githubComment, deciding.contains(request.verb),
            !["OWNER", "MEMBER", "COLLABORATOR"].contains(request.githubAssociation ?? "NONE")
        {
            return "⛔ @\(request.actor.user) may not \(request.verb.rawValue): only the repository's owners, members and collaborators decide"
        }
        do {
            switch request.verb {
            case .help:
                return SlackReplies.help
            case .list:
                if request.text?.lowercased() == "waiting" { return SlackReplies.waiting(try await WaitingQueue.load(from: store), now: Date()) }
                let status = request.text.flatMap { TaskStatus(rawValue: $0) }
                let tasks = try await commands.list(status: status, limit: 10)
                return tasks.isEmpty ? "No tasks." : tasks.map { "`\($0.id)` \($0.ticketId ?? "-") \($0.status.rawValue) \($0.title)" }.joined(separator: "\n")
            case .status:
                guard let id = request.taskId else { return "Which task? `status ID`" }
                let report = try await commands.status(id)
                let edited = report.approval?.plan?.edit.map { "\nPLAN.md edited after planning by commit \($0.description)" } ?? ""
                return "`\(id)` \(report.task.status.rawValue) (\(report.task.progress)%): \(report.task.title)" + edited
                    + (report.recentEvents.last.map { "\n> \($0.message)" } ?? "")
            case .approve, .reject:
                guard let id = request.taskId else { return "Which task? `\(request.verb.rawValue) ID`" }
                let outcome =
                    request.verb == .approve
                    ? try await commands.approve(id, by: request.actor, note: request.text)
                    : try await commands.reject(id, by: request.actor, reason: request.text)
                await wake()
                switch outcome {
                case .decided(let approval):
                    return "\(approval.decision == .approved ? "✅ Plan approved" : "❌ Plan rejected") for `\(id)` by \(request.actor.user)"
                case .alreadyDecided(let approval):
                    return "Already decided: \(approval.decision?.rawValue ?? "?") by \(approval.decidedBy ?? "?") via \(approval.channel?.rawValue ?? "?")"
                }
            case .budget:
                guard let id = request.taskId else { return "Which task? `budget ID +DOLLARS` or `budget ID stop`" }
                if request.text?.lowercased() == "stop" {
                    let task = try await commands.stopAtBudget(id, by: request.actor)
                    return "⏹ `\(id)` stopped at its budget by \(request.actor.user) (failed at \(task.failedStep?.rawValue ?? "its step"); `retry` resumes it)"
                }
                guard let amount = request.text.flatMap(Dollars.parse) else { return "How much? `budget \(id) +5`, or `budget \(id) stop`" }
                let task = try await commands.grantBudget(id, amount: amount, base: services.budget.task, by: request.actor)
                await wake()
                return "💰 `\(id)` model budget \(Dollars.text(task.budget ?? amount)) (+\(Dollars.text(amount)) by \(request.actor.user))"
                    + (task.status.waitsForPerson ? "" : "; \(task.status.rawValue) resumes")
            case .pause:
                guard let target = request.taskId else { return "Pause what? `pause ID` or `pause owner/repo`" }
                let halt = try await commands.pause(target, by: request.actor)
                await wake()
                return "⏸ `\(halt.name)` paused by \(halt.by) via \(halt.channel): \(halt.scope == .task ? "it stops" : "its tasks stop") before the next outside effect; `resume \(halt.name)` goes on"
            case .resume:
                guard let target = request.taskId else { return "Resume what? `resume ID` or `resume owner/repo`" }
                let outcome = try await commands.resume(target, by: request.actor)
                await wake()
                if outcome.removed.isEmpty { return "`\(target)` was not paused" }
                return "▶ `\(target)` resumed by \(request.actor.user)" + (outcome.tasks.isEmpty ? "" : ": \(outcome.tasks.map { "`\($0)`" }.joined(separator: ", ")) go on")
            case .retry:
                guard let id = request.taskId else { return "Which task? `retry ID`" }
                let task = try await commands.retry(id, by: request.actor)
                await wake()
                return "🔁 `\(id)` resumes at \(task.step?.rawValue ?? "its failed step")"
            }
        } catch {
            return "⚠️ \(error)"
        }
    }

    /// Sends the answer where the request came from: a PR comment, or Slack's `response_url`.
    func reply(_ text: String, to reply: OperatorRequest.Reply?) async {
        switch reply {
        case .pullRequest(let repository, let number)?:
            guard let forge = services.forge, let repo = RepositoryRef(repository) else { return }
            try? await forge.comment(text, onPullRequest: number, in: repo)
        case .slack(let url)?:
            guard let slack = services.slack, let url = URL(string: url), url.scheme == "https" || url.host == "127.0.0.1" else { return }
            try? await slack.respond(to: url, text: text)
        case nil:
            return
        }
    }
}
