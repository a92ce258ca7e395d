import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
private let cli = Actor(user: "alice", channel: .cli)

private func seed(_ store: any Store, status: TaskStatus, step: StepKind?, id: String? = nil, at: Date = t0) async throws -> TowerTask {
    var task = TowerTask.new(ticketId: "PROJ-1", title: "Add OAuth", description: "d", source: .jira, now: at)
    if let id { task.id = id }
    task.status = status
    task.step = step
    try await store.insertTask(task, event: TaskEvent(taskId: task.id, at: at, level: .info, agent: "engine", message: "started", milestone: true), actor: cli)
    return task
}

/// The rest of the store's operations, on every backend: the engine's scan, plan edits before a
/// decision, budgets, checkpoints, the freeze switch, the outbox's idempotency keys, model calls
/// and the local forge.
@Suite struct StoreOperationsTests {
    @Test(arguments: StoreBackend.allCases) func theEngineScansRunnableTasksOldestFirstAndLearnsWhenAParkedOneIsDue(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let first = try await seed(store, status: .discovery, step: .discovery, id: "t-1", at: t0)
        var parked = try await seed(store, status: .planning, step: .planning, id: "t-2", at: t0.addingTimeInterval(1))
        _ = try await seed(store, status: .awaitingApproval, step: nil, id: "t-3", at: t0.addingTimeInterval(2))
        let third = try await seed(store, status: .executing, step: .execution, id: "t-4", at: t0.addingTimeInterval(3))
        parked.waitingUntil = t0.addingTimeInterval(60)
        parked.waitingFor = "GitHub's rate limit"
        try await store.apply(TaskUpdate(task: parked, expectedStatus: .planning, expectedStep: .planning))

        let now = t0.addingTimeInterval(10)
        let scan = try await store.runnableTasks(now: now, limit: 10)
        #expect(scan.tasks.map(\.id) == [first.id, third.id])
        #expect(scan.nextWake.map { abs($0.timeIntervalSince(t0.addingTimeInterval(60))) < 0.001 } == true)
        #expect(try await store.runnableTasks(now: now, limit: 1).tasks.map(\.id) == [first.id])
        #expect(try await store.runnableTasks(now: t0.addingTimeInterval(61), limit: 10).tasks.map(\.id) == ["t-1", "t-2", "t-4"])
        #expect(try await store.activeTasks().map(\.id) == ["t-1", "t-2", "t-4"])
        #expect(try await store.tasks(status: .awaitingApproval, limit: nil).map(\.id) == ["t-3"])
        #expect(try await store.tasks(status: nil, limit: 2).map(\.id) == ["t-4", "t-3"])
        #expect(Set(try await store.tasks(updatedSince: t0.addingTimeInterval(2)).map(\.id)) == ["t-3", "t-4"])
        #expect(try await store.milestones(taskId: "t-1").map(\.message) == ["started"])
        let stored = try #require(try await store.task(id: "t-2"))
        #expect(stored.waitingFor == "GitHub's rate limit" && stored.status == .planning)
    }

    @Test(arguments: StoreBackend.allCases) func aPlanEditedBeforeTheDecisionMovesTheRequestAndNotAfter(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let task = try await seed(store, status: .planning, step: .planning)
        var waiting = task
        waiting.status = .awaitingApproval
        waiting.step = nil
        let v1 = PlanVersion(hash: "h1", blobs: ["acme/api": "b1"])
        let estimate = CostEstimate(dollars: 0.2, basis: "3 tasks", grant: 0.3)
        try await store.apply(
            TaskUpdate(
                task: waiting, expectedStatus: .planning, expectedStep: .planning,
                approvalRequest: Approval(token: "tok", taskId: task.id, requestedAt: t0, plan: v1, estimate: estimate)))
        let v2 = PlanVersion(hash: "h2", blobs: ["acme/api": "b2"], edit: .init(repository: "acme/api", commit: "abcdef0123", subject: "PLAN.md: drop task 3"))
        let edited = ArtifactDraft(kind: .plan, name: "PLAN.md", content: Data("# v2".utf8))
        #expect(
            try await store.updatePendingPlan(
                taskId: task.id, plan: v2, artifacts: [edited], events: [TaskEvent(taskId: task.id, at: t0, level: .info, agent: "planning", message: "edited")],
                at: t0))
        #expect(try await store.approval(taskId: task.id)?.plan == v2)
        #expect(try await store.approval(taskId: task.id)?.estimate == estimate)
        #expect(try await store.artifacts(taskId: task.id, kind: .plan).map { String(decoding: $0.content, as: UTF8.self) } == ["# v2"])

