import Foundation
import TowerCore
import TowerEngine
import TowerServices

extension ExecutionAgent {
    /// One piece of work, up to the attempts allowed: ask, apply, test, and commit when it passes.
    func perform(
        _ item: Work, in workspace: Workspace, plan: String, planDocument: PlanDocument, planning: PlanningOutput, discovery: DiscoveryResult?,
        caller: StructuredCaller, forge: any Forge, branch: String, context: StepContext
    ) async throws -> ExecutionOutput.Commit {
        let attempts = services.execution.attempts
        var feedback = item.failure.map { "CI output:\n" + $0 }
        // An engine that stopped in the middle of this work left the attempt it was on and the
        // failure it was shown: resume there, not at attempt 1.
        var first = 1
        if let saved = try await context.checkpoint(item.key, as: WorkProgress.self) {
            first = min(max(1, saved.attempt), attempts)
            feedback = saved.feedback
            try await context.log(.info, "\(item.key): resuming at attempt \(first) of \(attempts), where the last engine stopped")
        }
        for attempt in first...attempts {
            try await context.saveCheckpoint(item.key, WorkProgress(attempt: attempt, feedback: feedback))
            try await context.log(.info, "\(item.key): \(item.title) in \(item.repository) (attempt \(attempt) of \(attempts))")
            let result = try await AgentSpan.around("attempt \(attempt)", ["tower.work": item.key, "tower.attempt": "\(attempt)"]) {
                try await self.attempt(
                    attempt, of: item, in: workspace, plan: plan, planDocument: planDocument, planning: planning, discovery: discovery, feedback: feedback,
                    caller: caller, forge: forge, branch: branch, context: context)
            }
            switch result {
            case .committed(let commit): return commit
            case .failed(let next): feedback = next
            }
        }
        throw PermanentStepFailure(
            "\(item.key) (\(item.title)) in \(item.repository) still fails after \(attempts) attempts; the commits before it stay, and retry resumes here. Last failure: "
                + (feedback?.split(separator: "\n").dropFirst().first.map(String.init) ?? feedback ?? ""))
    }

    /// How one attempt ended: committed, or undone with what to show the next attempt.
    enum AttemptResult: Sendable {
        case committed(ExecutionOutput.Commit)
        case failed(feedback: String)
    }

    /// One attempt at a piece of work: ask for the change, apply it, run the tests, commit.
    func attempt(
        _ attempt: Int, of item: Work, in workspace: Workspace, plan: String, planDocument: PlanDocument, planning: PlanningOutput, discovery: DiscoveryResult?,
        feedback: String?, caller: StructuredCaller, forge: any Forge, branch: String, context: StepContext
    ) async throws -> AttemptResult {
        let (prompt, shown) = try prompt(
            for: item, workspace: workspace, plan: plan, planDocument: planDocument, planning: planning, discovery: discovery, feedback: feedback, attempt: attempt)
        let answer: CodeChangeAnswer
        do {
            answer = try await caller.ask(
                CodeChangeAnswer.self, system: try services.prompts.render("execution", "system", [:]), cachedPrefix: prompt.cached, prompt: prompt.rest,
                purpose: "\(item.key) attempt \(attempt)"
            ) { ChangeApplier.apply($0, current: workspace.read, notSeenWhole: shown.notSeenWhole).problems }
        } catch let error as StructuredCallError {
            guard case .malformed(_, let problems) = error else { throw error }
            try await context.log(.warning, "\(item.key) attempt \(attempt): the changes were refused whole: \(problems.joined(separator: "; ").prefix(600))")
            return .failed(feedback: "Your previous answer was refused and nothing of it was applied:\n" + problems.map { "- \($0)" }.joined(separator: "\n"))
        }
        let changes = ChangeApplier.apply(answer, current: workspace.read, notSeenWhole: shown.notSeenWhole).changes
        let before: [String: String?]
        do {
            before = try workspace.write(changes)
        } catch let error as SandboxError {
            try await context.log(.warning, "\(item.key) attempt \(attempt): refused: \(error)")
            return .failed(feedback: "Your previous answer was refused and nothing of it was applied: \(error)")
        }
        let paths = changes.map(\.path).joined(separator: ", ")
        var tested = false
        if let command = workspace.commands.test {
            let run = try await workspace.run(command, timeout: services.execution.testTimeout)
            if !run.succeeded {
                let excerpt = (run.timedOut ? "The tests were stopped after \(Int(services.execution.testTimeout)) s.\n" : "") + TestOutput.excerpt(run.output, checkout: workspace.sandbox.root.path)
                try await context.log(
                    .warning,
                    "\(item.key) attempt \(attempt): tests failed (\(run.timedOut ? "timed out" : "exit \(run.exitCode)"), \(String(format: "%.1f", run.duration)) s): "
                        + (excerpt.split(separator: "\n").first.map(String.init) ?? ""))
                try workspace.restore(before)
                return .failed(feedback: "Your previous change (\(paths)) was undone because `\(command)` failed:\n" + excerpt)
            }
            tested = true
            try await context.log(.info, "\(item.key) attempt \(attempt): tests pass (\(String(format: "%.1f", run.duration)) s)")
        }
        let ticket = planning.ticket.key ?? context.task.id
        let message = "\(item.key.hasPrefix("ci-fix") ? "fix" : "feat")(\(ticket)): \(item.title)\n\n\(answer.summary)\n\n"
            + (tested ? "" : "Not tested: \(item.repository) has no test command.\n") + Self.marker(context.task.id, item.key)
        let sha = try await forge.commit(changes, message: message, on: branch, in: item.repository)
        try await context.log(.info, "\(item.key) committed on \(item.repository)@\(branch) as \(sha.prefix(8)): \(paths)")
        return .committed(.init(work: item.key, title: item.title, repository: item.repository.description, sha: sha, tested: tested, attempts: attempt))
    }
}
