import Foundation
import TowerCore
import TowerEngine
import TowerServices
import TowerStore

/// Discovery as the engine runs it: the ticket (from Jira when the task names one), the agent,
/// the result stored as the step's output and as the `discovery` artifact the console shows.
public struct DiscoveryStep: WorkflowStep {
    let services: AgentServices

    public init(services: AgentServices) {
        self.services = services
    }

    public func run(_ context: StepContext) async throws -> StepOutcome {
        let forge = try services.requireForge()
        let task = context.task
        let ticket = try await Ticket.of(task, services: services)
        let caller = services.caller(for: .discovery, in: context, step: "discovery")
        if caller == nil { try await context.log(.info, "no model (\(services.llmProblem)): lexical ranking only") }
        var agent = DiscoveryAgent(
            forge: forge, owner: services.owner, caller: caller, prompts: services.prompts, trees: services.trees,
            log: { message in try? await context.log(.info, message) })
        agent.budget = services.discoveryBudget
        let report: DiscoveryAgent.Report
        do {
            report = try await agent.discover(
                title: ticket.title, description: ticket.description, pinned: task.repository.flatMap(RepositoryRef.init), components: ticket.components)
        } catch let error as DiscoveryError {
            // Searching again finds the same nothing: fail now, saying what was searched.
            throw PermanentStepFailure(error.description)
        }
        let result = report.result
        for repo in result.relevantRepos.prefix(3) {
            try await context.log(.info, "\(repo.name) \(String(format: "%.2f", repo.relevance)): \(repo.reason.prefix(200))")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(result)
        let top = result.rankedRepos.first.map { "\($0.name) first of \(result.relevantRepos.count)" } ?? "nothing"
        return .completed(
            StepOutput(
                json: json, artifacts: [ArtifactDraft(kind: .discovery, name: "discovery.json", content: json)],
                summary: "\(top); \(result.crossRepoDependencies.count) cross-repo dependencies; \(result.estimatedComplexity) complexity; \(report.searchCalls) searches",
                title: ticket.fromJira ? ticket.title : nil))
    }
}
