import Foundation
import TowerCore
import TowerStore

/// Stores a task that Planning has just finished: awaiting approval with a pending token, as
/// the engine leaves it, for tests of whatever decides it (the CLI, the console, webhooks).
/// `plan` is the version the request asks to approve; `at` when it was asked; `planMarkdown`,
/// when given, is stored as its PLAN.md.
public func seedAwaitingApproval(
    _ store: any Store, ticket: String = "PROJ-42", title: String = "Add OAuth", by actor: Actor = Actor(user: "test", channel: .api),
    plan: PlanVersion? = nil, at: Date = Date(), planMarkdown: String? = nil
) async throws -> TowerTask {
    var task = TowerTask.new(ticketId: ticket, title: title, description: "", source: .jira, now: at)
    task.status = .planning
    task.step = .planning
    try await store.insertTask(task, event: nil, actor: actor)
    var waiting = task
    waiting.status = .awaitingApproval
    waiting.step = nil
    _ = try await store.apply(
        TaskUpdate(
            task: waiting, expectedStatus: .planning, expectedStep: .planning,
            artifacts: planMarkdown.map { [ArtifactDraft(kind: .plan, name: "PLAN.md", content: Data($0.utf8))] } ?? [],
            approvalRequest: Approval(token: Token.generate(), taskId: task.id, requestedAt: at, plan: plan)))
    return waiting
}

/// A task stopped at its budget during Execution (budget `budget`), as the engine leaves one.
public func seedAwaitingBudget(_ store: any Store, ticket: String = "PROJ-43", budget: Double = 0.5) async throws -> TowerTask {
    var task = TowerTask.new(ticketId: ticket, title: "Add SAML", description: "", source: .jira, now: Date())
    task.status = .executing
    task.step = .execution
    try await store.insertTask(task, event: nil, actor: Actor(user: "test", channel: .api))
    _ = try await store.grantBudget(taskId: task.id, amount: budget, base: nil, actor: Actor(user: "test", channel: .api), at: Date())
    var waiting = task
    waiting.status = .awaitingBudget
    waiting.waitingFor = BudgetExceeded(spent: budget, next: 0.01, budget: budget).description
    _ = try await store.apply(TaskUpdate(task: waiting, expectedStatus: .executing, expectedStep: .execution))
    return try await store.task(id: task.id) ?? waiting
}
