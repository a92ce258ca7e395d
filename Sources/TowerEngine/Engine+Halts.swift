import Foundation
import TowerCore
import TowerStore

/// Pauses of one task or one repository: a halted task begins no step, and a step that meets a
/// halt before an outside effect stops there, its attempt given back and its state kept, until
/// `resume` lets it go on where it stopped.
extension Engine {
    /// The halt that keeps `task` from beginning a step (its own, or its pinned repository's).
    func halt(stopping task: TowerTask) -> Halt? {
        Halt.stopping(taskId: task.id, repository: task.repository, in: halts)
    }

    /// A task that a repository's pause stops gets a halt of its own, which the runnable queries
    /// see, naming the repository: resuming the repository resumes it.
    nonisolated func holdForHalt(_ task: TowerTask, halt: Halt) async throws {
        guard halt.scope == .repository else { return }
        try await store.pause(
            Halt(scope: .task, name: task.id, by: halt.by, channel: halt.channel, at: now(), viaRepository: halt.name), actor: nil)
    }

    /// A step stopped before an outside effect because its task or repository is paused: the
    /// attempt is given back (resuming runs it as the same attempt) and the log says where it
    /// stopped and why.
    nonisolated func stopForHalt(_ task: TowerTask, step: StepKind, paused: TaskPaused, claim taskClaim: TaskClaim?) async throws {
        try await holdForHalt(task, halt: paused.halt)
        var next = task
        next.attempts = max(0, task.attempts - 1)
        next.worker = nil
        next.updatedAt = now()
        let event = TaskEvent(
            taskId: task.id, at: next.updatedAt, level: .warning, agent: step.agent,
            message: "\(step.rawValue) \(paused.description); its state is kept, and resume goes on from here", milestone: true)
        try await commit(TaskUpdate(task: next, expectedStatus: task.status, expectedStep: step, events: [event]), claim: taskClaim)
    }
}
