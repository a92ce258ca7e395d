import Foundation
import TowerCore
import TowerLLM
import TowerEngine
import TowerServices
import TowerStore

/// What Planning stores for Execution: the plan, where it was committed, and the pull requests.
public struct PlanningOutput: Codable, Sendable, Equatable {
    public var ticket: Ticket
    public var branch: String
    public var plan: PlanDocument
    public var pullRequests: [PullRequestRecord]
}

/// Planning: the ticket and Discovery's result become a TDD plan (one structured call), PLAN.md
/// from the original's template on a branch in each repository the plan touches, a draft PR
/// each (linking the others), a Jira comment and a Slack approval request. Every outside effect
/// is found again by a re-run: the branch by name, the commit by content, the PR by head, the
/// messages by the step's idempotency key.
public struct PlanningAgent: WorkflowStep {
    let services: AgentServices
    /// Bytes of code shown to the model per repository.
    var codeBytesPerRepository = 24 << 10

    public init(services: AgentServices) {
        self.services = services
    }

    /// The repositories a plan may touch: those Discovery rates at least half as relevant as the
    /// best, then any with evidence of its own (relevance ≥ 0.2) joined to one of them by a
    /// dependency, since a change often crosses that boundary (a client and the service it
    /// calls); at most three.
    static func candidates(of discovery: DiscoveryResult) -> [String] {
        let ranked = discovery.rankedRepos
        let strong = ranked.filter { $0.relevance >= 0.5 }.map(\.name)
        let linked = ranked.filter { repo in
            repo.relevance >= 0.2 && !strong.contains(repo.name)
                && discovery.crossRepoDependencies.contains { edge in
                    (strong.contains(edge.from) && edge.to == repo.name) || (strong.contains(edge.to) && edge.from == repo.name)
                }
        }.map(\.name)
        return Array((strong + linked).prefix(3))
    }

