import Foundation
import TowerCore
import TowerStore

/// The engine's decisions as pure functions: given a task and what its step did, the task's next
/// row and the log lines that explain it. No I/O, so every edge is testable on its own.
enum StepTransitions {
    /// The task as it must be stored when `step` begins.
    static func begin(_ task: TowerTask, step: StepKind, now: Date) -> (TowerTask, TaskEvent) {
        var next = task
        next.status = step.runningStatus
        next.currentAgent = step.agent
        next.updatedAt = now
        next.expiresAt = now.addingTimeInterval(TaskRetention.default)
        let cycle = task.cycle > 0 && (step == .execution || step == .ciMonitoring) ? " (CI cycle \(task.cycle))" : ""
        let event = TaskEvent(taskId: task.id, at: now, level: .info, agent: step.agent, message: "\(step.rawValue) started\(cycle)", milestone: true)
        return (next, event)
    }

    /// The task after `step` returned `outcome`, and the approval request Planning ends with.
    static func finish(
        _ task: TowerTask, step: StepKind, outcome: StepOutcome, maxCIRetries: Int, now: Date
    ) -> (task: TowerTask, events: [TaskEvent], approval: Approval?) {
        var next = task
        next.attempts = 0
        next.interruptions = 0
        next.worker = nil
        next.lastError = nil
        next.updatedAt = now
        next.expiresAt = now.addingTimeInterval(TaskRetention.default)
        var events: [TaskEvent] = []
        var approval: Approval?
        func note(_ level: LogLevel, _ message: String) {
            events.append(TaskEvent(taskId: task.id, at: now, level: level, agent: step.agent, message: message, milestone: true))
        }

        switch outcome {
        case .completed(let output):
            note(.info, "\(step.rawValue) finished" + (output.summary.map { ": \($0)" } ?? ""))
            next.progress = max(next.progress, step.progressWhenDone)
            if let title = output.title?.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty { next.title = String(title.prefix(200)) }
            switch step {
            case .discovery, .ciMonitoring:
                next.step = step.next
            case .planning:
                next.status = .awaitingApproval
                next.step = nil
                approval = Approval(token: Token.generate(), taskId: task.id, requestedAt: now, plan: output.plan, estimate: output.estimate)
                note(.info, "plan ready: awaiting approval")
            case .execution:
                next.status = .ciMonitoring
                next.step = .ciMonitoring
            case .completion:
                next.status = .completed
                next.step = nil
                next.progress = 100
            }
        case .approvalNeeded(let output, let reason):
            next.status = .awaitingApproval
            next.step = nil
            next.progress = StepKind.planning.progressWhenDone
            approval = Approval(token: Token.generate(), taskId: task.id, requestedAt: now, plan: output.plan, estimate: output.estimate)
            note(.warning, "\(reason); awaiting approval again")
        case .ciFailed(_, let reason):
            if task.cycle < maxCIRetries {
                next.status = .executing
                next.step = .execution
                next.cycle = task.cycle + 1
                next.progress = StepKind.planning.progressWhenDone
                note(.warning, "CI failed: \(reason); back to execution (CI cycle \(next.cycle) of \(maxCIRetries))")
            } else {
                next.status = .failed
                next.step = nil
                next.failedStep = .ciMonitoring
                next.lastError = "CI failed after \(maxCIRetries) retries: \(reason)"
                note(.error, "CI failed: \(reason); max retries (\(maxCIRetries)) exceeded")
            }
        }
        return (next, events, approval)
    }

    /// The task parked at `step` until `until`: a service asked to be called again later than
    /// its client waits in-line. No attempt is spent and nothing failed; the step runs again then.
    static func park(_ task: TowerTask, step: StepKind, until: Date, waitingFor: String, now: Date) -> (TowerTask, TaskEvent) {
        var next = task
        // The attempt it was on is given back: waiting is not trying.
        next.attempts = max(0, task.attempts - 1)
        next.worker = nil
        next.waitingUntil = until
        next.waitingFor = waitingFor
        next.updatedAt = now
        next.expiresAt = max(task.expiresAt, until.addingTimeInterval(TaskRetention.default))
        let event = TaskEvent(
            taskId: task.id, at: now, level: .warning, agent: step.agent,
            message: "\(step.rawValue) waits for \(waitingFor) until \(Age.clock(until, now: now)); it resumes then (no attempt is spent)", milestone: true)
        return (next, event)
    }

