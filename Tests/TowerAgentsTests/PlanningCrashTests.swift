import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerStore
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
}
