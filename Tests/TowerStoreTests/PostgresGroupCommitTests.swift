import Foundation
import Testing
import TowerCore
import TowerTestSupport

@testable import TowerStore

/// On PostgreSQL too, task updates arriving together share a transaction and each keeps its own
/// outcome: a refused update (a conflict) fails alone without a savepoint, and one the server
/// refuses (a duplicate approval token) sends the batch back to be written one by one, so that
/// only it fails.
@Suite struct PostgresGroupCommitTests {
    @Test func concurrentUpdatesShareCommitsAndARefusedOneFailsAlone() async throws {
        let store = try await PostgresStore.open(url: try await TestPostgres.freshDatabase("group"), maximumConnections: 4)
        var tasks: [TowerTask] = []
        for i in 0..<40 {
            var task = TowerTask.new(ticketId: "G-\(i)", title: "task \(i)", description: "", source: .cli, now: Date())
            task.status = .discovery
            try await store.insertTask(task, event: nil, actor: Actor(user: "test", channel: .cli))
            tasks.append(task)
        }
        func run(_ tasks: [TowerTask], duplicateAt: Int?) async throws -> (outcomes: [Int: Bool], commits: Int) {
            // The batch in flight is held until every update is queued behind it.
            let (gate, open) = AsyncStream<Void>.makeStream()
            let holding = Task { try await store.batchedWrite { _ in for await _ in gate { break } } }
            let before = store.commitCount
            let queued = store.groupCommit.submitted
            let release = Task {
                while store.groupCommit.submitted < queued + tasks.count { try await Task.sleep(nanoseconds: 1_000_000) }
                open.yield()
            }
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for (i, task) in tasks.enumerated() {
                    group.addTask {
                        var next = task
                        next.status = i == duplicateAt ? .awaitingApproval : .planning
                        next.step = i == duplicateAt ? nil : .planning
                        let expected: TaskStatus = i == 7 ? .executing : .discovery
                        let approval = i == duplicateAt ? Approval(token: "taken", taskId: task.id, requestedAt: Date()) : nil
                        let event = TaskEvent(taskId: task.id, at: Date(), level: .info, agent: "test", message: "update \(i)")
                        do {
                            _ = try await store.apply(TaskUpdate(task: next, expectedStatus: expected, expectedStep: .discovery, events: [event], approvalRequest: approval))
                            return (i, true)
                        } catch {
                            return (i, false)
                        }
                    }
                }
                var all: [Int: Bool] = [:]
                for await (i, ok) in group { all[i] = ok }
                return all
            }
            try await release.value
            try await holding.value
            return (outcomes, store.commitCount - before)
        }

        let first = try await run(Array(tasks.prefix(20)), duplicateAt: nil)
        #expect(first.outcomes.filter { !$0.value }.map(\.key) == [7])
        // The held batch, then the 20 updates in a few: at most one batch per connection in
        // flight as they arrive, then the rest together.
        #expect(first.commits <= 2 + store.groupCommit.inFlight + 2, "\(first.commits) commits for 20 updates")

        // A server error in a batch: every update is written again alone; only the one at fault fails.
        var planned = tasks[20]
        planned.status = .planning
        planned.step = .planning
        // A token already taken: the approval insert of update 9 (task 29) violates the key.
        try await store.apply(TaskUpdate(task: planned, expectedStatus: .discovery, expectedStep: .discovery, approvalRequest: Approval(token: "taken", taskId: planned.id, requestedAt: Date())))
        let second = try await run(Array(tasks[21...]).map { $0 }, duplicateAt: 8)
        #expect(second.outcomes.filter { !$0.value }.map(\.key).sorted() == [7, 8])

        for (i, task) in tasks.enumerated() {
            let stored = try #require(try await store.task(id: task.id))
            let refused = i == 7 || i == 28 || i == 29
            #expect(stored.status == (refused ? .discovery : .planning), "\(i)")
            let log = try await store.events(taskId: task.id, after: nil, limit: nil).map(\.message)
            let expected = refused || i == 20 ? [] : ["update \(i < 20 ? i : i - 21)"]
            #expect(log == expected, "\(i): the refused update's event is rolled back with it")
        }
        await store.shutdown()
    }
}
