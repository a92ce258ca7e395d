import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

@testable import TowerEngine

private let operatorActor = Actor(user: "oncall", channel: .console)

/// A store, an effect log and an engine with fast timings, for one test.
private struct Harness {
    let store: any Store
    let effects: EffectLog
    let commands: OperatorCommands
    let directory: URL

    /// SQLite in the test's directory, or a fresh PostgreSQL database.
    init(_ backend: StoreBackend = .sqlite) async throws {
        directory = TemporaryDirectory.make("engine")
        store = backend == .sqlite ? try SQLiteStore(directory: directory.appendingPathComponent("state")) : try await backend.makeStore("engine")
        effects = EffectLog(path: directory.appendingPathComponent("effects.log").path)
        commands = OperatorCommands(store: store)
    }

    static let fast = EngineConfiguration(
        maxConcurrentTasks: 4, maxCIRetries: 2, backoff: RetryBackoff(base: 0.01, maximum: 0.02), pollInterval: 0.02, leaseTTL: 2)

    func engine(_ workflow: Workflow? = nil, configuration: EngineConfiguration = Harness.fast) -> Engine {
        Engine(store: store, workflow: workflow ?? Workflow(uniform: RecordingStep(effects: effects)), configuration: configuration)
    }

    func start(_ title: String) async throws -> TowerTask {
        try await commands.start(ticketId: "PROJ-1", title: title, description: "", source: .cli, by: operatorActor)
    }

    /// Polls the store until the task is in `status` (or fails the test after `timeout`).
    @discardableResult
    func wait(for id: String, status: TaskStatus, timeout: TimeInterval = 120) async throws -> TowerTask {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let task = try await store.task(id: id), task.status == status { return task }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let current = try await store.task(id: id)
        Issue.record("task \(id) did not reach \(status.rawValue); it is \(current?.status.rawValue ?? "gone"): \(current?.lastError ?? "")")
        throw CancellationError()
    }
}

private func keys(_ id: String, _ steps: [(StepKind, Int)]) -> [String] {
    steps.map { StepContext.idempotencyKey(taskId: id, step: $0.0, cycle: $0.1) }
}

@Suite struct EngineTests {
    @Test(arguments: StoreBackend.allCases) func runsATaskThroughTheWholeWorkflowWithEachEffectOnce(_ backend: StoreBackend) async throws {
        let h = try await Harness(backend)
        let engine = h.engine()
        let events = engine.bus.subscribe()
        let run = Task { await engine.run() }
        defer { run.cancel() }

        let task = try await h.start("Add OAuth")
        try await h.wait(for: task.id, status: .awaitingApproval)
        #expect(try await h.store.approval(taskId: task.id)?.isDecided == false)
        let outcome = try await h.commands.approve(task.id, by: operatorActor, note: "lgtm")
        guard case .decided(let approval) = outcome else { Issue.record("not decided: \(outcome)"); return }
        #expect(approval.decidedBy == "oncall" && approval.channel == .console && approval.reason == "lgtm")
        let done = try await h.wait(for: task.id, status: .completed)
        #expect(done.progress == 100 && done.step == nil && done.attempts == 0)

        #expect(h.effects.entries() == keys(task.id, [(.discovery, 0), (.planning, 0), (.execution, 0), (.ciMonitoring, 0), (.completion, 0)]))
        #expect(try await h.store.phaseResults(taskId: task.id).map(\.step) == [.discovery, .planning, .execution, .ciMonitoring, .completion])
        let log = try await h.store.events(taskId: task.id, after: nil, limit: nil).map(\.message)
        #expect(log.contains("plan ready: awaiting approval"))
        #expect(log.contains("plan approved by oncall via console: lgtm"))

        // The bus saw every status the task went through, in order.
        var seen: [TaskStatus] = []
        for await event in events {
            if case .taskChanged(let t) = event, t.id == task.id, seen.last != t.status { seen.append(t.status) }
            if seen.last == .completed { break }
        }
        #expect(seen == [.discovery, .planning, .awaitingApproval, .executing, .ciMonitoring, .completed])
    }