    /// A repository's code and build files by name, sources, then tests, then build and
    /// configuration, within `limit` paths and 4 KB; `nil` when it has none.
    static func fileListing(_ paths: [String], limit: Int = 80) -> (text: String, shown: Int, total: Int)? {
        let order: [FileKind] = [.source, .test, .build, .config]
        let kept = paths.compactMap { path in order.firstIndex(of: FileKind.of(path)).map { (rank: $0, path: path) } }
            .sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.path < $1.path }.map(\.path)
        guard !kept.isEmpty else { return nil }
        var lines: [String] = []
        var bytes = 0
        for path in kept.prefix(limit) where bytes + path.utf8.count < 4 << 10 {
            lines.append(path)
            bytes += path.utf8.count + 1
        }
        return (lines.joined(separator: "\n"), lines.count, kept.count)
    }

    public func run(_ context: StepContext) async throws -> StepOutcome {
        let forge = try services.requireForge(auditedFor: context)
        guard let caller = services.caller(for: .planning, in: context, step: "planning") else {
            throw PermanentStepFailure("Planning needs a language model and \(services.llmProblem); or set TOWER_LLM_REPLAY=DIR to answer from recordings")
        }
        let task = context.task
        let ticket = try await Ticket.of(task, services: services)
        guard let stored = try await context.output(of: .discovery) else { throw PermanentStepFailure("Discovery's result is missing; retry the task from Discovery") }
        let discovery = try JSONDecoder().decode(DiscoveryResult.self, from: stored)

        // The repositories the plan may touch: the pinned one, or Discovery's best.
        let candidates: [RepositoryRef]
        if let pinned = task.repository.flatMap(RepositoryRef.init) {
            candidates = [pinned]
        } else {
            candidates = Self.candidates(of: discovery).compactMap { RepositoryRef(owner: services.owner, name: $0) }
        }
        guard !candidates.isEmpty else { throw PermanentStepFailure("Discovery found no repository to plan in") }
        var trees: [String: Set<String>] = [:]
        var bases: [String: String] = [:]
        var excerpts: [String] = []
        for repo in candidates {
            let base = try await forge.defaultBranch(of: repo)
            let commit = try await forge.headCommit(of: base, in: repo)
            bases[repo.description] = base
            let files = try await services.trees.files(of: repo, at: commit) { try await forge.files(in: repo, ref: commit) }
            trees[repo.description] = Set(files)
            var budget = codeBytesPerRepository
            let ranked = discovery.relevantRepos.first { $0.name == repo.name }?.files ?? []
            for file in ranked where budget > 0 && file.type != "docs" {
                guard let text = try await forge.file(file.path, in: repo, ref: commit) else { continue }
                let kept = String(text.prefix(min(budget, 8 << 10)))
                budget -= kept.utf8.count
                excerpts.append(Fence.wrap(kept, tag: "code", attributes: ["repository": repo.description, "path": file.path]))
            }
            // A repository the ticket's component named, where no file matched the ticket's
            // words: the model sees only the prompt, so it gets the repository's files by name
            // (fenced as code: file names are the repository's data, not instructions).
            if !ranked.contains(where: { $0.type != "docs" }), let listing = Self.fileListing(files) {
                excerpts.append(
                    "No file of \(repo.description) matched the ticket; its files, sources first (\(listing.shown) of \(listing.total)):\n"
                        + Fence.wrap(listing.text, tag: "code", attributes: ["repository": repo.description, "listing": "file names"]))
            }
        }
        try await context.log(.info, "planning in \(candidates.map(\.description).joined(separator: ", ")) with \(services.model(for: .planning))")

        let allowed = Set(candidates.map(\.description))
        let prompts = services.prompts
        let prompt = try prompts.render(
            "planning", "task",
            [
                "ticket_id": ticket.key ?? task.id,
                "ticket": Fence.wrap("Title: \(ticket.title)\n\n\(ticket.description)", tag: "ticket"),
                "discovery": Fence.wrap(DiscoveryAgent.summary(of: discovery, title: ticket.title) + "\nRecommended approach: \(discovery.recommendedApproach)", tag: "discovery"),
                "repositories": candidates.map(\.description).joined(separator: ", "),
                "code": excerpts.joined(separator: "\n\n"),
            ])
        let answer = try await caller.ask(
            PlanAnswer.self, system: try prompts.render("planning", "system", [:]), prompt: prompt, purpose: "plan"
        ) { $0.repositoryProblems(allowed: allowed) }

        // A component path that is not in its repository is new, whatever the model said.
        var checked = answer
        for index in checked.components.indices {
            let component = checked.components[index]
            let path = component.path.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
            let tree = trees[component.repository] ?? []
            let exists = tree.contains(path) || tree.contains { $0.hasPrefix(path + "/") }
            if exists == component.isNew {
                try await context.log(.info, "component \(component.name): \(component.repository)/\(path) \(exists ? "exists" : "does not exist"); marked \(exists ? "existing" : "new")")
            }
            checked.components[index].isNew = !exists
        }
        let touched = candidates.map(\.description).filter { name in checked.tasks.contains { $0.repository == name } || checked.components.contains { $0.repository == name } }
        let plan = checked.document(ticketId: ticket.key ?? task.id, title: ticket.title, repositories: touched)
        let markdown = plan.render()
        try await context.log(.info, "plan: \(plan.tasks.count) tasks, \(plan.unitTests.count + plan.integrationTests.count) tests, over \(touched.joined(separator: ", "))")
        let executionModel = services.model(for: .execution)
        let estimate = CostEstimator.estimate(
            tasks: plan.tasks.count, calls: try await context.store.llmCalls(taskId: task.id), model: executionModel,
            price: services.prices?.price(for: ModelChoice(executionModel)), settings: services.budget)
        try await context.log(.info, estimate.summary)

        // Branch and PLAN.md in each repository, then a draft PR each.
        let branch = PlanMessages.branch(ticketOrTask: ticket.key ?? task.id, title: ticket.title)
        var pullRequests: [PullRequestRecord] = []
        for name in touched {
            guard let repo = RepositoryRef(name), let base = bases[name] else { continue }
            try await forge.createBranch(branch, from: base, in: repo)
            let sha = try await forge.commit(
                [FileChange(path: "PLAN.md", content: markdown)], message: "docs: PLAN.md for \(ticket.key ?? task.id)\n\nPlanned by the AI Agent (Tower task \(task.id)).",
                on: branch, in: repo)
            try await context.log(.info, "PLAN.md committed on \(name)@\(branch) (\(sha.prefix(8)))")
            let body = PlanMessages.pullRequestBody(plan: plan, ticket: ticket, taskId: task.id, repository: name, others: [], estimate: estimate)
            let pr = try await forge.openPullRequest(head: branch, base: base, title: PlanMessages.pullRequestTitle(ticket), body: body, draft: true, in: repo)
            try await context.log(.info, "draft PR \(name)#\(pr.number): \(pr.url)")
            pullRequests.append(pr)
        }
        if pullRequests.count > 1 {
            for pr in pullRequests {
                guard let repo = RepositoryRef(pr.repository) else { continue }
                let body = PlanMessages.pullRequestBody(
                    plan: plan, ticket: ticket, taskId: task.id, repository: pr.repository, others: pullRequests.filter { $0 != pr }, estimate: estimate)
                try await forge.updatePullRequestBody(body, number: pr.number, in: repo)
            }
            try await context.log(.info, "each PR links the other \(pullRequests.count - 1)")
        }

        let notifier = services.notifier(context)
        if let key = ticket.key, ticket.fromJira {
            try await notifier.jiraComment(
                issue: key, markdown: PlanMessages.jiraComment(plan: plan, pullRequests: pullRequests, taskId: task.id, estimate: estimate), kind: "comment",
                key: "\(context.idempotencyKey)/jira-comment")
        }
        try await notifier.slackApproval(
            ticket: ticket.key, title: ticket.title, summary: PlanMessages.slackSummary(plan: plan, pullRequests: pullRequests, estimate: estimate), pullRequest: pullRequests.first?.url,
            key: "\(context.idempotencyKey)/slack-approval")

        let output = PlanningOutput(ticket: ticket, branch: branch, plan: plan, pullRequests: pullRequests)
        return .completed(
            try StepOutput(
                encoding: output, artifacts: [ArtifactDraft(kind: .plan, name: "PLAN.md", content: Data(markdown.utf8))],
                summary: "\(plan.tasks.count) tasks; draft PR\(pullRequests.count == 1 ? "" : "s") \(pullRequests.map { "\($0.repository)#\($0.number)" }.joined(separator: ", "))",
                plan: PlanVersions.planned(markdown, repositories: pullRequests.map(\.repository)), estimate: estimate))
    }
}
