import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerHTTPTestSupport
import TowerStore
import TowerTestSupport

@testable import TowerAgents

/// Budgets that pause and ask: a task that would pass its granted budget stops before the next
/// model call and waits at `awaiting_budget`, with its step kept; a grant from another process
/// (the `tower` binary) sends it on where it stopped; the daily limit parks every task's next
/// call until a grant for the day.
@Suite(.serialized) struct BudgetTests {
    let description = ExecutionEndToEndTests.description

    func approve(_ world: AgentWorld, _ id: String) async throws {
        _ = try await world.store.decide(taskId: id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
    }

    func tower(_ world: AgentWorld, _ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await ChildProcess.run(BuiltProducts.url("tower"), arguments + ["--env-file", "/nonexistent/.env"], environment: world.environment, timeout: 60)
    }

    @Test func aTaskPastItsBudgetWaitsBeforeTheNextCallAndResumesWhereItStoppedAfterAGrantFromAnotherProcess() async throws {
        // What each call costs, from a first run without a budget: the stand-in's usage is the
        // same on every run of the same story.
        let measure = try await AgentWorld(answer: CodeScript.standard)
        try await measure.localForge()
        let first = try await measure.run(title: "Reduced VAT for books", description: description)
        let firstEstimate = try #require(try await measure.store.approval(taskId: first.id)?.estimate)
        try await approve(measure, first.id)
        let done = try await measure.drive(first.id, timeout: 180)
        #expect(done.status == .completed, "\(done.lastError ?? "")")
        let measured = try await measure.store.llmCalls(taskId: first.id)
        let lastOfTask1 = try #require(measured.lastIndex { $0.purpose.hasPrefix("plan-task 1 ") })
        #expect(measured.contains { $0.purpose.hasPrefix("plan-task 2 ") })
        // Without TOWER_TASK_BUDGET, approving grants the estimate with its margin.
        let estimated = try #require(firstEstimate.dollars)
        #expect(firstEstimate.grant == ((estimated * BudgetSettings.margin) * 100).rounded(.up) / 100)
        #expect(firstEstimate.basis.contains("plan task") && firstEstimate.basis.contains("spent so far"), "\(firstEstimate.basis)")
        #expect(done.budget == firstEstimate.grant)

        // The budget: what the calls through plan task 1 cost, and half an average call.
        let spent = measured[...lastOfTask1].compactMap(\.cost).reduce(0, +)
        let budget = spent + spent / Double(lastOfTask1 + 1) / 2

        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        world.environment["TOWER_TASK_BUDGET"] = String(format: "%.6f", budget)
        let planned = try await world.run(title: "Reduced VAT for books", description: description)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        let estimate = try #require(try await world.store.approval(taskId: planned.id)?.estimate)
        #expect(estimate.grant == Double(String(format: "%.6f", budget)), "TOWER_TASK_BUDGET is what approving grants")
        try await approve(world, planned.id)
        #expect(try await world.store.task(id: planned.id)?.budget == estimate.grant)

        let parked = try await world.drive(planned.id, timeout: 180)
        #expect(parked.status == .awaitingBudget, "\(parked.lastError ?? "")")
        #expect(parked.step == .execution, "the step is kept")
        #expect(parked.waitingFor?.contains("would pass the task's budget") == true, "\(parked.waitingFor ?? "")")
        let before = try await world.store.llmCalls(taskId: planned.id)
        #expect(before.map(\.purpose) == measured[...lastOfTask1].map(\.purpose), "it stopped before plan task 2's call, after plan task 1")
        let log = try await world.log(planned.id)
        #expect(log.contains("execution stopped before its next model call") && log.contains("awaiting budget"))
        #expect(log.contains("plan-task 1 committed"))
        // Slack was asked once, with the buttons that grant or stop.
        let asks = world.chat.messages.filter { ($0["text"] as? String)?.hasPrefix("Waiting for model budget") == true }
        #expect(asks.count == 1)
        let blocks = String(describing: asks.first?["blocks"] ?? "")
        #expect(blocks.contains("budget_grant"))
        // Every Slack call, the budget request among them, is chat.postMessage as Slack describes it.
        let slack = try Contract.load("slack", prefix: "/slack/api")
        let slackCalls = world.requests.all.filter { $0.path.hasPrefix("/slack/api/") }
        #expect(!slackCalls.isEmpty && slackCalls.allSatisfy { slack.operation($0) != nil })
        #expect(slackCalls.flatMap { slack.problems($0) } == [])

        // `tower agent status` says why it waits.
        let status = try await tower(world, ["agent", "status", planned.id])
        #expect(status.out.contains("awaiting_budget") && status.out.contains("waiting    for budget"), "\(status.out)\(status.err)")

        // The grant, from another process.
        let grant = try await tower(world, ["agent", "budget", planned.id, "+1", "--as", "alice"])
        #expect(grant.status == 0, "\(grant.out)\(grant.err)")
        #expect(grant.out.contains("model budget"), "\(grant.out)")
        let granted = try #require(try await world.store.task(id: planned.id))
        #expect(granted.status == .executing && abs((granted.budget ?? 0) - (estimate.grant! + 1)) < 1e-9)

        let finished = try await world.drive(planned.id, timeout: 180)
        #expect(finished.status == .completed, "\(finished.lastError ?? "")")
        let calls = try await world.store.llmCalls(taskId: planned.id)
        // No step was repeated: every call of the unbudgeted run, once, in the same order.
        #expect(calls.map(\.purpose) == measured.map(\.purpose))
        let after = try await world.log(planned.id)
        #expect(after.contains("model budget +$1.00 granted by alice via cli"))
        #expect(after.components(separatedBy: "plan-task 1 committed").count == 2, "plan task 1 was committed once")
    }

    @Test func aTaskStoppedAtItsBudgetFailsAtItsStepAndRetryResumesThere() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        world.environment["TOWER_TASK_BUDGET"] = "0.000001"
        // Discovery's first call costs nothing yet; its second would pass the budget.
        let parked = try await world.run(title: "Reduced VAT for books", description: description)
        #expect(parked.status == .awaitingBudget && parked.step == .discovery, "\(parked.status) \(parked.lastError ?? "")")
        let stop = try await tower(world, ["agent", "budget", parked.id, "stop", "--as", "bob"])
        #expect(stop.status == 0, "\(stop.out)\(stop.err)")
        let stopped = try #require(try await world.store.task(id: parked.id))
        #expect(stopped.status == .failed && stopped.failedStep == .discovery)
        #expect(stopped.lastError?.contains("stopped at its model budget by bob via cli") == true)
        // A grant to a task that is not waiting is refused for stop, taken for more.
        let again = try await tower(world, ["agent", "budget", parked.id, "stop"])
        #expect(again.status != 0 && (again.out + again.err).contains("not waiting for budget"))
        let bad = try await tower(world, ["agent", "budget", parked.id, "lots"])
        #expect(bad.status != 0 && (bad.out + bad.err).contains("is not an amount"))
        // Retry resumes Discovery, which stops at the budget again; a grant lets it plan.
        #expect(try await tower(world, ["agent", "retry", parked.id]).status == 0)
        let again2 = try await world.drive(parked.id)
        #expect(again2.status == .awaitingBudget && again2.step == .discovery)
        #expect(try await tower(world, ["agent", "budget", parked.id, "+5"]).status == 0)
        let planned = try await world.drive(parked.id)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
    }

