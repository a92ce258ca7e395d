import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerServices
import TowerStore

/// The same story over the local forge: real bare git repositories, the PR in the store, and
/// no Slack or Jira configured, so their messages wait in the outbox, marked not sent.
@Suite struct LocalForgePlanningTests {
    @Test func aDescriptionReachesAwaitingApprovalOverRealBareRepositories() async throws {
        let world = try await AgentWorld()
        let (forge, forgeRoot) = try await world.localForge()
        for key in ["GITHUB_TOKEN", "GITHUB_API_URL", "SLACK_BOT_TOKEN", "SLACK_API_URL", "JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"] {
            world.environment[key] = nil
        }

        let task = try await world.run(title: "VAT is wrong for reduced-rate items", description: "compute_vat applies the standard rate to books; VAT_RATES needs reduced rates.")
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        #expect(world.github.requests.isEmpty)

        let repo = RepositoryRef(owner: "acme", name: "billing-service")
        let branch = "ai/\(task.id)-vat-is-wrong-for-reduced-rate-items"
        let plan = try #require(try await forge.file("PLAN.md", in: repo, ref: branch))
        #expect(plan.hasPrefix("# \(task.id): VAT is wrong for reduced-rate items"))
        // Checked with git itself: one commit on top of main, by Tower, holding PLAN.md only.
        let log = try await ProcessRunner().run("git", ["--git-dir", forgeRoot.appendingPathComponent("acme/billing-service.git").path, "log", "--format=%an %s", "main..\(branch)"])
        #expect(log.output.trimmingCharacters(in: .whitespacesAndNewlines) == "Tower docs: PLAN.md for \(task.id)")
        let pr = try #require(try await world.store.openPullRequest(repository: "acme/billing-service", head: branch))
        #expect(pr.draft && pr.body.contains("AI Agent") && pr.base == "main")

        let outbox = try await world.store.outbox(taskId: task.id)
        #expect(outbox.count == 1)
        #expect(outbox.first?.service == "slack" && outbox.first?.status == .notSent)
        #expect(outbox.first?.error?.contains("Slack is not configured") == true)
        let events = try await world.log(task.id)
        #expect(events.contains("slack approval_request not sent"))
        #expect(!events.contains("asked for approval in Slack"))
        #expect(try await world.store.approval(taskId: task.id)?.decision == nil)
    }
}
