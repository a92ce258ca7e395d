import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerStore
import TowerServices
import TowerTestSupport

/// `tower run` killed with SIGKILL in the middle of Planning, after the branch and PLAN.md and
/// before the pull request; an engine started again finishes the task, and GitHub, Jira and
/// Slack have exactly one of each thing.
@Suite(.serialized) struct PlanningCrashTests {
    @Test func killedBetweenTheBranchAndThePullRequestThenRestartedMakesNoTwins() async throws {
        let world = try await AgentWorld()
        world.chat.addIssue("PROJ-9", summary: "Reduced VAT for books", description: "compute_vat must use the reduced rate for books; VAT_RATES has only standard rates.")
        world.github.holdPullLookups(true)
        var environment = ProcessInfo.processInfo.environment.merging(world.environment) { _, new in new }
        environment["TOWER_CONFIG"] = world.directory.appendingPathComponent("none.toml").path
        environment["TOWER_PROMPTS_DIR"] = AgentWorld.shippedPrompts.path
        let state = world.directory.appendingPathComponent("state").path
        let env = world.directory.appendingPathComponent("none.env").path

        let first = try ChildProcess(BuiltProducts.url("tower"), ["run", "--ticket", "PROJ-9", "--state-dir", state, "--env-file", env], environment: environment)
        let pullLookup = "GET /github/repos/acme/billing-service/pulls"
        let deadline = Date().addingTimeInterval(60)
        while !world.github.requests.contains(pullLookup) && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(world.github.requests.contains(pullLookup), "\(first.output.joined(separator: "\n"))\n\(first.errorOutput)")
        #expect(world.github.commits("billing-service", messagePrefix: "docs: PLAN.md") == 1)
        first.kill()
        world.github.holdPullLookups(false)
        #expect(world.github.pullRequests.isEmpty && world.chat.comments("PROJ-9").isEmpty && world.chat.messages.isEmpty)
        let interrupted = try #require(try await world.store.tasks(status: nil, limit: nil).first)
        #expect(interrupted.status == .planning)

        let second = try ChildProcess(BuiltProducts.url("tower-test-worker"), ["agents", "--state-dir", state], environment: environment)
        let status = await second.wait(timeout: 90)
        #expect(status == 0, "\(second.output.joined(separator: "\n"))\n\(second.errorOutput)")
        let task = try #require(try await world.store.task(id: interrupted.id))
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        let branch = "ai/PROJ-9-reduced-vat-for-books"
        #expect(world.github.branches("billing-service").keys.sorted() == [branch, "main"])
        #expect(world.github.commits("billing-service", messagePrefix: "docs: PLAN.md") == 1)
        #expect(world.github.pullRequests.count == 1)
        #expect(world.github.pullRequests.first?.body.contains("AI Agent") == true)
        #expect(world.chat.comments("PROJ-9").count == 1)
        #expect(world.chat.messages.count == 1)
        #expect(try await world.store.approval(taskId: task.id)?.decision == nil)
    }

    @Test func overTheLocalForgeKilledBeforeSlackThenRestartedMakesNoTwins() async throws {
        let world = try await AgentWorld()
        let root = try await world.localForge().root
        world.chat.holdSlack(true)
        var environment = ProcessInfo.processInfo.environment.merging(world.environment) { _, new in new }
        for key in ["GITHUB_TOKEN", "GITHUB_API_URL", "JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"] { environment[key] = nil }
        environment["TOWER_FORGE_DIR"] = root.path
        environment["TOWER_CONFIG"] = world.directory.appendingPathComponent("none.toml").path
        environment["TOWER_PROMPTS_DIR"] = AgentWorld.shippedPrompts.path
        let state = world.directory.appendingPathComponent("state").path

        let first = try ChildProcess(
            BuiltProducts.url("tower"), ["run", "--description", "VAT is wrong for reduced-rate items: compute_vat ignores VAT_RATES for books", "--state-dir", state, "--env-file", "/nonexistent/.env"],
            environment: environment)
        let deadline = Date().addingTimeInterval(60)
        while world.chat.slackRequests == 0 && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(world.chat.slackRequests == 1, "\(first.output.joined(separator: "\n"))\n\(first.errorOutput)")
        first.kill()
        // The request died with the process before Slack had it. (Had Slack taken it, the
        // re-run would send it again: the one effect whose remote side Tower cannot look up.)
        world.chat.holdSlack(false, drop: true)
        let task = try #require(try await world.store.tasks(status: nil, limit: nil).first)
        #expect(task.status == .planning)
        let gitDir = root.appendingPathComponent("acme/billing-service.git").path
        let branch = try await ProcessRunner().run("git", ["--git-dir", gitDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/ai/"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(branch.hasPrefix("ai/\(task.id)-vat-is-wrong"))
        #expect(try await world.store.openPullRequest(repository: "acme/billing-service", head: branch) != nil)

        let second = try ChildProcess(BuiltProducts.url("tower-test-worker"), ["agents", "--state-dir", state], environment: environment)
        let status = await second.wait(timeout: 90)
        #expect(status == 0, "\(second.output.joined(separator: "\n"))\n\(second.errorOutput)")
        #expect(try await world.store.task(id: task.id)?.status == .awaitingApproval)
        let log = try await ProcessRunner().run("git", ["--git-dir", gitDir, "log", "--format=%s", "main..\(branch)"])
        #expect(log.output.trimmingCharacters(in: .whitespacesAndNewlines) == "docs: PLAN.md for \(task.id)")
        let pulls = try await (1...3).asyncCompactMap { try await world.store.pullRequest(repository: "acme/billing-service", number: $0) }
        #expect(pulls.count == 1)
        #expect(world.chat.messages.count == 1)
        #expect(try await world.store.outbox(taskId: task.id).map(\.status) == [.sent])
    }
}

extension Sequence {
    func asyncCompactMap<T>(_ transform: (Element) async throws -> T?) async rethrows -> [T] {
        var out: [T] = []
        for element in self { if let value = try await transform(element) { out.append(value) } }
        return out
    }
}
