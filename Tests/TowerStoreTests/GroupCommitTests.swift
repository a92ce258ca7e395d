import Foundation
import Testing
import TowerCore
import TowerTestSupport

@testable import TowerStore

/// Task updates arriving together share a transaction, and each keeps its own outcome.
@Suite struct GroupCommitTests {
    @Test func concurrentUpdatesShareCommitsAndARefusedOneFailsAlone() async throws {
        let store = try SQLiteStore(directory: TemporaryDirectory.make("group-commit"))
        var tasks: [TowerTask] = []
        for i in 0..<64 {
            var task = TowerTask.new(ticketId: "G-\(i)", title: "task \(i)", description: "", source: .cli, now: Date())
            task.status = .discovery
            try await store.insertTask(task, event: nil, actor: Actor(user: "test", channel: .cli))
            tasks.append(task)
        }
        // The writer is held until every update is queued: they are written in one transaction,
        // or two when the first was taken alone before the others arrived. (`submitted` counts
        // from the store's start: the 64 inserts above are in it already.)
        let gate = DispatchSemaphore(value: 0)
        let queued = store.groupCommit.submitted
        let holding = Task { try await store.write { _ in gate.wait() } }
        let before = store.commitCount
        let release = Task {
            while store.groupCommit.submitted < queued + 1 + 64 { try await Task.sleep(nanoseconds: 1_000_000) }
            gate.signal()
        }
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for (i, task) in tasks.enumerated() {
                group.addTask {
                    var next = task
                    next.status = .planning
                    next.step = .planning
                    // Task 7's update expects a status it does not have: a conflict, refused alone.
                    let expected: TaskStatus = i == 7 ? .executing : .discovery
                    let event = TaskEvent(taskId: task.id, at: Date(), level: .info, agent: "test", message: "update \(i)")
                    do {
                        _ = try await store.apply(TaskUpdate(task: next, expectedStatus: expected, expectedStep: .discovery, events: [event]))
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
        #expect(outcomes.filter { !$0.value }.map(\.key) == [7])
        let commits = store.commitCount - before
        #expect(commits <= 3, "the held write, then the 64 updates in one or two: \(commits) commits")
        for (i, task) in tasks.enumerated() {
            let stored = try #require(try await store.task(id: task.id))
            #expect(stored.status == (i == 7 ? .discovery : .planning))
            let log = try await store.events(taskId: task.id, after: nil, limit: nil).map(\.message)
            #expect(log == (i == 7 ? [] : ["update \(i)"]), "the refused update's event is rolled back with it")
        }
    }

    /// Every write shares the batch, not only the engine's: new tasks and decisions that arrive
    /// while the writer is busy go into the next commit with the step updates.
    @Test func startsAndDecisionsShareCommitsWithStepUpdates() async throws {
        let store = try SQLiteStore(directory: TemporaryDirectory.make("group-commit-all"))
        let actor = Actor(user: "test", channel: .cli)
        var waiting: [TowerTask] = []
        for i in 0..<8 {
            waiting.append(try await seedAwaitingApproval(store, ticket: "W-\(i)"))
        }
        let gate = DispatchSemaphore(value: 0)
        let queued = store.groupCommit.submitted
        let holding = Task { try await store.write { _ in gate.wait() } }
        let before = store.commitCount
        let release = Task {
            while store.groupCommit.submitted < queued + 1 + 16 { try await Task.sleep(nanoseconds: 1_000_000) }
            gate.signal()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let task = TowerTask.new(ticketId: "N-\(i)", title: "new \(i)", description: "", source: .cli, now: Date())
                    try await store.insertTask(task, event: nil, actor: actor)
                }
            }
            for task in waiting {
                group.addTask { _ = try await store.decide(taskId: task.id, decision: .approved, actor: actor, reason: nil, at: Date()) }
            }
            try await group.waitForAll()
        }
        try await release.value
        try await holding.value
        #expect(store.commitCount - before <= 3, "the held write, then 8 starts and 8 decisions in one or two")
        #expect(try await store.tasks(status: .approved, limit: nil).count == 8)
        #expect(try await store.tasks(status: .started, limit: nil).count == 8)
    }

    /// The writer thread belongs to its store: it ends, and lets the store's writer go, once the
    /// store is released.
    @Test func theWriterThreadEndsWithItsStore() async throws {
        weak var groupCommit: GroupCommit?
        do {
            let store = try SQLiteStore(directory: TemporaryDirectory.make("group-commit-end"))
            try await store.insertTask(
                TowerTask.new(ticketId: "E-1", title: "one", description: "", source: .cli, now: Date()), event: nil,
                actor: Actor(user: "test", channel: .cli))
            groupCommit = store.groupCommit
        }
        let deadline = Date().addingTimeInterval(120)
        while groupCommit != nil, Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(groupCommit == nil, "the writer thread still holds its queue after the store went away")
    }
}