    @Test(arguments: StoreBackend.allCases) func aStoppedEngineGivesItsLeaseBackSoTheNextStartsAtOnce(_ backend: StoreBackend) async throws {
        let harness = try await Harness(backend)
        let engine = harness.engine()
        let running = Task { await engine.run() }
        while await !engine.isActive { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(try await harness.store.lease()?.holder == engine.claim.holder)
        running.cancel()
        await running.value
        #expect(try await harness.store.lease() == nil)
    }

    @Test func aLeaseHeldByAKilledProcessOnThisHostIsTakenAtOnce() async throws {
        let harness = try await Harness()
        // A process that has exited: its pid is gone, its lease still has a minute to run.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = LeaseClaim(holder: "dead-engine", pid: gone.processIdentifier, host: ProcessInfo.processInfo.hostName)
        #expect(try await harness.store.acquireLease(dead, ttl: 60, now: Date()))
        // One held by a live process elsewhere on this host is waited for.
        let engine = harness.engine()
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let deadline = Date().addingTimeInterval(120)
        while await !engine.isActive && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(await engine.isActive)
        #expect(try await harness.store.lease()?.holder == engine.claim.holder)
    }

    @Test func aLeaseHeldByALiveProcessIsWaitedFor() async throws {
        let harness = try await Harness()
        let alive = LeaseClaim(holder: "live-engine", pid: getpid(), host: ProcessInfo.processInfo.hostName)
        #expect(try await harness.store.acquireLease(alive, ttl: 60, now: Date()))
        let engine = harness.engine()
        let running = Task { await engine.run() }
        defer { running.cancel() }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(await !engine.isActive)
        #expect(try await harness.store.lease()?.holder == "live-engine")
    }

    @Test(arguments: StoreBackend.allCases) func rejectionEndsTheTaskWithoutExecution(_ backend: StoreBackend) async throws {
        let h = try await Harness(backend)
        let engine = h.engine()
        let run = Task { await engine.run() }
        defer { run.cancel() }
        let task = try await h.start("Risky change")
        try await h.wait(for: task.id, status: .awaitingApproval)
        _ = try await h.commands.reject(task.id, by: operatorActor, reason: "touches billing")
        try await h.wait(for: task.id, status: .rejected)
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(h.effects.entries() == keys(task.id, [(.discovery, 0), (.planning, 0)]))
    }

    @Test(arguments: StoreBackend.allCases) func ciFailureGoesBackToExecutionOnceThenCompletes(_ backend: StoreBackend) async throws {
        let h = try await Harness(backend)
        let engine = h.engine()
        let run = Task { await engine.run() }
        defer { run.cancel() }
        let task = try await h.start("Lint trouble ci-fail-once")
        try await h.wait(for: task.id, status: .awaitingApproval)
        _ = try await h.commands.approve(task.id, by: operatorActor)
        let done = try await h.wait(for: task.id, status: .completed)
        #expect(done.cycle == 1)
        #expect(h.effects.entries() == keys(task.id, [
            (.discovery, 0), (.planning, 0), (.execution, 0), (.ciMonitoring, 0), (.execution, 1), (.ciMonitoring, 1), (.completion, 1),
        ]))
    }

    @Test func ciThatKeepsFailingFailsTheTaskAfterTheLimit() async throws {
        let h = try await Harness()
        let engine = h.engine()
        let run = Task { await engine.run() }
        defer { run.cancel() }
        let task = try await h.start("Hopeless ci-always-fails")
        try await h.wait(for: task.id, status: .awaitingApproval)
        _ = try await h.commands.approve(task.id, by: operatorActor)
        let failed = try await h.wait(for: task.id, status: .failed)
        #expect(failed.failedStep == .ciMonitoring)
        #expect(failed.cycle == 2)
        #expect(failed.lastError == "CI failed after 2 retries: eslint: 2 errors")
        #expect(h.effects.entries().filter { $0.contains("/execution/") }.count == 3)
    }

    @Test func aFlakyStepIsRetriedAndEachAttemptIsRecorded() async throws {
        let h = try await Harness()
        let engine = h.engine()
        let run = Task { await engine.run() }
        defer { run.cancel() }
        let task = try await h.start("Search timeouts flaky-discovery")
        try await h.wait(for: task.id, status: .awaitingApproval)
        let log = try await h.store.events(taskId: task.id, after: nil, limit: nil)
        let retryLine = try #require(log.first { $0.message.contains("attempt 1 of 3 failed") })
        #expect(retryLine.level == .warning && retryLine.message.contains("search API timed out"))
        #expect(h.effects.entries().filter { $0.contains("/discovery/") }.count == 1)
    }

    @Test(arguments: StoreBackend.allCases) func retryOfAFailedTaskResumesAtTheFailedStep(_ backend: StoreBackend) async throws {
        let h = try await Harness(backend)
        let broken = LockedBox(true)
        let calls = LockedBox<[StepKind: Int]>([:])
        let recording = RecordingStep(effects: h.effects)
        let step = ClosureStep { context in
            calls.update { $0[context.step, default: 0] += 1 }
            if context.step == .execution, broken.value { throw StepTestError("compile error in oauth.ts") }
            return try await recording.run(context)
        }
        let engine = h.engine(Workflow(uniform: step))
        let run = Task { await engine.run() }
        defer { run.cancel() }

        let task = try await h.start("Add OAuth")
        try await h.wait(for: task.id, status: .awaitingApproval)
        _ = try await h.commands.approve(task.id, by: operatorActor)
        let failed = try await h.wait(for: task.id, status: .failed)
        #expect(failed.failedStep == .execution && failed.attempts == 3)
        #expect(failed.lastError == "compile error in oauth.ts")
        #expect(calls.value[.execution] == 3)

        broken.value = false
        let resumed = try await h.commands.retry(task.id, by: operatorActor)
        #expect(resumed.status == .executing && resumed.step == .execution)
        try await h.wait(for: task.id, status: .completed)
        #expect(calls.value[.discovery] == 1 && calls.value[.planning] == 1 && calls.value[.execution] == 4)
        #expect(h.effects.entries() == keys(task.id, [(.discovery, 0), (.planning, 0), (.execution, 0), (.ciMonitoring, 0), (.completion, 0)]))
    }

    @Test func aPermanentFailureSpendsNoRetries() async throws {
        let h = try await Harness()
        let step = ClosureStep { _ in throw PermanentStepFailure("GitHub is not configured (GITHUB_TOKEN is not set)") }
        let engine = h.engine(Workflow(uniform: step))
        let run = Task { await engine.run() }
        defer { run.cancel() }
        let task = try await h.start("x")
        let failed = try await h.wait(for: task.id, status: .failed)
        #expect(failed.attempts == 1 && failed.failedStep == .discovery)
        #expect(failed.lastError == "GitHub is not configured (GITHUB_TOKEN is not set)")
    }

    @Test func aStepWithoutAnImplementationFailsWithAClearMessage() async throws {
        let h = try await Harness()
        let engine = h.engine(Workflow(steps: [.discovery: RecordingStep(effects: h.effects)]))
        let run = Task { await engine.run() }
        defer { run.cancel() }
        let task = try await h.start("x")
        let failed = try await h.wait(for: task.id, status: .failed)
        #expect(failed.failedStep == .planning)
        #expect(failed.lastError == "no implementation is configured for the planning step")
    }

    @Test(arguments: StoreBackend.allCases) func noMoreThanTheConfiguredNumberOfTasksRunAtOnce(_ backend: StoreBackend) async throws {
        let h = try await Harness(backend)
        let running = LockedBox(0)
        let peak = LockedBox(0)
        let step = ClosureStep { context in
            running.update { $0 += 1 }
            peak.update { $0 = max($0, running.value) }
            // Held until a second one runs beside it (once), so a loaded machine that starts
            // the second late cannot make the limit look like 1.
            let deadline = Date().addingTimeInterval(120)
            while peak.value < 2 && Date() < deadline { try await Task.sleep(nanoseconds: 2_000_000) }
            try await Task.sleep(nanoseconds: 5_000_000)
            running.update { $0 -= 1 }
            return .completed(StepOutput())
        }
        var configuration = Harness.fast
        configuration.maxConcurrentTasks = 2
        let engine = h.engine(Workflow(uniform: step), configuration: configuration)
        let run = Task { await engine.run() }
        defer { run.cancel() }
        var ids: [String] = []
        for i in 0..<6 { ids.append(try await h.start("task \(i)").id) }
        for id in ids { try await h.wait(for: id, status: .awaitingApproval) }
        #expect(peak.value == 2)
    }

    @Test func aSecondEngineWaitsForTheLeaseAndTakesOverWhenTheFirstStops() async throws {
        let h = try await Harness()
        let other = try SQLiteStore(directory: h.directory.appendingPathComponent("state"))
        let first = h.engine()
        let second = Engine(store: other, workflow: Workflow(uniform: RecordingStep(effects: h.effects)), configuration: Harness.fast)
        let runFirst = Task { await first.run() }
        while await !first.isActive { try await Task.sleep(nanoseconds: 5_000_000) }
        let runSecond = Task { await second.run() }
        defer { runSecond.cancel() }
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(await !second.isActive)

        runFirst.cancel()
        await runFirst.value
        let deadline = Date().addingTimeInterval(120)
        while await !second.isActive, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(await second.isActive)
        let task = try await h.start("after takeover")
        try await h.wait(for: task.id, status: .awaitingApproval)
    }
}

