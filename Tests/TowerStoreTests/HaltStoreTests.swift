import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// Pauses and console presence, the same on every backend.
@Suite struct HaltStoreTests {
    private func task(_ store: any Store, repository: String? = nil, at: Date = t0) async throws -> TowerTask {
        var task = TowerTask.new(ticketId: nil, title: "t", description: "d", source: .cli, now: at, repository: repository)
        task.status = .discovery
        try await store.insertTask(task, event: nil, actor: Actor(user: "a", channel: .cli))
        return task
    }

    @Test(arguments: StoreBackend.allCases) func aHaltedTaskIsNeitherRunnableNorClaimableAndResumeBringsItBack(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        let held = try await task(store)
        let free = try await task(store, at: t0.addingTimeInterval(1))
        let dana = Actor(user: "dana", channel: .slackCommand)
        let commandsBefore = try await store.latestCommandSequence()
        try await store.pause(Halt(scope: .task, name: held.id, by: "dana", channel: "slack_command", at: t0), actor: dana)
        #expect(try await store.latestCommandSequence() > commandsBefore)
        #expect(try await store.runnableTasks(now: t0.addingTimeInterval(5), limit: 10).tasks.map(\.id) == [free.id])
        let worker = WorkerRecord(id: "w1", host: "h", pid: 1, startedAt: t0, heartbeatAt: t0.addingTimeInterval(5), expiresAt: t0.addingTimeInterval(35))
        #expect(try await store.claimTasks(for: worker, limit: 10, ttl: 30).claimed.map(\.task.id) == [free.id])

        // A repository's halt does not hide its tasks from the queries: the halt each gets when it
        // stops does, and resuming the repository takes those too.
        try await store.pause(Halt(scope: .repository, name: "Acme/Ledger", by: "lee", channel: "console", at: t0.addingTimeInterval(2)), actor: Actor(user: "lee", channel: .console))
        try await store.pause(Halt(scope: .task, name: free.id, by: "lee", channel: "console", at: t0.addingTimeInterval(3), viaRepository: "acme/ledger"), actor: nil)
        #expect(try await store.halts().map(\.name) == [held.id, "acme/ledger", free.id])
        let outcome = try await store.resume(.repository, name: "ACME/ledger", actor: Actor(user: "lee", channel: .cli), at: t0.addingTimeInterval(4))
        #expect(outcome.removed.map(\.name) == ["acme/ledger", free.id])
        #expect(outcome.tasks == [free.id])
        #expect(try await store.halts().map(\.name) == [held.id])
        #expect(try await store.resume(.task, name: held.id, actor: dana, at: t0.addingTimeInterval(5)).tasks == [held.id])
        #expect(try await store.resume(.task, name: held.id, actor: dana, at: t0.addingTimeInterval(6)).removed.isEmpty)
        #expect(Set(try await store.runnableTasks(now: t0.addingTimeInterval(6), limit: 10).tasks.map(\.id)) == [held.id, free.id])

        // People's pauses and resumes are decisions with who and where; the engine's own is not.
        let decisions = try await store.auditTrail(since: nil, taskId: nil, limit: nil).filter { ["pause", "resume"].contains($0.action) }
        #expect(decisions.map { "\($0.action) \($0.user) \($0.channel) \($0.taskId ?? $0.detail ?? "")" } == [
            "pause dana slack_command \(held.id)", "pause lee console repository acme/ledger", "resume lee cli repository acme/ledger",
            "resume dana slack_command \(held.id)",
        ])
    }

    @Test(arguments: StoreBackend.allCases) func presenceIsRenewedReadSinceAndDropped(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore()
        try await store.touchPresence(ConsolePresence(consoleId: "c1", user: "dana", taskId: "t-1", seenAt: t0))
        try await store.touchPresence(ConsolePresence(consoleId: "c2", user: "lee", taskId: nil, seenAt: t0.addingTimeInterval(1)))
        try await store.touchPresence(ConsolePresence(consoleId: "c1", user: "dana", taskId: "t-2", seenAt: t0.addingTimeInterval(20)))
        #expect(try await store.presence(since: t0).map { "\($0.consoleId) \($0.taskId ?? "-")" } == ["c1 t-2", "c2 -"])
        // Expired rows are not read.
        #expect(try await store.presence(since: t0.addingTimeInterval(10)).map(\.consoleId) == ["c1"])
        try await store.dropPresence(consoleId: "c1")
        #expect(try await store.presence(since: t0).map(\.consoleId) == ["c2"])
        // A day on, a killed console's row is swept by the next touch.
        try await store.touchPresence(ConsolePresence(consoleId: "c3", user: "kim", taskId: nil, seenAt: t0.addingTimeInterval(90_000)))
        #expect(try await store.presence(since: .distantPast).map(\.consoleId) == ["c3"])
    }
}
