import Foundation
import TowerCore
import TowerEngine
import TowerServices
import TowerStore

/// CI/CD: watches each pull request branch's CI for the commit Execution left, and acts on what
/// it finds. Success: on to completion. A failure whose every class is in the original's
/// auto-fix table: the fix commands (or, for mypy, an LLM-guided change) in a sandboxed checkout
/// without network, confirmed by the same tool in check mode, committed as `ci: auto-fix
/// <class>` and watched again, three attempts at most; the same class failing again right after
/// its own fix is not tried a second time. Anything else goes to Slack with the failing excerpt;
/// failures that need code (tests, compilation, imports) send the task back to Execution with
/// the excerpt, and the engine counts those cycles against `TOWER_MAX_CI_RETRIES`.
public struct CICDAgent: WorkflowStep {
    let services: AgentServices

    public init(services: AgentServices) {
        self.services = services
    }

    /// How one repository's CI ended.
    enum Verdict {
        case passed
        case sendBack(CICDOutput.Failure)
        case escalate(String)
    }

    public func run(_ context: StepContext) async throws -> StepOutcome {
        let forge = try services.requireForge(auditedFor: context)
        guard let stored = try await context.output(of: .execution) else { throw PermanentStepFailure("Execution's result is missing; retry the task from Execution") }
        let execution = try JSONDecoder().decode(ExecutionOutput.self, from: stored)
        let planning = try await context.output(of: .planning).flatMap { try? JSONDecoder().decode(PlanningOutput.self, from: $0) }
        let notifier = services.notifier(context)
        let ticket = planning?.ticket.key.map { "\($0) " } ?? ""
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tower-cicd-\(context.task.id)-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: root) }

        var reports: [CIRunReport] = []
        var failures: [CICDOutput.Failure] = []
        var escalations: [String] = []
        for pr in execution.pullRequests {
            guard let repo = RepositoryRef(pr.repository) else { continue }
            let verdict = try await watch(repo, branch: execution.branch, pullRequests: execution.pullRequests, forge: forge, root: root, context: context) { report in
                reports.append(report)
                // Each run is shown in the CI tab as soon as it is classified, not when CI/CD ends.
                if let content = try? JSONEncoder().encode(report) {
                    await context.attach([ArtifactDraft(kind: .ciLog, name: "\(report.repository) run \(report.runId) #\(reports.count)", content: content)])
                }
            }
            switch verdict {
            case .passed: break
            case .sendBack(let failure): failures.append(failure)
            case .escalate(let why):
                escalations.append("\(repo): \(why)")
                EngineMetrics.escalated()
            }
        }
        let output = CICDOutput(runs: reports, failures: failures)
        let key = context.idempotencyKey
        if !escalations.isEmpty || !failures.isEmpty {
            let excerpts = Self.escalationExcerpts(reports)
            let next = failures.isEmpty ? "A person needs to look." : (context.task.cycle < services.ci.maxRetries ? "Sent back to Execution with the failure." : "No CI retries are left.")
            try await notifier.slackNotice(
                "CI needs attention on \(ticket)\(context.task.title) (\(execution.branch)): \((escalations + failures.map { "\($0.repository): \($0.classes.map(\.rawValue).joined(separator: ", "))" }).joined(separator: "; ")). \(next)\n"
                    + excerpts.joined(separator: "\n"),
                kind: "ci_escalation", key: "\(key)/slack-escalation")
        }
        if !escalations.isEmpty {
            // Not something the agents can change: the task fails with the reason; retry watches again.
            throw PermanentStepFailure("CI escalated to a person: \(escalations.joined(separator: "; "))")
        }
        if !failures.isEmpty {
            let reason = failures.map { "\($0.repository): \($0.classes.map(\.rawValue).joined(separator: ", "))" }.joined(separator: "; ")
            return .ciFailed(try StepOutput(encoding: output, summary: reason), reason: reason)
        }
        try await notifier.slackNotice(
            "CI passed on \(ticket)\(context.task.title): \(execution.pullRequests.map { $0.url.isEmpty ? "\($0.repository)#\($0.number)" : $0.url }.joined(separator: ", "))",
            kind: "ci_passed", key: "\(key)/slack-ci-passed")
        let fixes = reports.filter { $0.action.hasPrefix("auto-fix") }.count
        return .completed(
            try StepOutput(
                encoding: output,
                summary: "CI passed on \(execution.pullRequests.count) branch\(execution.pullRequests.count == 1 ? "" : "es") after \(reports.count) run\(reports.count == 1 ? "" : "s")" + (fixes > 0 ? ", \(fixes) auto-fix\(fixes == 1 ? "" : "es")" : "")))
    }

    /// The failing parts of the log for a person: each escalated run, and when the same class
    /// failed again right after its own fix, the run before the fix too (both runs are the story).
    static func escalationExcerpts(_ reports: [CIRunReport]) -> [String] {
        func block(_ report: CIRunReport, _ label: String) -> String {
            "*\(report.repository)* run \(report.runId)\(label) (\(report.classes.map(\.rawValue).joined(separator: ", "))):\n```\n\(report.excerpt.prefix(1500))\n```"
        }
        var out: [String] = []
        for (index, report) in reports.enumerated() where !report.excerpt.isEmpty && report.action.hasPrefix("escalated") {
            if report.action.contains("right after its own fix"),
                let before = reports[..<index].last(where: { $0.repository == report.repository && $0.action.hasPrefix("auto-fix") })
            {
                out.append(block(before, ", before the fix"))
                out.append(block(report, ", after it"))
            } else {
                out.append(block(report, ""))
            }
        }
        return out
    }

    /// Watches one repository until its CI passes, or the failure is handed on.
    func watch(
        _ repo: RepositoryRef, branch: String, pullRequests: [PullRequestRecord]? = nil, forge: any Forge, root: URL, context: StepContext,
        report: (CIRunReport) async -> Void
    ) async throws -> Verdict {
        var attempts = 0
        var lastFixed: Set<LogClass> = []
        while true {
            let head = try await forge.headCommit(of: branch, in: repo)
            let watcher = CIWatcher(forge: forge, settings: services.ci, testCommand: services.execution.testCommand) { seconds in
                try await context.sleepUntilCINews(repository: repo.description, branch: branch, seconds: seconds)
            }
            guard let run = try await watcher.finishedRun(
                of: repo, branch: branch, head: head, log: { try? await context.log(.info, $0) })
            else {
                try await context.log(.warning, "\(repo): no CI ran for \(head.prefix(8)) within \(Int(services.ci.waitForRuns)) s; nothing to watch")
                await report(CIRunReport(repository: repo.description, runId: 0, name: "none", headSha: head, conclusion: "none", action: "no CI run"))
                return .passed
            }
            let conclusion = run.conclusion?.rawValue ?? "unknown"
            if run.conclusion == .success {
                try await context.log(.info, "\(repo): CI \(run.name) passed on \(head.prefix(8))")
                await report(CIRunReport(repository: repo.description, runId: run.id, name: run.name, headSha: head, conclusion: conclusion, action: "passed"))
                return .passed
            }
            let classification = LogClassifier.classify(try await forge.ciLogs(of: run, in: repo))
            let classes = Set(classification.classes)
            var entry = CIRunReport(
                repository: repo.description, runId: run.id, name: run.name, headSha: head, conclusion: conclusion, classes: classification.classes,
                autoFixable: classification.autoFixable, excerpt: classification.excerpt, action: "")
            try await context.log(
                .warning, "\(repo): CI \(run.name) \(conclusion) on \(head.prefix(8)): \(classification.classes.map(\.rawValue).joined(separator: ", "))\(classification.autoFixable ? " (auto-fixable)" : "")")
            func escalate(_ why: String) async -> Verdict {
                entry.action = "escalated: \(why)"
                await report(entry)
                return .escalate("\(why) (\(classification.classes.map(\.rawValue).joined(separator: ", ")))")
            }
            if !classification.autoFixable {
                if classification.classes.contains(where: \.needsCode), classification.classes.allSatisfy({ $0.needsCode || $0.isAutoFixable }) {
                    entry.action = "sent back to Execution"
                    await report(entry)
                    return .sendBack(CICDOutput.Failure(repository: repo.description, classes: classification.classes, excerpt: classification.excerpt))
                }
                return await escalate("not auto-fixable")
            }
            if attempts >= services.ci.fixAttempts {
                return await escalate("stopped after \(attempts) auto-fix attempts")
            }
            if !lastFixed.isDisjoint(with: classes) {
                return await escalate("\(lastFixed.intersection(classes).map(\.rawValue).sorted().joined(separator: ", ")) failed again right after its own fix")
            }
            // Fix, confirm, commit; up to the attempts allowed in all.
            var fixed: String?
            while fixed == nil, attempts < services.ci.fixAttempts {
                attempts += 1
                EngineMetrics.ciFixAttempted()
                fixed = try await AutoFixer(services: services, forge: forge).fix(
                    classification, repo: repo, branch: branch, attempt: attempts, directory: root.appendingPathComponent("\(repo.name)-fix-\(attempts)"), context: context)
            }
            guard let sha = fixed else { return await escalate("\(attempts) auto-fix attempts did not fix it") }
            // The Diff tab shows the branch as it now is.
            if let pullRequests = pullRequests, let fresh = try? await DiffArtifacts.of(pullRequests, branch: branch, forge: forge),
                let stored = try? await context.store.artifacts(taskId: context.task.id, kind: .diff)
            {
                let changed = DiffArtifacts.changed(fresh, stored: stored)
                if !changed.isEmpty { await context.attach(changed) }
            }
            entry.action = "auto-fix \(attempts): \(classification.classes.map(\.rawValue).joined(separator: ", ")) → \(sha.prefix(8))"
            await report(entry)
            lastFixed = classes
        }
    }
}