extension EngineTests {
    @Test(arguments: StoreBackend.allCases) func theFreezeSwitchStopsNewStepsUntilUnfrozen(_ backend: StoreBackend) async throws {
        let h = try await Harness(backend)
        let engine = h.engine()
        let run = Task { await engine.run() }
        defer { run.cancel() }
        _ = try await h.commands.setFrozen(true, by: operatorActor)
        #expect(try await h.store.freezeState() == FreezeState(frozen: true, by: "oncall", at: try await h.store.freezeState().at))
        let task = try await h.start("waits for the thaw")
        // The engine sees the switch at its first look (however long a loaded machine makes that
        // take); then, frozen, it starts nothing.
        let deadline = Date().addingTimeInterval(120)
        while await !engine.isFrozen, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(await engine.isFrozen)
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(try await h.store.task(id: task.id)?.status == .started)
        #expect(h.effects.entries().isEmpty)

        _ = try await h.commands.setFrozen(false, by: operatorActor)
        try await h.wait(for: task.id, status: .awaitingApproval)
    }
}

@Suite struct RetryBackoffTests {
    @Test func growsExponentiallyUpToTheCapWithJitterTakenOff() {
        let backoff = RetryBackoff(base: 2, multiplier: 2, maximum: 10, jitter: 0.5)
        #expect(backoff.delay(afterAttempt: 1, random: 0) == 2)
        #expect(backoff.delay(afterAttempt: 2, random: 0) == 4)
        #expect(backoff.delay(afterAttempt: 3, random: 0) == 8)
        #expect(backoff.delay(afterAttempt: 4, random: 0) == 10)
        #expect(backoff.delay(afterAttempt: 2, random: 1) == 2)
        #expect(backoff.delay(afterAttempt: 2, random: 0.5) == 3)
    }
}

