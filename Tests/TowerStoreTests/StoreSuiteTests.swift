import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
private let cli = Actor(user: "alice", channel: .cli)

private func seed(_ store: any Store, status: TaskStatus = .started, step: StepKind? = .discovery, failedStep: StepKind? = nil, at: Date = t0) async throws -> TowerTask {
    var task = TowerTask.new(ticketId: "PROJ-1", title: "Add OAuth", description: "d", source: .jira, now: at)
    task.status = status
    task.step = step
    task.failedStep = failedStep
    try await store.insertTask(task, event: nil, actor: cli)
    return task
}

/// The store's promises, written once and run on every backend: SQLite in a temporary file and
/// PostgreSQL in a fresh database on the tests' private server.
@Suite struct StoreSuiteTests {
    @Test(arguments: StoreBackend.allCases) func storesAndReadsTasksAndTheirLog(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let task = try await seed(store)
        let stored = try #require(try await store.task(id: task.id))
        #expect(stored.id == task.id && stored.title == "Add OAuth" && stored.status == .started && stored.step == .discovery)
        #expect(abs(stored.createdAt.timeIntervalSince(task.createdAt)) < 0.001)
        let events = try await store.appendEvents((0..<5).map { TaskEvent(taskId: task.id, at: t0, level: .info, agent: "a", message: "line \($0)") })
        #expect(events.compactMap(\.sequence).count == 5)
        #expect(try await store.lastEvents(taskId: task.id, count: 2).map(\.message) == ["line 3", "line 4"])
        #expect(try await store.events(taskId: task.id, after: events[1].sequence, limit: 2).map(\.message) == ["line 2", "line 3"])
        #expect(try await store.activeTasks().map(\.id) == [task.id])
        #expect(try await store.tasks(status: .failed, limit: nil).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases) func applyLandsEverythingTogetherOrNothing(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let task = try await seed(store, status: .discovery)
        var next = task
        next.status = .planning
        next.step = .planning
        let result = PhaseResult(taskId: task.id, step: .discovery, cycle: 0, output: Data("{}".utf8), completedAt: t0)
        let plan = ArtifactDraft(kind: .plan, name: "PLAN.md", content: Data("# v1".utf8))
        try await store.apply(TaskUpdate(task: next, expectedStatus: .discovery, expectedStep: .discovery, phaseResult: result, artifacts: [plan]))
        try await store.apply(TaskUpdate(task: next, expectedStatus: .planning, expectedStep: .planning, artifacts: [plan]))
        #expect(try await store.artifacts(taskId: task.id, kind: .plan).map(\.version) == [1, 2])
        #expect(try await store.phaseResult(taskId: task.id, step: .discovery, cycle: 0) == result)

        // A stale expectation is a conflict and changes nothing.
        var stale = next
        stale.status = .awaitingApproval
        await #expect(throws: StoreError.conflict(taskId: task.id, expected: .discovery, actual: .planning)) {
            try await store.apply(TaskUpdate(task: stale, expectedStatus: .discovery, expectedStep: .discovery, artifacts: [plan]))
        }
        // An edge the workflow does not have is refused.
        var illegal = next
        illegal.status = .completed
        await #expect(throws: StoreError.illegalTransition(IllegalTransition(from: .planning, to: .completed))) {
            try await store.apply(TaskUpdate(task: illegal, expectedStatus: .planning, expectedStep: .planning))
        }
        #expect(try await store.artifacts(taskId: task.id, kind: .plan).count == 2)
        #expect(try await store.task(id: task.id)?.status == .planning)
    }

    @Test(arguments: StoreBackend.allCases) func writesAreFencedByTheLease(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let task = try await seed(store, status: .discovery)
        #expect(try await store.acquireLease(LeaseClaim(holder: "A", pid: 1, host: "h"), ttl: 10, now: t0))
        var update = TaskUpdate(task: task, expectedStatus: .discovery, expectedStep: .discovery, leaseHolder: "B")
        await #expect(throws: StoreError.leaseLost(holder: "B")) { try await store.apply(update) }
        update.leaseHolder = "A"
        try await store.apply(update)
    }

    @Test(arguments: StoreBackend.allCases) func leaseIsExclusiveUntilItExpires(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let a = LeaseClaim(holder: "A", pid: 1, host: "h")
        let b = LeaseClaim(holder: "B", pid: 2, host: "h")
        #expect(try await store.acquireLease(a, ttl: 5, now: t0))
        #expect(try await !store.acquireLease(b, ttl: 5, now: t0.addingTimeInterval(4)))
        #expect(try await store.acquireLease(a, ttl: 5, now: t0.addingTimeInterval(4)))  // renewal
        #expect(try await !store.acquireLease(b, ttl: 5, now: t0.addingTimeInterval(8)))
        #expect(try await store.acquireLease(b, ttl: 5, now: t0.addingTimeInterval(9.5)))  // A stopped renewing
        let lease = try #require(try await store.lease())
        #expect(lease.holder == "B" && lease.pid == 2)
        try await store.releaseLease(holder: "A")  // not A's any more: no effect
        #expect(try await store.lease()?.holder == "B")
        try await store.releaseLease(holder: "B")
        #expect(try await store.lease() == nil)
    }

    @Test(arguments: StoreBackend.allCases) func exactlyOneDecisionWinsAndLosersLearnTheWinner(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let task = try await seed(store, status: .planning, step: .planning)
        var waiting = task
        waiting.status = .awaitingApproval
        waiting.step = nil
        try await store.apply(
            TaskUpdate(task: waiting, expectedStatus: .planning, expectedStep: .planning, approvalRequest: Approval(token: "tok", taskId: task.id, requestedAt: t0)))

        let outcomes = try await withThrowingTaskGroup(of: DecisionOutcome.self) { group in
            for i in 0..<20 {
                group.addTask {
                    try await store.decide(
                        taskId: task.id, decision: i % 2 == 0 ? .approved : .rejected, actor: Actor(user: "user\(i)", channel: .slackButton),
                        reason: nil, at: t0.addingTimeInterval(Double(i)))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = outcomes.compactMap { if case .decided(let a) = $0 { a } else { nil } }
        let losers = outcomes.compactMap { if case .alreadyDecided(let a) = $0 { a } else { nil } }
        #expect(winners.count == 1)
        #expect(losers.count == 19)
        let winner = try #require(winners.first)
        #expect(losers.allSatisfy { $0.decidedBy == winner.decidedBy && $0.decision == winner.decision && $0.channel == .slackButton })
        let stored = try #require(try await store.task(id: task.id))
        #expect(stored.status == (winner.decision == .approved ? .approved : .rejected))
        #expect(try await store.commands(after: 0).filter { $0.kind != .start }.count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func decisionsNeedATaskThatAwaitsApproval(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        await #expect(throws: StoreError.unknownTask("t-nothere")) {
            try await store.decide(taskId: "t-nothere", decision: .approved, actor: cli, reason: nil, at: t0)
        }
        let task = try await seed(store, status: .executing, step: .execution)
        await #expect(throws: StoreError.notAwaitingApproval(taskId: task.id, status: .executing)) {
            try await store.decide(taskId: task.id, decision: .approved, actor: cli, reason: nil, at: t0)
        }
    }

    @Test(arguments: StoreBackend.allCases) func retryResumesAFailedTaskAtItsFailedStep(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let running = try await seed(store, status: .executing, step: .execution)
        await #expect(throws: StoreError.notFailed(taskId: running.id, status: .executing)) {
            try await store.retry(taskId: running.id, actor: cli, at: t0)
        }
        let failed = try await seed(store, status: .failed, step: nil, failedStep: .execution)
        let resumed = try await store.retry(taskId: failed.id, actor: cli, at: t0)
        #expect(resumed.status == .executing && resumed.step == .execution && resumed.failedStep == nil && resumed.attempts == 0)
        #expect(try await store.task(id: failed.id)?.status == .executing)
        #expect(try await store.lastEvents(taskId: failed.id, count: 1).first?.message.contains("retry requested by alice via cli") == true)
    }

    @Test(arguments: StoreBackend.allCases) func webhookDeliveriesAreStoredOnceAndProcessedOnce(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let delivery = WebhookDelivery(id: "d-1", source: "github", event: "ping", body: Data("{}".utf8), receivedAt: t0)
        let other = WebhookDelivery(id: "d-2", source: "jira", event: "jira:issue_created", body: Data("{}".utf8), receivedAt: t0)
        // One transaction: a second copy in the same batch, or a later one, is not new.
        #expect(try await store.enqueueDeliveries([delivery, other, delivery]) == [true, true, false])
        #expect(try await store.enqueueDeliveries([delivery]) == [false])
        #expect(try await store.pendingDeliveries(limit: 10).map(\.id) == ["d-1", "d-2"])
        try await store.markDeliveriesProcessed([("d-1", "pong")], at: t0)
        // Marked once: a second mark does not overwrite the outcome.
        try await store.markDeliveriesProcessed([("d-1", "again")], at: t0.addingTimeInterval(5))
        #expect(try await store.pendingDeliveries(limit: 10).map(\.id) == ["d-2"])
        #expect(try await store.deliveries(limit: 10).first { $0.id == "d-1" }?.outcome == "pong")
        #expect(try await store.redeliver(id: "d-1", actor: Actor(user: "op", channel: .cli), at: t0))
        #expect(try await store.pendingDeliveries(limit: 10).map(\.id) == ["d-1", "d-2"])
        #expect(try await !store.redeliver(id: "nope", actor: Actor(user: "op", channel: .cli), at: t0))
    }

    @Test(arguments: StoreBackend.allCases) func aBodySeenBeforeUnderAnotherIdIsAReplayUntilItIsSwept(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        func delivery(_ id: String, _ digest: String?) -> WebhookDelivery {
            WebhookDelivery(id: id, source: "github", event: "issue_comment.created", body: Data("{}".utf8), receivedAt: t0, bodyDigest: digest)
        }
        #expect(try await store.enqueueDeliveries([delivery("a", "github-d1"), delivery("b", "github-d1"), delivery("c", "github-d2")]) == [true, false, true])
        #expect(try await store.enqueueDeliveries([delivery("d", "github-d2"), delivery("e", nil), delivery("f", nil)]) == [false, true, true])
        #expect(try await store.deliveries(limit: 10).map(\.id).sorted() == ["a", "c", "e", "f"])
        #expect(try await store.deliveries(limit: 10).first { $0.id == "a" }?.bodyDigest == "github-d1")
        // Swept after its retention, the body is new again: Slack's and Sentry's signed
        // timestamps refuse such a late replay, but nothing signed dates GitHub's or Jira's.
        try await store.markDeliveriesProcessed([("a", "done")], at: t0)
        _ = try await store.sweepExpired(now: t0.addingTimeInterval(WebhookDelivery.retention + 1))
        #expect(try await store.enqueueDeliveries([delivery("g", "github-d1")]) == [true])
    }

    @Test(arguments: StoreBackend.allCases) func aSentryFingerprintIsClaimedThenConfirmedAndLapsesAfterNinetyDays(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let fp = SentryFingerprint(fingerprint: "fp", title: "KeyError: 'sku'", level: "error", project: "web")
        let day: TimeInterval = 86400
        #expect(try await store.claimFingerprint(fp, at: t0) == .claimed)
        // Claimed and not confirmed (the filing pass died): later passes see the reservation.
        #expect(try await store.claimFingerprint(fp, at: t0.addingTimeInterval(60)) == .reserved(since: t0))
        try await store.confirmFingerprint("fp", ticketId: "PROJ-7", at: t0.addingTimeInterval(120))
        #expect(try await store.claimFingerprint(fp, at: t0.addingTimeInterval(89 * day)) == .ticketed("PROJ-7"))
        // 90 days after the ticket, a recurrence is claimed again.
        #expect(try await store.claimFingerprint(fp, at: t0.addingTimeInterval(120 + 90 * day + 1)) == .claimed)
        let records = try await store.fingerprints(limit: 10)
        #expect(records.count == 1 && records[0].ticketId == nil && records[0].title == "KeyError: 'sku'")
    }

    @Test(arguments: StoreBackend.allCases) func sentryPassesKeepTheirCountsAndErrors(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        var pass = try await store.startSentryPass(SentryPass(trigger: .scheduled, startedAt: t0))
        #expect(pass.id != nil)
        #expect(try await store.sentryPasses(trigger: nil, limit: 5).first?.finishedAt == nil)
        pass.finishedAt = t0.addingTimeInterval(3)
        pass.counts = SentryPass.Counts(checked: 7, overThreshold: 3, deduplicated: 1, created: 1, failed: 1)
        pass.error = "Jira answered 500"
        try await store.finishSentryPass(pass)
        _ = try await store.startSentryPass(SentryPass(trigger: .manual, startedAt: t0.addingTimeInterval(10)))
        #expect(try await store.sentryPasses(trigger: .scheduled, limit: 5) == [pass])
        #expect(try await store.sentryPasses(trigger: nil, limit: 5).map(\.trigger) == [.manual, .scheduled])
    }

    @Test(arguments: StoreBackend.allCases) func namedLeasesAreIndependentOfTheEngines(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let a = LeaseClaim(holder: "a", pid: 1, host: "h")
        let b = LeaseClaim(holder: "b", pid: 2, host: "h")
        #expect(try await store.acquireLease(a, ttl: 30, now: t0))
        #expect(try await store.acquireLease(named: "sentry", b, ttl: 30, now: t0))
        #expect(try await !store.acquireLease(named: "sentry", a, ttl: 30, now: t0.addingTimeInterval(10)))
        #expect(try await store.acquireLease(named: "sentry", a, ttl: 30, now: t0.addingTimeInterval(31)))
        try await store.releaseLease(named: "sentry", holder: "a")
        #expect(try await store.lease(named: "sentry") == nil)
        #expect(try await store.lease()?.holder == "a")
    }

    @Test(arguments: StoreBackend.allCases) func sweepDeletesOnlyExpiredFinishedRows(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let done = try await seed(store, status: .completed, step: nil)
        let active = try await seed(store, status: .executing, step: .execution)
        try await store.appendEvents([TaskEvent(taskId: done.id, at: t0, level: .info, agent: "a", message: "x")])
        _ = try await store.claimFingerprint(SentryFingerprint(fingerprint: "old", title: "t", level: "error", project: "p"), at: t0)
        let later = t0.addingTimeInterval(TaskRetention.sentryFingerprint + 1)
        let report = try await store.sweepExpired(now: later)
        #expect(report == SweepReport(tasks: 1, fingerprints: 1, deliveries: 0))
        #expect(try await store.task(id: done.id) == nil)
        #expect(try await store.events(taskId: done.id, after: nil, limit: nil).isEmpty)
        #expect(try await store.task(id: active.id) != nil)
    }

    @Test(arguments: StoreBackend.allCases) func outboxKeepsWhatWasPostedAndWhatFailed(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        try await store.recordOutbox(OutboxMessage(taskId: nil, service: "slack", target: "#ai-agents", kind: "approval_request", text: "Plan ready", status: .sent, at: t0))
        try await store.recordOutbox(
            OutboxMessage(taskId: nil, service: "jira", target: "PROJ-1", kind: "comment", text: "Plan", status: .failed, error: "401 Unauthorized", at: t0))
        let messages = try await store.outbox(limit: 10)
        #expect(messages.map(\.service) == ["jira", "slack"])
        #expect(messages.first?.error == "401 Unauthorized")
    }

    @Test(arguments: StoreBackend.allCases) func logPagesBackwardsAndCounts(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let task = try await seed(store)
        let stored = try await store.appendEvents((0..<10).map { TaskEvent(taskId: task.id, at: t0, level: .info, agent: "a", message: "\($0)") })
        #expect(try await store.eventCount(taskId: task.id) == 10)
        #expect(try await store.events(taskId: task.id, before: stored[5].sequence!, limit: 3).map(\.message) == ["2", "3", "4"])
    }
}
