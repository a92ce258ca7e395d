import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerEngine
import TowerHTTPTestSupport
import TowerStore
import TowerTestSupport

/// A service that asks to be called again in ten minutes parks the step in the store, without
/// failing it or spending an attempt; the step resumes after the wait, also in another engine.
@Suite(.serialized) struct ParkedStepTests {
    /// A clock a test moves forward.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var offset: TimeInterval = 0
        func advance(_ seconds: TimeInterval) { lock.withLock { offset += seconds } }
        var now: Date { Date().addingTimeInterval(lock.withLock { offset }) }
    }

    /// Runs an engine on `clock` until `done` holds for the task, or `timeout` real seconds pass.
    func run(_ world: AgentWorld, _ id: String, clock: Clock, timeout: TimeInterval, until done: @escaping (TowerTask) -> Bool) async throws -> TowerTask {
        let engine = Engine(
            store: world.store, workflow: .agents(try world.services()),
            configuration: EngineConfiguration(backoff: RetryBackoff(base: 0.01, maximum: 0.02), pollInterval: 0.02), now: { clock.now })
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let deadline = Date().addingTimeInterval(timeout)
        var task = try #require(try await world.store.task(id: id))
        while Date() < deadline {
            task = try #require(try await world.store.task(id: id))
            if done(task) { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        running.cancel()
        await running.value
        return task
    }

    @Test func aRetryAfterOfTenMinutesParksTheStepWhichResumesAfterTheWaitWithoutFailing() async throws {
        let world = try await AgentWorld()
        // GitHub answers the draft PR's creation with 429 and Retry-After: 600, once.
        world.faults.next("POST", pathContains: "/github/repos/acme/billing-service/pulls", status: 429, headers: ["Retry-After": "600"], body: #"{"message":"API rate limit exceeded"}"#)
        let task = TowerTask.new(ticketId: nil, title: "Reduced VAT for books", description: "compute_vat must use the reduced rate for books", source: .cli, now: Date(), repository: "acme/billing-service")
        try await world.store.insertTask(task, event: nil, actor: Actor(user: "test", channel: .cli))
        let clock = Clock()

        let parked = try await run(world, task.id, clock: clock, timeout: 60) { $0.waitingUntil != nil || !$0.status.isActive }
        let log = try await world.log(task.id)
        #expect(world.faults.served == ["POST /github/repos/acme/billing-service/pulls → 429"])
        #expect(parked.status == .planning && parked.step == .planning, "\(log)")
        #expect(parked.attempts == 0 && parked.lastError == nil, "no attempt is spent, nothing failed")
        #expect(parked.waitingFor == "429 Too Many Requests at 127.0.0.1", "\(parked.waitingFor ?? "")")
        let until = try #require(parked.waitingUntil)
        #expect(abs(until.timeIntervalSinceNow - 600) < 30)
        #expect(log.contains("planning waits for 429 Too Many Requests at 127.0.0.1 until \(Age.clock(until, now: Date())); it resumes then (no attempt is spent)"), "\(log)")

        // Another engine, before the time: the step stays parked, GitHub is not asked again.
        let pulls = world.requests.all.filter { $0.method == "POST" && $0.path.hasSuffix("/pulls") }.count
        let early = try await run(world, task.id, clock: clock, timeout: 1.5) { _ in false }
        #expect(early.waitingUntil == until && early.status == .planning)
        #expect(world.requests.all.filter { $0.method == "POST" && $0.path.hasSuffix("/pulls") }.count == pulls)

        // Ten minutes later (and a restart): the step resumes and completes; one draft PR.
        clock.advance(601)
        let resumed = try await run(world, task.id, clock: clock, timeout: 60) { !$0.status.isActive }
        let after = try await world.log(task.id)
        #expect(resumed.status == .awaitingApproval, "\(resumed.lastError ?? "")\n\(after)")
        #expect(resumed.waitingUntil == nil && resumed.waitingFor == nil)
        #expect(after.contains("planning resumes after waiting for 429 Too Many Requests at 127.0.0.1"))
        #expect(!after.contains("failed"), "\(after)")
        #expect(world.github.pullRequests.count == 1)
    }
}
