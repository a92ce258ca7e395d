import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

@testable import TowerEngine

/// A job that keeps its last run in the store (as the Sentry schedule does, in its own table):
/// here as `sentry` passes, so the schedule survives the engine.
private struct StoredJob: ScheduledJob {
    let store: SQLiteStore
    let interval: TimeInterval
    let ran: @Sendable () -> Void

    var name: String { "stored" }

    func due(now: Date) async throws -> Date {
        guard let last = try await store.sentryPasses(trigger: .scheduled, limit: 1).first else { return now }
        return last.startedAt.addingTimeInterval(interval)
    }

    func run() async throws {
        ran()
        var pass = try await store.startSentryPass(SentryPass(trigger: .scheduled, startedAt: Date()))
        pass.finishedAt = Date()
        try await store.finishSentryPass(pass)
    }
}

private final class Runs: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func add(_ who: String) { lock.withLock { counts[who, default: 0] += 1 } }
    func count(_ who: String) -> Int { lock.withLock { counts[who, default: 0] } }
}

@Suite struct ScheduledJobTests {
    static let fast = EngineConfiguration(pollInterval: 0.02, leaseTTL: 1)

    @Test func onlyTheLeaseHolderRunsAJobAndARestartKeepsItsSchedule() async throws {
        let directory = TemporaryDirectory.make("jobs")
        let store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
        let runs = Runs()
        func engine(_ who: String, interval: TimeInterval) -> Engine {
            Engine(store: store, workflow: Workflow(steps: [:], jobs: [StoredJob(store: store, interval: interval) { runs.add(who) }]), configuration: Self.fast)
        }
        let a = engine("a", interval: 3600)
        let b = engine("b", interval: 3600)
        let runningA = Task { await a.run() }
        while await !a.isActive { try await Task.sleep(nanoseconds: 5_000_000) }
        let runningB = Task { await b.run() }
        let deadline = Date().addingTimeInterval(120)
        while runs.count("a") == 0 && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(runs.count("a") == 1 && runs.count("b") == 0)

        // A stops; B takes the lease and, an hour not having passed, does not run the job again.
        runningA.cancel()
        await runningA.value
        while await !b.isActive && Date() < deadline.addingTimeInterval(10) { try await Task.sleep(nanoseconds: 10_000_000) }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(await b.isActive)
        #expect(runs.count("b") == 0)
        runningB.cancel()
        await runningB.value
        #expect(try await store.sentryPasses(trigger: .scheduled, limit: 10).count == 1)
    }

    @Test func aFrozenEngineStartsNoJob() async throws {
        let directory = TemporaryDirectory.make("jobs-frozen")
        let store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
        _ = try await store.setFrozen(true, actor: Actor(user: "oncall", channel: .console), at: Date())
        let runs = Runs()
        let engine = Engine(store: store, workflow: Workflow(steps: [:], jobs: [StoredJob(store: store, interval: 3600) { runs.add("e") }]), configuration: Self.fast)
        let running = Task { await engine.run() }
        while await !engine.isActive { try await Task.sleep(nanoseconds: 5_000_000) }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(runs.count("e") == 0)
        _ = try await store.setFrozen(false, actor: Actor(user: "oncall", channel: .console), at: Date())
        let deadline = Date().addingTimeInterval(120)
        while runs.count("e") == 0 && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(runs.count("e") == 1)
        running.cancel()
        await running.value
    }
}

/// A job that is always due and takes a while, counting how many of its runs overlap.
private struct SlowJob: ScheduledJob {
    let overlap: Overlap
    var name: String { "slow" }
    func due(now: Date) async throws -> Date { now }
    func run() async throws {
        overlap.enter()
        try await Task.sleep(nanoseconds: 30_000_000)
        overlap.leave()
    }
}

private final class Overlap: @unchecked Sendable {
    private let lock = NSLock()
    private var running = 0
    private(set) var peak = 0
    private(set) var runs = 0
    func enter() {
        lock.withLock {
            running += 1
            runs += 1
            peak = max(peak, running)
        }
    }
    func leave() { lock.withLock { running -= 1 } }
    var snapshot: (peak: Int, runs: Int) { lock.withLock { (peak, runs) } }
}

extension ScheduledJobTests {
    /// Workers sharing a store run each job one at a time, whichever of them it is: the job's own
    /// lease, on both backends.
    @Test(arguments: StoreBackend.allCases) func workersRunAJobOneAtATime(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("jobs")
        let overlap = Overlap()
        var configuration = Self.fast
        configuration.sharing = .claims
        let workers = (0..<3).map { _ in Engine(store: store, workflow: Workflow(steps: [:], jobs: [SlowJob(overlap: overlap)]), configuration: configuration) }
        let runs = workers.map { worker in Task { await worker.run() } }
        // The deadline only ends a hung test (the whole suite shares two cores): what is
        // checked is that no two runs overlap, over a dozen of them.
        let deadline = Date().addingTimeInterval(180)
        while overlap.snapshot.runs < 12 && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        for run in runs { run.cancel() }
        for run in runs { await run.value }
        #expect(overlap.snapshot.runs >= 12)
        #expect(overlap.snapshot.peak == 1)
    }
}
