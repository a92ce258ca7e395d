import Foundation
import TowerCore
import TowerEngine
import TowerServices
import TowerStore

/// What Execution stores for CI/CD: the commits it made (or found), by plan task.
public struct ExecutionOutput: Codable, Sendable, Equatable {
    public struct Commit: Codable, Sendable, Equatable {
        /// `plan-task N` or `ci-fix CYCLE`.
        public var work: String
        public var title: String
        public var repository: String
        public var sha: String
        /// False when the repository has no test command: the change was not tested.
        public var tested: Bool
        public var attempts: Int
    }

    public var branch: String
    public var commits: [Commit]
    /// Repositories whose changes were not tested (no test command was found).
    public var untested: [String]
    public var pullRequests: [PullRequestRecord]
}

/// Execution: the approved PLAN.md, read from the branch (a reviewer may have edited it), its
/// tasks in dependency order, each one a durable sub-step: read the files it touches and their
/// tests, ask for changes, write them in a sandboxed checkout, run the repository's tests, feed a
/// failure back (three attempts in all), and commit once they pass. Each commit carries a
/// `Tower-Task:` line, so a re-run (after a crash, or `retry` after a task failed) finds what is
/// done and goes on from the first task that is not. In a CI cycle, the CI failure becomes one
/// more piece of work. At the end: a diff per file, and a checklist in each PR.
public struct ExecutionAgent: WorkflowStep {
    let services: AgentServices
    /// Bytes of code shown per prompt.
    var codeBudget = 64 << 10

    public init(services: AgentServices) {
        self.services = services
    }

    /// One piece of work: a plan task, or the fix of a CI failure.
    struct Work {
        var key: String
        var title: String
        var repository: RepositoryRef
        var instructions: String
        var failure: String?
    }

