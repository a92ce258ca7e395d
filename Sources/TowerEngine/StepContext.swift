import Foundation
import TowerCore
import TowerStore

/// What a running step is handed: the task, which attempt this is, the key for its outside
/// effects, earlier steps' outputs, and a log that streams to the console as it is written.
public struct StepContext: Sendable {
    public let task: TowerTask
    public let step: StepKind
    /// 1 for the first try; grows with each retry after a failure.
    public let attempt: Int
    /// Stable across retries and restarts of this step for this CI cycle, so that a re-run finds
    /// the branch, commit, PR or message its earlier run created: `TASK/STEP/CYCLE`.
    public let idempotencyKey: String
    /// The store, for what a step keeps beside its output: LLM calls, outbox messages.
    public let store: any Store
    let bus: EventBus
    let now: @Sendable () -> Date
    /// The engine's structured log, when it writes one.
    var journal: EngineLog? = nil

    /// Appends a line to the task's log (stored, then published to live front ends).
    public func log(_ level: LogLevel = .info, _ message: String) async throws {
        let event = TaskEvent(taskId: task.id, at: now(), level: level, agent: step.agent, message: message)
        for stored in try await store.appendEvents([event]) {
            bus.publish(.log(stored))
            if let journal, journal.lines { journal.line(stored, task: task) }
        }
    }

    /// A named event with numbers for the structured log, as the original's agents report
    /// (`task_completed` with `duration_seconds`, `tasks_completed`, `tasks_failed`). Not stored:
    /// the task's log says the same in words.
    public func report(_ name: String, _ fields: [String: Double]) {
        journal?.event(name, task: task, step: step, fields: fields)
    }

    /// Waits `seconds`, or less when a webhook brings CI news for `repository` (and `branch`,
    /// when the news names one) in this process meanwhile: polling stays the floor, webhooks
    /// make it prompt.
    public func sleepUntilCINews(repository: String, branch: String, seconds: TimeInterval) async throws {
        let events = bus.subscribe()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000)) }
            group.addTask {
                for await event in events {
                    if case .ciNews(let repo, let news) = event, repo.lowercased() == repository.lowercased(), news == nil || news == branch { return }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Throws ``TaskPaused`` when this task, or `repository`, is paused: a step calls it before
    /// work whose only end is an outside effect, so a pause costs nothing done.
    public func checkHalt(repository: String?, before: String) async throws {
        try await HaltCheck(store: store, taskId: task.id).check(repository: repository, before: before)
    }

    /// Moves the task's progress bar while the step runs (Execution, task by task). Best effort:
    /// a task that changed meanwhile (cancelled, say) keeps what it has.
    public func progress(_ percent: Int) async {
        guard let current = try? await store.task(id: task.id), current.status == task.status, current.step == step, current.progress < percent else { return }
        var next = current
        next.progress = min(percent, 100)
        next.updatedAt = now()
        if (try? await store.apply(TaskUpdate(task: next, expectedStatus: current.status, expectedStep: step))) != nil {
            bus.publish(.taskChanged(next))
        }
    }

    /// Stores artifacts while the step runs (a CI run as soon as it is classified), so they are
    /// seen even if the step later fails.
    public func attach(_ artifacts: [ArtifactDraft]) async {
        guard let current = try? await store.task(id: task.id), current.status == task.status, current.step == step else { return }
        if (try? await store.apply(TaskUpdate(task: current, expectedStatus: current.status, expectedStep: step, artifacts: artifacts))) != nil {
            bus.publish(.taskChanged(current))
        }
    }

    /// Keeps `value` as this step's checkpoint `name` for this CI cycle: what the step knows of
    /// its own progress, for whichever engine runs it next (after a kill, on another host).
    public func saveCheckpoint<T: Encodable>(_ name: String, _ value: T) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await store.saveCheckpoint(
            taskId: task.id, name: "\(idempotencyKey)/\(name)", value: String(decoding: try encoder.encode(value), as: UTF8.self), at: now())
    }

    /// The checkpoint `name` of this step and CI cycle, if one was kept and still reads as `T`.
    public func checkpoint<T: Decodable>(_ name: String, as type: T.Type) async throws -> T? {
        guard let text = try await store.checkpoint(taskId: task.id, name: "\(idempotencyKey)/\(name)") else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// The stored output of an earlier step (latest CI cycle first), e.g. Discovery's result for Planning.
    public func output(of step: StepKind) async throws -> Data? {
        for cycle in stride(from: task.cycle, through: 0, by: -1) {
            if let result = try await store.phaseResult(taskId: task.id, step: step, cycle: cycle) { return result.output }
        }
        return nil
    }

    /// The idempotency key for a step of a task in a CI cycle.
    public static func idempotencyKey(taskId: String, step: StepKind, cycle: Int) -> String {
        "\(taskId)/\(step.rawValue)/\(cycle)"
    }
}
