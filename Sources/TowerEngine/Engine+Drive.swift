import CoreMetrics
import Foundation
import TowerCore
import TowerStore

/// Driving one task: its steps one after another, each attempt begun, run and finished in
/// commits of its own (fenced by the lease or the task's claim), until it waits for a person,
/// ends, or its engine stops.
extension Engine {
    // MARK: Driving one task

    /// Runs a task's steps until it waits for a human, finishes, fails or the engine stops.
    /// In claims mode every write names `taskClaim`, and is refused once another worker claimed
    /// the task since.
    nonisolated func drive(taskId: String, taskClaim: TaskClaim? = nil) async {
        func commit(_ update: TaskUpdate, finished: (StepKind, Double)? = nil) async throws {
            try await self.commit(update, claim: taskClaim, finished: finished)
        }
        func handBack(_ task: TowerTask, step: StepKind) async { await self.handBack(task, step: step, claim: taskClaim) }
        // The task as this engine last stored it. While the engine holds the lease it is the only
        // writer of an active task's row, so the next step starts from it without reading it
        // back; a change from elsewhere would fail the next commit's check (a conflict), which
        // ends this drive, and the next scan reads the task afresh.
        var stored: TowerTask?
        do {
            while !Task.isCancelled {
                // Continuing from its own commit, which began this step's first attempt here (after
                // looking at the freeze switch).
                let continuing = stored.map { $0.worker == claim.holder } ?? false
                // Frozen: the step in flight finished; no new one starts until unfrozen.
                if !continuing, await isFrozen { return }
                let known: TowerTask?
                if let stored { known = stored } else { known = try await store.task(id: taskId) }
                stored = nil
                guard var task = known, task.status.isActive, let step = task.step else { return }
                // Paused: it does not begin another step until resumed.
                if !continuing, let halt = await halt(stopping: task) {
                    try await holdForHalt(task, halt: halt)
                    return
                }
                let attempt: Int
                // The engine whose attempt this one takes over (it stopped mid-step).
                var resumedFrom: String?
                if continuing {
                    attempt = task.attempts
                } else {
                    // Each attempt is stored as it starts, with the engine that runs it: one cut
                    // short by a dying engine is resumed at the same attempt by the next, which
                    // says it took over, at most `maxInterruptions` times.
                    var events: [TaskEvent] = []
                    let expected = task.status
                    if let until = task.waitingUntil {
                        // Parked: not before its time (the scheduler does not start it early either).
                        if until > now() { return }
                        let (resumed, event) = StepTransitions.unpark(task, step: step, now: now())
                        task = resumed
                        events.append(event)
                    }
                    if let previous = task.worker {
                        // Cut short: it resumes at the attempt where it stopped, up to a limit.
                        resumedFrom = previous
                        attempt = max(1, task.attempts)
                        let interrupted = StepTransitions.interrupted(
                            task, step: step, by: previous, takenBy: claim.holder, limit: configuration.maxInterruptions, now: now())
                        guard interrupted.task.status != .failed else {
                            try await commit(TaskUpdate(task: interrupted.task, expectedStatus: expected, expectedStep: step, events: events + [interrupted.event]))
                            return
                        }
                        task = interrupted.task
                        events.append(interrupted.event)
                    } else {
                        attempt = task.attempts + 1
                    }
                    if task.status != step.runningStatus || task.currentAgent != step.agent {
                        let (begun, event) = StepTransitions.begin(task, step: step, now: now())
                        task = begun
                        events.append(event)
                    }
                    task.attempts = attempt
                    task.worker = claim.holder
                    // The task's trace begins with its first step here, stored in the same commit.
                    if task.traceParent == nil, let root = TaskTracing.root(for: task, now: now()) { task.traceParent = root }
                    try await commit(TaskUpdate(task: task, expectedStatus: expected, expectedStep: step, events: events))
                }
                guard let handler = workflow.steps[step] else {
                    let (failed, event) = StepTransitions.fail(
                        task, step: step, attempt: attempt, message: "no implementation is configured for the \(step.rawValue) step",
                        permanent: true, retryIn: nil, now: now())
                    try await commit(TaskUpdate(task: failed, expectedStatus: task.status, expectedStep: step, events: [event]))
                    return
                }
                let context = StepContext(
                    task: task, step: step, attempt: attempt,
                    idempotencyKey: StepContext.idempotencyKey(taskId: task.id, step: step, cycle: task.cycle),
                    store: store, bus: bus, now: now, journal: configuration.log)
                let outcome: StepOutcome
                let started = DispatchTime.now().uptimeNanoseconds
                func timed(_ result: String) {
                    Timer(label: EngineMetrics.stepDuration, dimensions: [("step", step.rawValue), ("outcome", result)])
                        .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                }
                do {
                    outcome = try await TaskTracing.step(task, step: step, attempt: attempt, resumedFrom: resumedFrom) { try await handler.run(context) }
                    timed("completed")
                } catch let later as ResumeLater {
                    // Not a failure: the step is parked in the store and run again after the wait.
                    timed("parked")
                    let until = now().addingTimeInterval(later.after)
                    let (parked, event) = StepTransitions.park(task, step: step, until: until, waitingFor: later.waitingFor, now: now())
                    try await commit(TaskUpdate(task: parked, expectedStatus: task.status, expectedStep: step, events: [event]))
                    await wakeAt(until)
                    return
                } catch let over as BudgetExceeded {
                    // Not a failure: the task waits for a person to grant more, its step kept.
                    timed("budget")
                    let (waiting, event) = StepTransitions.awaitBudget(task, step: step, over: over, now: now())
                    try await commit(TaskUpdate(task: waiting, expectedStatus: task.status, expectedStep: step, events: [event]))
                    return
                } catch let paused as TaskPaused {
                    // Not a failure: stopped before an outside effect, the attempt given back.
                    timed("paused")
                    try await stopForHalt(task, step: step, paused: paused, claim: taskClaim)
                    return
                } catch {
                    timed(Task.isCancelled ? "stopped" : "failed")
                    if Task.isCancelled || error is CancellationError {
                        await handBack(task, step: step)
                        return
                    }
                    let permanent = error is PermanentStepFailure
                    let retry = !permanent && attempt < step.maxAttempts
                    let delay = retry ? configuration.backoff.delay(afterAttempt: attempt, random: Double.random(in: 0..<1)) : nil
                    let (failed, event) = StepTransitions.fail(
                        task, step: step, attempt: attempt, message: String(describing: error), permanent: permanent, retryIn: delay, now: now())
                    try await commit(TaskUpdate(task: failed, expectedStatus: task.status, expectedStep: step, events: [event]))
                    if let delay { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
                    continue
                }
                let result: PhaseResult?
                let artifacts: [ArtifactDraft]
                switch outcome {
                case .completed(let output), .ciFailed(let output, _):
                    result = PhaseResult(taskId: task.id, step: step, cycle: task.cycle, output: output.json, completedAt: now())
                    artifacts = output.artifacts
                case .approvalNeeded(let output, _):
                    // The step did not run its work: nothing of it is a result.
                    result = nil
                    artifacts = output.artifacts
                }
                var (next, events, approval) = StepTransitions.finish(
                    task, step: step, outcome: outcome, maxCIRetries: configuration.maxCIRetries, now: now())
                // The next step begins in the same commit: this drive goes straight on to it (a
                // freeze from now on finds it running, as it would a moment later).
                if next.status.isActive, let following = next.step, next.waitingUntil == nil, !Task.isCancelled, !(await isFrozen), await halt(stopping: next) == nil,
                    next.status != following.runningStatus || next.currentAgent != following.agent
                {
                    let (begun, event) = StepTransitions.begin(next, step: following, now: now())
                    next = begun
                    next.attempts = 1
                    next.worker = claim.holder
                    events.append(event)
                }
                try await commit(
                    TaskUpdate(
                        task: next, expectedStatus: task.status, expectedStep: step, phaseResult: result, artifacts: artifacts,
                        events: events, approvalRequest: approval),
                    finished: (step, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9))
                stored = next
            }
        } catch {
            // Lost lease, a conflicting change, or cancellation: the task stays at its last stored
            // step and is picked up again by whichever engine holds the lease.
            if case .claimLost? = error as? StoreError {
                await claimLost(taskId: taskId, how: "the step's result was refused (fencing token)")
            } else if !(error is CancellationError) {
                await noteError(taskId: taskId, error)
            }
        }
    }

    /// A step stopped because its engine is stopping (not killed): the attempt is given back and
    /// the task is no longer marked as running here, so the next engine resumes at the same
    /// attempt without counting it as cut short. Written in a task of its own: the caller is
    /// cancelled, and the store refuses cancelled callers.
    nonisolated func handBack(_ task: TowerTask, step: StepKind, claim taskClaim: TaskClaim?) async {
        var next = task
        next.attempts = max(0, task.attempts - 1)
        next.worker = nil
        next.updatedAt = now()
        let event = TaskEvent(
            taskId: task.id, at: next.updatedAt, level: .info, agent: step.agent,
            message: "\(step.rawValue) attempt \(task.attempts) stopped with its engine (\(claim.holder)); it resumes there")
        let update = TaskUpdate(task: next, expectedStatus: task.status, expectedStep: step, events: [event])
        await Task { try? await self.commit(update, claim: taskClaim) }.value
    }

    func noteError(taskId: String, _ error: any Error) {
        lastError = "task \(taskId): \(error)"
    }

    /// Stores an update under this engine's lease, or under the task's claim in claims mode,
    /// and tells the front ends.
    /// `finished` is the step this commit ends and how long it ran, for the structured log.
    nonisolated func commit(_ update: TaskUpdate, claim taskClaim: TaskClaim?, finished: (StepKind, Double)? = nil) async throws {
        var fenced = update
        if let taskClaim { fenced.claim = taskClaim } else { fenced.leaseHolder = claim.holder }
        let events = try await store.apply(fenced)
        EngineMetrics.record(from: update.expectedStatus, to: update.task.status)
        if taskClaim != nil, update.task.releasesClaim { await claimReleased(update.task.id) }
        bus.publish(.taskChanged(update.task))
        for event in events { bus.publish(.log(event)) }
        if let journal = configuration.log {
            if journal.lines { for event in events { journal.line(event, task: update.task) } }
            journal.committed(from: update.expectedStatus, to: update.task, finished: finished?.0, seconds: finished?.1, now: now())
        }
    }
}