    public func run(_ context: StepContext) async throws -> StepOutcome {
        let began = Date()
        let forge = try services.requireForge(auditedFor: context)
        guard let caller = services.caller(for: .execution, in: context, step: "execution") else {
            throw PermanentStepFailure("Execution needs a language model and \(services.llmProblem); or set TOWER_LLM_REPLAY=DIR to answer from recordings")
        }
        let task = context.task
        guard let stored = try await context.output(of: .planning) else { throw PermanentStepFailure("Planning's result is missing; retry the task from Planning") }
        let planning = try JSONDecoder().decode(PlanningOutput.self, from: stored)
        let discovery = try await context.output(of: .discovery).flatMap { try? JSONDecoder().decode(DiscoveryResult.self, from: $0) }
        let repositories = planning.pullRequests.compactMap { RepositoryRef($0.repository) }
        guard let first = repositories.first else { throw PermanentStepFailure("Planning opened no pull request; nothing to execute") }
        let branch = planning.branch

        // The plan as approved: PLAN.md as it stands on the branch must be the version a person
        // approved; an edit pushed after the decision goes back to a person, before anything is written.
        let current = try await PlanVersions.current(planning, forge: forge)
        if let changed = try await approvalNeeded(current, planning: planning, context: context) { return changed }
        if current.version.edit != nil {
            try await context.log(.info, "executing PLAN.md as edited \(PlanVersions.changeNote(current.version)), as approved (\(current.plan.tasks.count) tasks)")
        }
        let planText = current.text
        let plan = current.plan.resolvingComponents(in: repositories.map(\.description))
        let ordered: [PlanDocument.Task]
        do {
            ordered = try plan.tasksInDependencyOrder()
        } catch {
            throw PermanentStepFailure("the approved PLAN.md cannot be ordered: \(error.description)")
        }
        var work = try ordered.map { item -> Work in
            let name = item.repository ?? first.description
            guard let repo = repositories.first(where: { $0.description == name }) ?? (plan.tasks.allSatisfy { $0.repository == nil } ? first : nil) else {
                throw PermanentStepFailure("plan task \(item.number) names \(name), which has no branch of this plan (\(repositories.map(\.description).joined(separator: ", ")))")
            }
            return Work(key: "plan-task \(item.number)", title: "\(item.number). \(item.title)", repository: repo, instructions: item.title)
        }
        if task.cycle > 0, let failure = try await context.output(of: .ciMonitoring).flatMap({ try? JSONDecoder().decode(CICDOutput.self, from: $0) }) {
            for failed in failure.failures {
                guard let repo = RepositoryRef(failed.repository) else { continue }
                work.append(
                    Work(
                        key: "ci-fix \(task.cycle)", title: "Fix CI (\(failed.classes.map(\.rawValue).joined(separator: ", ")))", repository: repo,
                        instructions: "CI failed on this branch after the plan's tasks were committed. Fix the cause so that CI passes; do not weaken or delete tests.",
                        failure: failed.excerpt))
            }
        }

        // What a run before this one already committed.
        var done: [String: [String: String]] = [:]
        for repo in repositories {
            for commit in try await forge.commits(on: branch, in: repo, limit: 100) {
                for line in commit.message.split(separator: "\n") where line.hasPrefix(Self.marker(task.id, "")) {
                    done[repo.description, default: [:]][String(line.dropFirst(Self.marker(task.id, "").count))] = commit.sha
                }
            }
        }

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tower-execution-\(task.id)-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: root) }
        var workspaces: [String: Workspace] = [:]
        var commits: [ExecutionOutput.Commit] = []
        let startProgress = StepKind.planning.progressWhenDone
        for (index, item) in work.enumerated() {
            if let sha = done[item.repository.description]?[item.key] {
                try await context.log(.info, "\(item.key) (\(item.title)) is already committed on \(item.repository) as \(sha.prefix(8)); not redone")
                commits.append(.init(work: item.key, title: item.title, repository: item.repository.description, sha: sha, tested: true, attempts: 0))
                continue
            }
            // Paused: stop before asking for work whose only end is a commit.
            try await context.checkHalt(repository: item.repository.description, before: "\(item.key) in \(item.repository)")
            let workspace: Workspace
            if let open = workspaces[item.repository.description] {
                workspace = open
            } else {
                workspace = try await prepare(item.repository, branch: branch, forge: forge, directory: root.appendingPathComponent(item.repository.name), context: context)
                workspaces[item.repository.description] = workspace
            }
            let commit = try await AgentSpan.around("plan task \(item.key)", ["tower.work": item.key, "tower.repository": item.repository.description]) {
                try await perform(
                    item, in: workspace, plan: planText, planDocument: plan, planning: planning, discovery: discovery, caller: caller, forge: forge, branch: branch,
                    context: context)
            }
            commits.append(commit)
            await context.progress(startProgress + (StepKind.execution.progressWhenDone - startProgress) * (index + 1) / max(1, work.count))
        }

        // Diffs, one artifact per file, and the checklist in each PR.
        let artifacts = try await DiffArtifacts.of(planning.pullRequests, branch: branch, forge: forge)
        let untested = Set(workspaces.values.filter { $0.commands.test == nil }.map(\.repository.description)).sorted()
        let estimate = try await context.store.approval(taskId: task.id)?.estimate
        for pr in planning.pullRequests {
            guard let repo = RepositoryRef(pr.repository) else { continue }
            let body =
                PlanMessages.pullRequestBody(
                    plan: plan, ticket: planning.ticket, taskId: task.id, repository: pr.repository, others: planning.pullRequests.filter { $0 != pr },
                    estimate: estimate)
                + "\n\n" + ExecutionMessages.checklist(plan: plan, commits: commits, repository: pr.repository, untested: untested.contains(pr.repository))
            try await forge.updatePullRequestBody(body, number: pr.number, in: repo)
        }
        try await context.log(.info, "PR checklist\(planning.pullRequests.count == 1 ? "" : "s") updated: \(commits.count) of \(work.count) done")
        let output = ExecutionOutput(branch: branch, commits: commits, untested: untested, pullRequests: planning.pullRequests)
        let made = commits.filter { $0.attempts > 0 }.count
        // As the original's Execution agent logs it; a plan task that fails fails the step, so
        // a completed Execution has none failed.
        context.report("task_completed", ["duration_seconds": Date().timeIntervalSince(began), "tasks_completed": Double(commits.count), "tasks_failed": 0])
        return .completed(
            try StepOutput(
                encoding: output, artifacts: artifacts,
                summary: "\(commits.count) commits (\(made) new) on \(branch); \(artifacts.count) files changed" + (untested.isEmpty ? "" : "; not tested: \(untested.joined(separator: ", "))")))
    }

    /// The line a commit carries so that a re-run finds it.
    static func marker(_ taskId: String, _ key: String) -> String { "Tower-Task: \(taskId) \(key)" }

    /// When PLAN.md is not the version the decision approved: the approval request again (Slack,
    /// keyed by the new version), and the outcome that sends the task back to a person. `nil` when
    /// it is the approved version, or the approval predates versioned plans.
    func approvalNeeded(_ current: PlanVersions.Current, planning: PlanningOutput, context: StepContext) async throws -> StepOutcome? {
        guard let approval = try await context.store.approval(taskId: context.task.id), approval.decision == .approved else { return nil }
        guard let approved = approval.plan else {
            try await context.log(.warning, "the approval of \(approval.decidedBy ?? "someone") records no plan version (made before versions were kept); executing PLAN.md as it stands")
            return nil
        }
        if current.version.sameText(as: approved) { return nil }
        let note = "PLAN.md changed after it was approved by \(approval.decidedBy ?? "someone") \(PlanVersions.changeNote(current.version))"
        try await context.log(.warning, "\(note): nothing is executed; the plan as it stands (\(current.version.shortHash), \(current.plan.tasks.count) tasks) needs a new approval")
        try await services.notifier(context).slackApproval(
            ticket: planning.ticket.key, title: planning.ticket.title,
            summary: "\(note). Approve the plan as it stands:\n" + PlanMessages.slackSummary(plan: current.plan, pullRequests: planning.pullRequests, estimate: nil),
            pullRequest: planning.pullRequests.first?.url, key: "\(context.task.id)/plan/\(current.version.hash.prefix(16))/slack-approval")
        return .approvalNeeded(
            StepOutput(
                artifacts: [ArtifactDraft(kind: .plan, name: "PLAN.md", content: Data(current.text.utf8))], summary: note, plan: current.version),
            reason: note + "; nothing was executed")
    }

    /// A checkout of the branch with its setup done.
    func prepare(_ repo: RepositoryRef, branch: String, forge: any Forge, directory: URL, context: StepContext) async throws -> Workspace {
        let workspace = try await Workspace.open(repo, branch: branch, forge: forge, directory: directory, testCommand: services.execution.testCommand)
        if let test = workspace.commands.test {
            try await context.log(.info, "\(repo): tests run with `\(test)` (\(workspace.commands.source))")
        } else {
            try await context.log(.warning, "\(repo): no test command found (TOWER_TEST_COMMAND, .tower.toml, or a known layout); its changes will not be tested")
        }
        if let setup = workspace.commands.setup {
            let network = services.execution.setupNetwork
            try await context.log(.info, "\(repo): setup `\(setup)`\(network ? "" : " (no network; TOWER_SETUP_NETWORK=1 allows it)")")
            let run = try await workspace.run(setup, timeout: services.execution.testTimeout, network: network)
            guard run.succeeded else {
                throw PermanentStepFailure("\(repo): setup `\(setup)` " + (run.timedOut ? "timed out" : "exited \(run.exitCode)") + ": " + TestOutput.excerpt(run.output).prefix(400))
            }
        }
        return workspace
    }

    /// The prompt for one attempt, in the order it changes so that the prompt cache holds what
    /// repeats: the ticket and the approved plan (the same for every task of the plan), then the
    /// work with the files it touches in this repository and their tests (cut around what the work
    /// names when too large), an outline of the definitions not shown and how they are tested (the
    /// same for every attempt), then the last failure. Everything from outside is fenced. Returns
    /// what was shown, which decides what an answer may rewrite.
    func prompt(
        for item: Work, workspace: Workspace, plan: String, planDocument: PlanDocument, planning: PlanningOutput, discovery: DiscoveryResult?, feedback: String?,
        attempt: Int
    ) throws -> (text: (cached: [String], rest: String), context: ContextFiles.Context) {
        let repository = item.repository.description
        let spans = Set(planning.pullRequests.map(\.repository)).count > 1 || planDocument.spansRepositories
        let mine = ContextFiles.components(planDocument.components, of: repository, spansRepositories: spans)
        let unresolved = spans ? planDocument.components.filter { $0.repository == nil }.map(\.path) : []
        let discovered = discovery?.relevantRepos.first { $0.name == item.repository.name }?.files.map(\.path) ?? []
        let files = workspace.sandbox.listFiles()
        let (existing, new) = ContextFiles.select(components: mine, unresolved: unresolved, discovered: discovered, files: files)
        let focus = ContextFiles.identifiers(in: [item.title, item.instructions, item.failure ?? "", feedback ?? "", planning.ticket.title, planning.ticket.description].joined(separator: "\n"))
        let context = ContextFiles.assemble(
            existing: existing, new: new, discovered: discovered, files: files, focus: focus, budget: codeBudget, read: workspace.read)
        // Optional sections are left out when empty (Mustache treats an empty string as true).
        var values: [String: Any] = [
            "ticket_id": planning.ticket.key ?? "",
            "ticket": Fence.wrap("Title: \(planning.ticket.title)\n\n\(planning.ticket.description)", tag: "ticket"),
            "plan": Fence.wrap(plan, tag: "plan"),
            "task": item.title,
            "instructions": item.instructions,
            "repository": repository,
            "files": context.fenced().joined(separator: "\n\n"),
            "tree": Fence.wrap(files.prefix(300).joined(separator: "\n") + (files.count > 300 ? "\n[… \(files.count - 300) more files not listed]" : ""), tag: "tree"),
            "whole_file_lines": String(ChangeApplier.wholeFileLines),
        ]
        if !new.isEmpty { values["new_paths"] = new.joined(separator: ", ") }
        if context.files.contains(where: { !$0.excerpt.whole }) { values["cut"] = true }
        if !context.outline.isEmpty { values["outline"] = Fence.wrap(context.outline, tag: "outline") }
        if spans {
            let others = Set(planning.pullRequests.map(\.repository)).subtracting([repository]).sorted()
            if !others.isEmpty { values["other_repositories"] = others.joined(separator: ", ") }
        }
        if let test = workspace.commands.test { values["test_command"] = test }
        let shared = try services.prompts.render("execution", "context", values)
        let task = try services.prompts.render("execution", "task", values)
        // The task is cached too: a second attempt, or a repair, starts the same way.
        guard let feedback else { return (([shared, task], ""), context) }
        let previous = try services.prompts.render("execution", "attempt", ["attempt": String(attempt), "feedback": Fence.wrap(feedback, tag: "previous_attempt")])
        return (([shared, task], previous), context)
    }
}

/// Where a piece of work stands between attempts, kept as a step checkpoint: the attempt it is
/// on and the failure its prompt feeds back.
struct WorkProgress: Codable, Equatable {
    var attempt: Int
    var feedback: String?
}