        let outcome = try await store.decide(taskId: task.id, decision: .approved, actor: cli, reason: "ok", at: t0.addingTimeInterval(5))
        guard case .decided(let approval) = outcome else { Issue.record("not decided: \(outcome)"); return }
        #expect(approval.plan == v2 && approval.decidedBy == "alice")
        let approved = try #require(try await store.task(id: task.id))
        #expect(approved.status == .approved && approved.step == .execution && approved.budget == 0.3)
        #expect(try await !store.updatePendingPlan(taskId: task.id, plan: v1, artifacts: [], events: [], at: t0))
        #expect(try await store.approval(taskId: task.id)?.plan == v2)
        #expect(try await store.milestones(taskId: task.id).last?.message == "plan approved by alice via cli: ok; model budget $0.3000")
    }

    @Test(arguments: StoreBackend.allCases) func budgetsAreGrantedStoppedAndAddedToTheDay(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        var waiting = try await seed(store, status: .executing, step: .execution, id: "t-b")
        waiting.status = .awaitingBudget
        waiting.waitingFor = "$0.50 of $0.40 spent"
        try await store.apply(TaskUpdate(task: waiting, expectedStatus: .executing, expectedStep: .execution))
        let granted = try await store.grantBudget(taskId: "t-b", amount: 1, base: 0.4, actor: cli, at: t0)
        #expect(granted.status == .executing && granted.budget == 1.4 && granted.waitingFor == nil)
        #expect(try await store.task(id: "t-b")?.budget == 1.4)
        await #expect(throws: StoreError.notAwaitingBudget(taskId: "t-b", status: .executing)) {
            _ = try await store.stopAtBudget(taskId: "t-b", actor: cli, at: t0)
        }
        waiting = try #require(try await store.task(id: "t-b"))
        waiting.status = .awaitingBudget
        try await store.apply(TaskUpdate(task: waiting, expectedStatus: .executing, expectedStep: .execution))
        let stopped = try await store.stopAtBudget(taskId: "t-b", actor: cli, at: t0)
        #expect(stopped.status == .failed && stopped.failedStep == .execution)
        #expect(try await store.task(id: "t-b")?.lastError == "stopped at its model budget by alice via cli")

        var parked = try await seed(store, status: .planning, step: .planning, id: "t-p")
        parked.waitingUntil = t0.addingTimeInterval(86_400)
        parked.waitingFor = DailyBudget.waitingFor + " ($5.00 spent today)"
        try await store.apply(TaskUpdate(task: parked, expectedStatus: .planning, expectedStep: .planning))
        let first = try await store.grantDailyBudget(amount: 2, actor: cli, at: t0)
        #expect(first.extra == 2 && first.woken == ["t-p"])
        let second = try await store.grantDailyBudget(amount: 3, actor: cli, at: t0.addingTimeInterval(60))
        #expect(second.extra == 5 && second.woken.isEmpty)
        #expect(try await store.dailyBudgetExtra(day: t0) == 5)
        #expect(try await store.dailyBudgetExtra(day: t0.addingTimeInterval(86_400)) == 0)
        #expect(try await store.task(id: "t-p")?.waitingUntil == nil)
        #expect(try await store.commands(after: 0).filter { $0.kind == .budget }.count == 3)
    }

    @Test(arguments: StoreBackend.allCases) func checkpointsFreezeAndTheOutboxKeys(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let task = try await seed(store, status: .executing, step: .execution)
        #expect(try await store.checkpoint(taskId: task.id, name: "work") == nil)
        try await store.saveCheckpoint(taskId: task.id, name: "work", value: "{\"attempt\":1}", at: t0)
        try await store.saveCheckpoint(taskId: task.id, name: "work", value: "{\"attempt\":2}", at: t0)
        #expect(try await store.checkpoint(taskId: task.id, name: "work") == "{\"attempt\":2}")

        #expect(try await !store.freezeState().frozen)
        let frozen = try await store.setFrozen(true, actor: cli, at: t0)
        #expect(frozen.frozen && frozen.by == "alice")
        #expect(try await store.freezeState().frozen)
        #expect(try await store.latestCommandSequence() == store.commands(after: 0).last?.sequence)
        #expect(try await store.commands(after: 0).last?.kind == .freeze)

        let failed = try await store.recordOutbox(
            OutboxMessage(taskId: task.id, service: "slack", target: "#ai", kind: "approval_request", text: "Plan", status: .failed, error: "timeout", at: t0, key: "k-1"))
        let sent = try await store.recordOutbox(
            OutboxMessage(taskId: task.id, service: "slack", target: "#ai", kind: "approval_request", text: "Plan", status: .sent, at: t0.addingTimeInterval(5), key: "k-1"))
        #expect(failed.id != nil && failed.id == sent.id)
        #expect(try await store.outboxMessage(key: "k-1")?.status == .sent)
        #expect(try await store.outbox(taskId: task.id).count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func modelCallsAreKeptWithTheirTask(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        #expect(try await store.latestLLMCallId() == 0)
        let call = LLMCallRecord(
            taskId: "t-1", step: "planning", purpose: "plan", model: "claude-sonnet-4-20250514", system: "You plan.", prompt: "[]", answer: "{}",
            error: "refused: missing tasks", inputTokens: 1_200, outputTokens: 300, cacheWriteTokens: 1_100, cacheReadTokens: 40, cost: 0.0123, durationMs: 870,
            at: t0, replayed: true)
        let stored = try await store.recordLLMCall(call)
        #expect(stored.id != nil)
        let read = try #require(try await store.llmCalls(taskId: "t-1").first)
        #expect(read.id == stored.id && read.error == call.error && read.cacheWriteTokens == 1_100 && read.cost == 0.0123 && read.replayed)
        let byTask = try await store.spendByTask()
        #expect(byTask.byTask["t-1"] == Spend(dollars: 0.0123, calls: 1, unpriced: 0, replayed: 1))
        #expect(byTask.latestCall == stored.id)
        let metrics = try await store.metrics()
        #expect(metrics.inputTokens == 1_200 && metrics.outputTokens == 300)
    }

    @Test(arguments: StoreBackend.allCases) func theLocalForgeNumbersPullRequestsAndFindsTheOpenOne(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let request = PullRequestRecord(repository: "acme/api", number: 0, head: "ai/PROJ-1", base: "main", title: "PROJ-1", body: "plan", draft: true, url: "")
        let prs = try await withThrowingTaskGroup(of: PullRequestRecord.self) { group in
            for _ in 0..<4 { group.addTask { try await store.openPullRequest(request, at: t0) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(prs.map(\.number)) == [1])
        var other = request
        other.head = "ai/PROJ-2"
        #expect(try await store.openPullRequest(other, at: t0).number == 2)
        #expect(try await store.openPullRequest(repository: "acme/api", head: "ai/PROJ-2")?.url == "local:acme/api#2")
        try await store.updatePullRequestBody(repository: "acme/api", number: 1, body: "plan\n\nSee also #2")
        #expect(try await store.pullRequest(repository: "acme/api", number: 1)?.body == "plan\n\nSee also #2")
        try await store.addPullRequestComment(repository: "acme/api", number: 1, body: "@agent approve", author: "bob", at: t0)
        #expect(try await store.pullRequestComments(repository: "acme/api", number: 1) == ["@agent approve"])
        await #expect(throws: StoreError.notFound("pull request acme/api#9")) {
            try await store.addPullRequestComment(repository: "acme/api", number: 9, body: "x", author: "bob", at: t0)
        }

        var run = try await store.recordCIRun(CIRun(repository: "acme/api", branch: "ai/PROJ-1", headSha: "abc", name: "CI", status: .inProgress, startedAt: t0))
        #expect(run.id > 0)
        run.status = .completed
        run.conclusion = .failure
        run.output = "E501 line too long"
        run.finishedAt = t0.addingTimeInterval(30)
        try await store.recordCIRun(run)
        _ = try await store.recordCIRun(CIRun(repository: "acme/api", branch: "ai/PROJ-1", headSha: "def", name: "CI", status: .queued, startedAt: t0))
        let runs = try await store.ciRuns(repository: "acme/api", branch: "ai/PROJ-1")
        #expect(runs.map(\.headSha) == ["def", "abc"])
        #expect(runs.last?.conclusion == .failure && runs.last?.output == "E501 line too long")
    }
}
