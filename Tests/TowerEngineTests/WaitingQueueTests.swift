import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

/// The on-call queue: every task waiting for a person and only those, oldest first, with why.
@Suite struct WaitingQueueTests {
    static let now = Date(timeIntervalSince1970: 1_796_300_000)

    static func task(_ id: String, _ status: TaskStatus, minutesAgo: Double, failedStep: StepKind? = nil, error: String? = nil, waitingFor: String? = nil) -> TowerTask {
        var task = TowerTask(id: id, ticketId: "OPS-\(id)", title: id, source: .jira, status: status, createdAt: now.addingTimeInterval(-7200), expiresAt: now)
        task.updatedAt = now.addingTimeInterval(-minutesAgo * 60)
        task.failedStep = failedStep
        task.lastError = error
        task.waitingFor = waitingFor
        return task
    }

    @Test func everyWaitingTaskOldestFirstWithWhy() {
        let tasks = [
            Self.task("plan", .awaitingApproval, minutesAgo: 5),
            Self.task("edited", .awaitingApproval, minutesAgo: 1),
            Self.task("budget", .awaitingBudget, minutesAgo: 30, waitingFor: "a $0.40 call past the $0.30 budget"),
            Self.task("escalated", .failed, minutesAgo: 10, failedStep: .ciMonitoring, error: "CI escalated to a person: acme/api: test_failure"),
            Self.task("broken", .failed, minutesAgo: 3, failedStep: .execution, error: "tests still fail"),
            Self.task("running", .executing, minutesAgo: 2),
        ]
        let edit = PlanVersion.Edit(repository: "acme/api", commit: "1a2b3c4d5e6f", subject: "PLAN.md: drop task 3")
        let approvals = [
            // The plan's request is older than its task's last change: the request counts.
            "plan": Approval(token: "t1", taskId: "plan", requestedAt: Self.now.addingTimeInterval(-3600), plan: nil,
                estimate: CostEstimate(dollars: 0.09, basis: "3 plan tasks", grant: 0.14)),
            "edited": Approval(token: "t2", taskId: "edited", requestedAt: Self.now.addingTimeInterval(-60), plan: PlanVersion(hash: "h", blobs: [:], edit: edit)),
        ]
        let queue = WaitingQueue.build(tasks, approvals: approvals)
        #expect(queue.map(\.task.id) == ["plan", "budget", "escalated", "edited"])
        #expect(queue[0].why == "plan to approve" && queue[0].estimate == "~$0.0900, budget $0.1400" && queue[0].isPlan)
        #expect(queue[1].why == "budget: a $0.40 call past the $0.30 budget" && !queue[1].isPlan)
        #expect(queue[2].why == "CI escalation: acme/api: test_failure")
        #expect(queue[3].why == "plan edited: acme/api@1a2b3c4d (\"PLAN.md: drop task 3\")" && queue[3].isPlan)
    }

    /// From the store, a plan's row says which repositories it touches and how many tasks it has
    /// (from its stored PLAN.md and the branches its version was read from), and opens on the plan.
    @Test func aPlansRowCarriesItsRepositoriesAndTasks() async throws {
        let store = try SQLiteStore(directory: TemporaryDirectory.make("waiting").appendingPathComponent("state"))
        _ = try await seedAwaitingApproval(
            store, ticket: "OPS-9", title: "Plan", plan: PlanVersion(hash: "abc", blobs: ["acme/web": "b1", "acme/api": "b2"]), planMarkdown: SampleData.planMarkdown)
        let item = try #require(try await WaitingQueue.load(from: store).first)
        #expect(item.repositories == ["acme/api", "acme/web"])
        #expect(item.planTasks == 3 && item.ci == "—" && item.opensOn == "plan")
    }
}