/// A value shared between a test and its steps.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

extension EngineTests {
    /// Claims mode: three workers on one store share the work; every task completes and every
    /// step's outside effect happens once, whoever ran it.
    @Test(arguments: StoreBackend.allCases) func threeWorkersShareTheTasksAndEachEffectHappensOnce(_ backend: StoreBackend) async throws {
        let h = try await Harness(backend)
        var configuration = Harness.fast
        configuration.sharing = .claims
        configuration.maxConcurrentTasks = 3
        let workers = (0..<3).map { _ in h.engine(configuration: configuration) }
        let runs = workers.map { worker in Task { await worker.run() } }
        defer { for run in runs { run.cancel() } }
        var ids: [String] = []
        for i in 0..<12 { ids.append(try await h.start("shared \(i)").id) }
        for id in ids {
            try await h.wait(for: id, status: .awaitingApproval)
            _ = try await h.commands.approve(id, by: operatorActor, note: nil)
        }
        for id in ids { try await h.wait(for: id, status: .completed) }
        let expected = ids.flatMap { keys($0, [(.discovery, 0), (.planning, 0), (.execution, 0), (.ciMonitoring, 0), (.completion, 0)]) }
        #expect(h.effects.entries().sorted() == expected.sorted())
        let records = try await h.store.workers()
        #expect(Set(records.map(\.id)) == Set(workers.map(\.claim.holder)))
        for id in ids { #expect(try await h.store.claim(taskId: id) == nil) }
        for run in runs { run.cancel() }
        for run in runs { await run.value }
        #expect(try await h.store.workers().allSatisfy { $0.stoppedAt != nil })
    }
}
