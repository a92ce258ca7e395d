import CoreMetrics
import Foundation
import TowerCore
import TowerStore

#if canImport(Glibc)
    import Glibc
#endif

/// The durable orchestrator: takes every active task through the workflow, one step at a time,
/// storing each step's result before the next begins.
///
/// With ``EngineConfiguration/Sharing/lease``, only the engine that holds the store's lease runs
/// workflows; others wait and take over when the holder stops renewing (it died). With
/// ``EngineConfiguration/Sharing/claims``, every engine is a worker that claims tasks of its
/// own, and a dead worker's tasks are claimed by the others once its claims expire. Commands
/// from other processes arrive through the store and are noticed within one
/// ``EngineConfiguration/pollInterval``. Every write is fenced (the lease holder, or the task's
/// claim token), so an engine that was overtaken while paused cannot write.
public actor Engine {
    /// Live events for front ends.
    public nonisolated let bus: EventBus
    /// Who this engine is in the lease table.
    public nonisolated let claim: LeaseClaim
    let store: any Store
    let workflow: Workflow
    let configuration: EngineConfiguration
    let now: @Sendable () -> Date

    var runners: [String: Task<Void, Never>] = [:]
    /// The claims this worker holds on the tasks it drives (claims mode).
    var claims: [String: TaskClaim] = [:]
    /// Tasks whose last commit gave their claim back (nothing to release when the drive ends).
    var released: Set<String> = []
    let startedAt = Date()
    /// Scheduled jobs running now, by name, and when each may next be asked whether it is due.
    var jobRunners: [String: Task<Void, Never>] = [:]
    var jobNotBefore: [String: Date] = [:]
    var holding = false
    var lastRenewal = Date.distantPast
    private var lastSweep = Date.distantPast
    private var lastScan = Date.distantPast
    private var lastCommand: Int64 = -1
    var needsScan = true
    /// When the earliest parked step is due (a timer wakes the engine then).
    private var parkedWake: Date?
    private var frozen = false
    private var sleeper: CheckedContinuation<Void, Never>?
    private var wakeRequested = false
    /// The last error the engine loop met (a busy store, say), for the health line.
    public internal(set) var lastError: String?

    public init(
        store: any Store, workflow: Workflow, configuration: EngineConfiguration = EngineConfiguration(),
        claim: LeaseClaim = .thisProcess(), bus: EventBus = EventBus(), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.workflow = workflow
        self.configuration = configuration
        self.claim = claim
        self.bus = bus
        self.now = now
    }

    /// Whether this engine holds the lease (and so runs workflows) right now.
    public var isActive: Bool { holding }

    /// Whether the freeze switch stops new steps (kept in the store, for every process).
    public var isFrozen: Bool { frozen }

    /// Ids of the tasks this engine is driving now.
    public var runningTaskIDs: [String] { runners.keys.sorted() }

    /// Runs until the surrounding task is cancelled, then stops every step, waits for them and
    /// gives the lease back. Unfinished tasks resume at their last stored step on the next start.
    public func run() async {
        // A store that pushes (PostgreSQL's NOTIFY) wakes this engine at once for commands, new
        // tasks, deliveries and CI news from any process; polling stays the floor.
        let listening = (store as? any StoreNotifications).map { notifying in
            Task { [weak self] in
                for await wakeUp in notifying.wakeUps() { await self?.noticed(wakeUp) }
            }
        }
        defer { listening?.cancel() }
        await withTaskCancellationHandler {
            while !Task.isCancelled {
                do {
                    try await tick()
                    lastError = nil
                } catch {
                    lastError = String(describing: error)
                }
                await pause(configuration.pollInterval)
            }
        } onCancel: {
            Task { await self.wake() }
        }
        await stopRunners()
        if holding {
            // In a task of its own: this one is cancelled, and the store refuses cancelled callers.
            let store = store, holder = claim.holder
            if configuration.sharing == .claims {
                let stopped = workerRecord(at: now(), stopped: true)
                await Task { _ = try? await store.heartbeat(stopped, ttl: 0) }.value
            } else {
                await Task { try? await store.releaseLease(holder: holder) }.value
            }
            holding = false
            bus.publish(.leaseChanged(held: false))
        }
    }

    /// Makes the engine look for work now instead of at its next poll (after an in-process command).
    public func wake() {
        if let sleeper {
            self.sleeper = nil
            sleeper.resume()
        } else {
            wakeRequested = true
        }
    }

    // MARK: The loop

    private func tick() async throws {
        let now = now()
        try await keepLease(now: now)
        guard holding else { return }
        if now.timeIntervalSince(lastSweep) >= configuration.sweepInterval {
            lastSweep = now
            _ = try await store.sweepExpired(now: now)
        }
        let latest = try await store.latestCommandSequence()
        if latest != lastCommand || needsScan || now.timeIntervalSince(lastScan) >= max(2, configuration.pollInterval * 10) {
            lastCommand = latest
            needsScan = false
            lastScan = now
            let freeze = try await store.freezeState().frozen
            if freeze != frozen {
                frozen = freeze
                bus.publish(.frozen(freeze))
            }
            if !frozen { try await schedule() }
        }
        if !frozen { try await scheduleJobs(now: now) }
    }

    private func keepLease(now: Date) async throws {
        if configuration.sharing == .claims { return try await keepWorker(now: now) }
        let renewDue = now.timeIntervalSince(lastRenewal) >= configuration.leaseTTL / 3
        guard !holding || renewDue else { return }
        var held = false
        if !holding, let lease = try await store.lease(), lease.holder != claim.holder, lease.isLive(at: now) {
            // A holder on this machine that was killed is not waited for until its lease lapses.
            if lease.holderIsGone(onHost: claim.host) {
                try await store.releaseLease(holder: lease.holder)
                held = try await store.acquireLease(claim, ttl: configuration.leaseTTL, now: now)
            }
        } else {
            held = try await store.acquireLease(claim, ttl: configuration.leaseTTL, now: now)
        }
        if held { lastRenewal = now }
        guard held != holding else { return }
        holding = held
        bus.publish(.leaseChanged(held: held))
        if held {
            needsScan = true
        } else {
            await stopRunners()
        }
    }

    private func schedule() async throws {
        let now = now()
        guard runners.count < configuration.maxConcurrentTasks else { return }
        if configuration.sharing == .claims {
            let (claimed, next) = try await store.claimTasks(
                for: workerRecord(at: now, stopped: false), limit: configuration.maxConcurrentTasks - runners.count, ttl: configuration.leaseTTL)
            if let next { wakeAt(next) }
            for item in claimed where runners[item.task.id] == nil {
                let id = item.task.id, taskClaim = item.claim
                claims[id] = taskClaim
                runners[id] = Task {
                    await self.drive(taskId: id, taskClaim: taskClaim)
                    await self.finished(taskId: id)
                }
            }
            return
        }
        // The running ones come back too (oldest first): ask for enough to fill every free slot.
        let (runnable, next) = try await store.runnableTasks(now: now, limit: configuration.maxConcurrentTasks + runners.count)
        // Parked tasks wait for their time; the engine looks again then.
        if let next { wakeAt(next) }
        for task in runnable where runners[task.id] == nil {
            guard runners.count < configuration.maxConcurrentTasks else { break }
            let id = task.id
            runners[id] = Task {
                await self.drive(taskId: id)
                await self.finished(taskId: id)
            }
        }
    }

    /// Looks for work again at `date` (a parked step's time), as well as at every poll.
    func wakeAt(_ date: Date) {
        if let pending = parkedWake, pending <= date, pending > now() { return }
        parkedWake = date
        let seconds = max(0, date.timeIntervalSince(now()))
        Task {
            try? await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400 * 30) * 1_000_000_000))
            self.parkedWakeDue(date)
        }
    }

    private func parkedWakeDue(_ date: Date) {
        if parkedWake == date { parkedWake = nil }
        needsScan = true
        wake()
    }

    private func finished(taskId: String) async {
        if let held = claims.removeValue(forKey: taskId), released.remove(taskId) == nil {
            // The drive ended with the task still runnable (frozen, a conflict, a lost claim):
            // another worker, or this one at its next scan, may take it.
            let store = store
            await Task { try? await store.releaseClaim(taskId: taskId, worker: held.worker) }.value
        }
        runners[taskId] = nil
        needsScan = true
        wake()
    }

    private func stopRunners() async {
        let all = Array(runners.values) + Array(jobRunners.values)
        for runner in all { runner.cancel() }
        for runner in all { await runner.value }
        runners = [:]
        jobRunners = [:]
        claims = [:]
        released = []
    }

    private func pause(_ seconds: TimeInterval) async {
        if wakeRequested || Task.isCancelled {
            wakeRequested = false
            return
        }
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            if !Task.isCancelled { self.wake() }
        }
        await withCheckedContinuation { sleeper = $0 }
        timer.cancel()
        wakeRequested = false
    }

    // MARK: Driving one task

    /// Runs a task's steps until it waits for a human, finishes, fails or the engine stops.
    /// In claims mode every write names `taskClaim`, and is refused once another worker claimed
    /// the task since.
    nonisolated func drive(taskId: String, taskClaim: TaskClaim? = nil) async {
        func commit(_ update: TaskUpdate) async throws { try await self.commit(update, claim: taskClaim) }
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
                let attempt: Int
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
                    store: store, bus: bus, now: now)
                let outcome: StepOutcome
                let started = DispatchTime.now().uptimeNanoseconds
                func timed(_ result: String) {
                    Timer(label: "tower_step_duration_seconds", dimensions: [("step", step.rawValue), ("outcome", result)])
                        .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                }
                do {
                    outcome = try await handler.run(context)
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
                if next.status.isActive, let following = next.step, next.waitingUntil == nil, !Task.isCancelled, !(await isFrozen),
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
                        events: events, approvalRequest: approval))
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
    private nonisolated func handBack(_ task: TowerTask, step: StepKind, claim taskClaim: TaskClaim?) async {
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

    private func noteError(taskId: String, _ error: any Error) {
        lastError = "task \(taskId): \(error)"
    }

    /// Stores an update under this engine's lease, or under the task's claim in claims mode,
    /// and tells the front ends.
    private nonisolated func commit(_ update: TaskUpdate, claim taskClaim: TaskClaim?) async throws {
        var fenced = update
        if let taskClaim { fenced.claim = taskClaim } else { fenced.leaseHolder = claim.holder }
        let events = try await store.apply(fenced)
        if taskClaim != nil, update.task.releasesClaim { await claimReleased(update.task.id) }
        bus.publish(.taskChanged(update.task))
        for event in events { bus.publish(.log(event)) }
    }
}

extension LeaseClaim {
    /// A claim for this process: host, pid and a random suffix (a pid can be reused after a crash).
    public static func thisProcess() -> LeaseClaim {
        let host = ProcessInfo.processInfo.hostName
        let pid = getpid()
        return LeaseClaim(holder: "\(host):\(pid):\(Token.generate().prefix(8))", pid: pid, host: host)
    }
}
