import Foundation
import TowerCore
import TowerEngine
import TowerServices

/// The original's notify-completion: Slack and the Jira ticket are told the work is done, with
/// the pull requests to review and what the task's model calls cost, once each (keyed like every
/// other message).
public struct CompletionStep: WorkflowStep {
    let services: AgentServices

    public init(services: AgentServices) {
        self.services = services
    }

    public func run(_ context: StepContext) async throws -> StepOutcome {
        let planning = try await context.output(of: .planning).flatMap { try? JSONDecoder().decode(PlanningOutput.self, from: $0) }
        let execution = try await context.output(of: .execution).flatMap { try? JSONDecoder().decode(ExecutionOutput.self, from: $0) }
        let pullRequests = execution?.pullRequests ?? planning?.pullRequests ?? []
        let links = pullRequests.map { $0.url.isEmpty ? "\($0.repository)#\($0.number)" : $0.url }
        let ticket = planning?.ticket.key
        let notifier = services.notifier(context)
        let commits = execution?.commits.count ?? 0
        let untested = execution?.untested ?? []
        let spend = try await context.store.spend(taskId: context.task.id, since: nil)
        let text = "Done: \(ticket.map { "\($0) " } ?? "")\(context.task.title). \(commits) commit\(commits == 1 ? "" : "s"), CI green; ready for review: "
            + links.joined(separator: ", ") + (untested.isEmpty ? "" : ". Not tested by the agent: \(untested.joined(separator: ", "))")
            + ". Model cost: \(spend.summary)."
        try await notifier.slackNotice(text, kind: "completed", key: "\(context.idempotencyKey)/slack-completed")
        if let ticket, planning?.ticket.fromJira == true {
            try await notifier.jiraComment(
                issue: ticket, markdown: "*AI Agent: implementation ready for review*\n\n" + pullRequests.map { "- \($0.repository)#\($0.number): \($0.url)" }.joined(separator: "\n"),
                kind: "comment", key: "\(context.idempotencyKey)/jira-comment")
        }
        return .completed(StepOutput(summary: "ready for review: \(links.joined(separator: ", "))"))
    }
}