    /// The task stopped before a model call that would pass its budget: it waits for a person to
    /// grant more, its step kept (the step runs again from its stored progress after a grant).
    static func awaitBudget(_ task: TowerTask, step: StepKind, over: BudgetExceeded, now: Date) -> (TowerTask, TaskEvent) {
        var next = task
        next.status = .awaitingBudget
        next.waitingFor = over.description
        next.attempts = 0
        next.worker = nil
        next.updatedAt = now
        next.expiresAt = now.addingTimeInterval(TaskRetention.default)
        let event = TaskEvent(
            taskId: task.id, at: now, level: .warning, agent: step.agent,
            message: "\(step.rawValue) stopped before its next model call: \(over); awaiting budget (grant more, or stop it)", milestone: true)
        return (next, event)
    }

    /// A step whose attempt was cut short: its engine stopped (killed, or its host lost) after
    /// storing the attempt's start. The attempt resumes where it stopped, on `holder`, and the
    /// event says so; cut short more than `limit` times, the task fails instead (the step keeps
    /// killing its engine), and retry resumes it there.
    static func interrupted(_ task: TowerTask, step: StepKind, by previous: String, takenBy holder: String, limit: Int, now: Date) -> (task: TowerTask, event: TaskEvent) {
        let attempt = max(1, task.attempts)
        var next = task
        next.interruptions = task.interruptions + 1
        let cut = "\(step.rawValue) attempt \(attempt) of \(step.maxAttempts) on \(previous) was cut short (its engine stopped)"
        guard next.interruptions <= limit else {
            var (failed, _) = fail(
                next, step: step, attempt: attempt, message: "\(cut) \(next.interruptions) times; it keeps stopping its engine", permanent: true,
                retryIn: nil, now: now)
            failed.interruptions = 0
            let event = TaskEvent(
                taskId: task.id, at: now, level: .error, agent: step.agent,
                message: "\(cut) \(next.interruptions) times: failed (retry resumes here)", milestone: true)
            return (failed, event)
        }
        let event = TaskEvent(
            taskId: task.id, at: now, level: .warning, agent: step.agent,
            message: "\(cut); \(holder) takes over at attempt \(attempt)", milestone: true)
        return (next, event)
    }

    /// The parked task at its time: the wait is over and the step runs again.
    static func unpark(_ task: TowerTask, step: StepKind, now: Date) -> (TowerTask, TaskEvent) {
        var next = task
        let waited = task.waitingFor ?? "the service"
        next.waitingUntil = nil
        next.waitingFor = nil
        next.updatedAt = now
        let event = TaskEvent(taskId: task.id, at: now, level: .info, agent: step.agent, message: "\(step.rawValue) resumes after waiting for \(waited)")
        return (next, event)
    }

    /// The task after attempt `attempt` of `step` threw: a retry later, or failure now.
    static func fail(
        _ task: TowerTask, step: StepKind, attempt: Int, message: String, permanent: Bool, retryIn delay: TimeInterval?, now: Date
    ) -> (task: TowerTask, event: TaskEvent) {
        var next = task
        next.attempts = attempt
        next.interruptions = 0
        next.worker = nil
        next.lastError = message
        next.updatedAt = now
        next.expiresAt = now.addingTimeInterval(TaskRetention.default)
        let of = "attempt \(attempt) of \(step.maxAttempts)"
        if let delay, !permanent {
            let event = TaskEvent(
                taskId: task.id, at: now, level: .warning, agent: step.agent,
                message: "\(step.rawValue) \(of) failed: \(message); retrying in \(String(format: "%.1f", delay)) s", milestone: true)
            return (next, event)
        }
        next.status = .failed
        next.failedStep = step
        next.step = nil
        let event = TaskEvent(
            taskId: task.id, at: now, level: .error, agent: step.agent,
            message: "\(step.rawValue) failed (\(of)\(permanent ? ", not retryable" : "")): \(message)", milestone: true)
        return (next, event)
    }
}