    @Test func theDailyLimitParksTheNextCallOfEveryTaskWithOneNoticeUntilAGrantForTheDay() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        world.environment["TOWER_DAILY_BUDGET"] = "0.000001"
        let engine = try world.startEngine()
        defer { engine.cancel() }
        let commands = OperatorCommands(store: world.store)
        // Each task waits for the day's budget, at Discovery, until tomorrow (UTC): the first
        // after its first call, the second before any.
        let tomorrow = Calendar.utc.date(byAdding: .day, value: 1, to: Calendar.utc.startOfDay(for: Date()))!
        var ids: [String] = []
        for title in ["Reduced VAT for books", "Reduced VAT for books, again"] {
            let task = try await commands.start(ticketId: nil, title: title, description: description, source: .cli, by: Actor(user: "test", channel: .cli))
            let waiting = try await world.until(task.id) { $0.waitingUntil != nil }
            #expect(waiting.status == .discovery && waiting.waitingFor?.hasPrefix(DailyBudget.waitingFor) == true, "\(waiting.waitingFor ?? "")")
            #expect(abs((waiting.waitingUntil ?? .distantPast).timeIntervalSince(tomorrow)) < 60)
            ids.append(task.id)
        }
        let (one, two) = (ids[0], ids[1])
        #expect(try await world.store.llmCalls(taskId: one).count == 1, "only the first call of the day went out")
        #expect(try await world.store.llmCalls(taskId: two).isEmpty)
        let notices = try await world.store.outbox(limit: 100).filter { $0.kind == "daily_budget" }
        #expect(notices.count == 1 && notices.first?.status == .sent, "one notice for the day")

        let grant = try await tower(world, ["agent", "budget", "today", "+5"])
        #expect(grant.status == 0 && grant.out.contains("2 waiting tasks run on"), "\(grant.out)\(grant.err)")
        for id in [one, two] {
            let planned = try await world.until(id) { $0.status == .awaitingApproval }
            #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        }
    }
}
