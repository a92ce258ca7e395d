import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
private let cli = Actor(user: "alice", channel: .cli)

private func seedRunnable(_ store: any Store, count: Int) async throws -> [String] {
    var ids: [String] = []
    for i in 0..<count {
        var task = TowerTask.new(ticketId: "PROJ-\(i)", title: "task \(i)", description: "d", source: .jira, now: t0.addingTimeInterval(Double(i)))
        task.id = String(format: "t-%03d", i)
        task.status = .discovery
        task.step = .discovery
        try await store.insertTask(task, event: nil, actor: cli)
        ids.append(task.id)
    }
    return ids
}

private func worker(_ id: String, at now: Date, stopped: Bool = false) -> WorkerRecord {
    WorkerRecord(id: id, host: "host-\(id)", pid: 100, startedAt: t0, heartbeatAt: now, expiresAt: now, stoppedAt: stopped ? now : nil)
}

/// Claims per task, on every backend: workers claiming at once never share a task, a claim
/// lasts while its worker's heartbeat keeps the worker live, and a worker overtaken after its
/// claims expired cannot write (its fencing token is refused).
@Suite struct ClaimTests {
    @Test(arguments: StoreBackend.allCases) func workersClaimingAtOnceNeverShareATask(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("claims")
        let ids = try await seedRunnable(store, count: 40)
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for w in 0..<4 {
                group.addTask { try await store.claimTasks(for: worker("w\(w)", at: t0.addingTimeInterval(60)), limit: 15, ttl: 30).claimed.map(\.task.id) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let all = claimed.flatMap { $0 }
        #expect(all.count == 40 && Set(all) == Set(ids))
        #expect(claimed.allSatisfy { $0.count <= 15 })
        // Nothing is left to claim until a claim expires.
        #expect(try await store.claimTasks(for: worker("w9", at: t0.addingTimeInterval(61)), limit: 10, ttl: 30).claimed.isEmpty)
        let late = try await store.claimTasks(for: worker("w9", at: t0.addingTimeInterval(91)), limit: 50, ttl: 30)
        #expect(late.claimed.count == 40 && late.claimed.allSatisfy { $0.claim.token == 2 })
        #expect(late.claimed.map(\.task.id) == ids)
    }

    @Test(arguments: StoreBackend.allCases) func aWorkerOvertakenAfterItsClaimExpiredCannotWrite(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("fencing")
        _ = try await seedRunnable(store, count: 1)
        let first = try #require(try await store.claimTasks(for: worker("A", at: t0), limit: 1, ttl: 5).claimed.first)
        #expect(first.claim == TaskClaim(worker: "A", token: 1))
        var begun = first.task
        begun.attempts = 1
        begun.worker = "A"
        try await store.apply(TaskUpdate(task: begun, expectedStatus: .discovery, expectedStep: .discovery, claim: first.claim))

        // A is paused past its expiry; B claims the task with a higher token and writes.
        let second = try #require(try await store.claimTasks(for: worker("B", at: t0.addingTimeInterval(6)), limit: 1, ttl: 5).claimed.first)
        #expect(second.claim == TaskClaim(worker: "B", token: 2))
        var taken = second.task
        taken.worker = "B"
        try await store.apply(TaskUpdate(task: taken, expectedStatus: .discovery, expectedStep: .discovery, claim: second.claim))

        // A comes back: its write is refused, and its heartbeat no longer lists the task.
        var stale = begun
        stale.status = .planning
        stale.step = .planning
        await #expect(throws: StoreError.claimLost(taskId: first.task.id, worker: "A")) {
            try await store.apply(TaskUpdate(task: stale, expectedStatus: .discovery, expectedStep: .discovery, claim: first.claim))
        }
        #expect(try await store.heartbeat(worker("A", at: t0.addingTimeInterval(7)), ttl: 5).isEmpty)
        #expect(try await store.heartbeat(worker("B", at: t0.addingTimeInterval(7)), ttl: 5) == [first.task.id])
        #expect(try await store.task(id: first.task.id)?.worker == "B")
        #expect(try await store.claim(taskId: first.task.id) == TaskClaim(worker: "B", token: 2))
    }

    @Test(arguments: StoreBackend.allCases) func heartbeatsKeepClaimsAndWaitingOrStoppingGivesThemBack(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("heartbeat")
        _ = try await seedRunnable(store, count: 3)
        let claimed = try await store.claimTasks(for: worker("A", at: t0), limit: 3, ttl: 5).claimed
        #expect(claimed.count == 3)
        // Renewed at t0+4 until t0+9: B finds nothing at t0+6.
        #expect(try await store.heartbeat(worker("A", at: t0.addingTimeInterval(4)), ttl: 5).count == 3)
        #expect(try await store.claimTasks(for: worker("B", at: t0.addingTimeInterval(6)), limit: 3, ttl: 5).claimed.isEmpty)
        // Claiming is a sign of life: B is on record too, holding nothing.
        let workers = try await store.workers()
        #expect(workers.map(\.id) == ["B", "A"] && workers[1].tasksHeld == 3)
        // Heartbeats are due every third of the expiry: one missed makes it silent, then lost.
        #expect(workers[1].state(at: t0.addingTimeInterval(5)) == "running")
        #expect(workers[1].state(at: t0.addingTimeInterval(8)) == "silent")
        #expect(workers[1].state(at: t0.addingTimeInterval(10)) == "lost")

        // A task left waiting for a person gives its claim back in the same commit.
        var waiting = claimed[0].task
        waiting.status = .failed
        waiting.step = nil
        waiting.failedStep = .discovery
        try await store.apply(TaskUpdate(task: waiting, expectedStatus: .discovery, expectedStep: .discovery, claim: claimed[0].claim))
        #expect(try await store.claim(taskId: claimed[0].task.id) == nil)
        try await store.releaseClaim(taskId: claimed[1].task.id, worker: "A")
        #expect(try await store.claimTasks(for: worker("B", at: t0.addingTimeInterval(6)), limit: 3, ttl: 5).claimed.map(\.task.id) == [claimed[1].task.id])

        // A clean stop gives every claim back at once.
        #expect(try await store.heartbeat(worker("A", at: t0.addingTimeInterval(7), stopped: true), ttl: 5).isEmpty)
        #expect(try await store.claimTasks(for: worker("C", at: t0.addingTimeInterval(7)), limit: 3, ttl: 5).claimed.map(\.task.id) == [claimed[2].task.id])
        #expect(try await store.workers().first { $0.id == "A" }?.state(at: t0.addingTimeInterval(7)) == "stopped")
    }
}

extension ClaimTests {
    @Test(arguments: StoreBackend.allCases) func aGlobalLimitIsARowEveryWorkerRespects(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("global")
        _ = try await seedRunnable(store, count: 20)
        #expect(try await store.globalTaskLimit() == nil)
        try await store.setGlobalTaskLimit(5, actor: cli, at: t0)
        #expect(try await store.globalTaskLimit() == 5)
        let counts = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for w in 0..<4 {
                group.addTask { (w, try await store.claimTasks(for: worker("w\(w)", at: t0), limit: 4, ttl: 30).claimed.count) }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(counts.values.reduce(0, +) == 5)
        // A worker that stops frees its room for another.
        _ = try await store.heartbeat(worker("w0", at: t0.addingTimeInterval(1), stopped: true), ttl: 30)
        #expect(try await store.claimTasks(for: worker("w8", at: t0.addingTimeInterval(1)), limit: 4, ttl: 30).claimed.count == counts[0, default: 0])
        // Lifted, each worker's own limit is all there is.
        try await store.setGlobalTaskLimit(nil, actor: cli, at: t0)
        #expect(try await store.claimTasks(for: worker("w9", at: t0.addingTimeInterval(2)), limit: 4, ttl: 30).claimed.count == 4)
    }
}
