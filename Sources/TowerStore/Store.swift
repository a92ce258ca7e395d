import Foundation
import TowerCore

/// Tower's persistence, behind a protocol so that SQLite (the embedded default), PostgreSQL
/// or DynamoDB can hold the same state. Several processes share one store: every method is a
/// single transaction, and every change that races (decisions, retries, step commits) is a
/// conditional update.
public protocol Store: Sendable {
    // MARK: Tasks

    /// Stores a new task with its first log line, and wakes the engine on behalf of `actor`.
    func insertTask(_ task: TowerTask, event: TaskEvent?, actor: Actor) async throws
    /// One task, or `nil`.
    func task(id: String) async throws -> TowerTask?
    /// Tasks, newest first, optionally of one status.
    func tasks(status: TaskStatus?, limit: Int?) async throws -> [TowerTask]
    /// Tasks the engine should drive: not finished and not waiting for a human.
    func activeTasks() async throws -> [TowerTask]
    /// The active tasks the engine may start at `now` (not parked past it), oldest first, at
    /// most `limit`; and when the earliest parked one is due. The engine asks at every scan, so
    /// this reads what it will start, not every active task.
    func runnableTasks(now: Date, limit: Int) async throws -> (tasks: [TowerTask], nextWake: Date?)
    /// Applies a step's outcome (and anything else that must land with it) atomically.
    /// Throws ``StoreError/conflict(taskId:expected:actual:)`` when the task moved meanwhile
    /// and ``StoreError/leaseLost(holder:)`` when `update.leaseHolder` no longer holds the lease.
    /// Returns the update's log lines with their sequence numbers.
    @discardableResult
    func apply(_ update: TaskUpdate) async throws -> [TaskEvent]

    // MARK: Log, results, artifacts

    /// Appends log lines; returns them with their sequence numbers.
    @discardableResult
    func appendEvents(_ events: [TaskEvent]) async throws -> [TaskEvent]
    /// A task's log lines after `sequence`, oldest first.
    func events(taskId: String, after sequence: Int64?, limit: Int?) async throws -> [TaskEvent]
    /// The last `count` log lines of a task, oldest first.
    func lastEvents(taskId: String, count: Int) async throws -> [TaskEvent]
    /// Up to `limit` log lines of a task before `sequence`, oldest first (scrolling back).
    func events(taskId: String, before sequence: Int64, limit: Int) async throws -> [TaskEvent]
    /// How many log lines a task has.
    func eventCount(taskId: String) async throws -> Int
    /// A task's milestones (transitions, decisions, operator actions), oldest first.
    func milestones(taskId: String) async throws -> [TaskEvent]
    /// Tasks changed at or after `date` (the console's poll for other processes' work).
    func tasks(updatedSince date: Date) async throws -> [TowerTask]
    /// A step's stored output, for the step's CI cycle.
    func phaseResult(taskId: String, step: StepKind, cycle: Int) async throws -> PhaseResult?
    /// Every stored step output of a task.
    func phaseResults(taskId: String) async throws -> [PhaseResult]
    /// Every version of an artifact kind for a task, oldest first.
    func artifacts(taskId: String, kind: ArtifactKind?) async throws -> [Artifact]

    // MARK: Approvals and operator commands

    /// The most recent approval request of a task.
    func approval(taskId: String) async throws -> Approval?
    /// Points the task's pending approval request at `plan` (a reviewer edited PLAN.md before
    /// anyone decided), storing the new PLAN.md and the lines that say so, in one transaction;
    /// `false`, and nothing stored, when the request was decided meanwhile.
    func updatePendingPlan(taskId: String, plan: PlanVersion, artifacts: [ArtifactDraft], events: [TaskEvent], at: Date) async throws -> Bool
    /// Records a decision on the task's pending approval; exactly one caller ever wins.
    func decide(taskId: String, decision: ApprovalDecision, actor: Actor, reason: String?, at: Date) async throws -> DecisionOutcome
    /// Moves a failed task back to the step that failed so the engine runs it again.
    func retry(taskId: String, actor: Actor, at: Date) async throws -> TowerTask
    /// The highest operator command number: the engine wakes when it grows.
    func latestCommandSequence() async throws -> Int64
    /// Operator commands after `sequence`, oldest first.
    func commands(after sequence: Int64) async throws -> [OperatorCommand]

    // MARK: Engine lease

    /// Takes or renews the engine lease; `false` while another live holder has it.
    func acquireLease(_ claim: LeaseClaim, ttl: TimeInterval, now: Date) async throws -> Bool
    /// Gives the lease up (on a clean stop) so that another engine can start at once.
    func releaseLease(holder: String) async throws
    /// The lease as stored, whether live or expired.
    func lease() async throws -> EngineLease?
    /// Takes or renews the named lease (`sentry`: one Sentry pass at a time, whichever process
    /// runs it); `false` while another live holder has it.
    func acquireLease(named name: String, _ claim: LeaseClaim, ttl: TimeInterval, now: Date) async throws -> Bool
    /// Gives a named lease back.
    func releaseLease(named name: String, holder: String) async throws
    /// A named lease's holder, if any.
    func lease(named name: String) async throws -> EngineLease?

    // MARK: Work shared by several workers

    /// Records `worker`'s heartbeat (a claim is a sign of life) and claims for it up to `limit`
    /// runnable tasks that no live worker holds, oldest first; each claim's fencing token is one
    /// higher than the task's last. Also says when the earliest parked task is due. Several
    /// workers claiming at once never get the same task.
    func claimTasks(for worker: WorkerRecord, limit: Int, ttl: TimeInterval) async throws -> (claimed: [ClaimedTask], nextWake: Date?)
    /// Records a worker's heartbeat: its row, which keeps its claims live until
    /// `heartbeatAt + ttl` (a claim's expiry is its worker's; renewing touches no task row, so it
    /// never waits on a step's commit). Returns the ids of the tasks it still holds (a claim
    /// another worker took meanwhile is not among them). A record with `stoppedAt` gives every
    /// claim back.
    func heartbeat(_ worker: WorkerRecord, ttl: TimeInterval) async throws -> [String]
    /// How many tasks all workers together may hold at once (nil: no limit beyond each
    /// worker's own `TOWER_MAX_CONCURRENT_TASKS`), kept as a row every worker's claim respects.
    func globalTaskLimit() async throws -> Int?
    /// Sets or lifts the limit of all workers together, recorded with who set it.
    func setGlobalTaskLimit(_ limit: Int?, actor: Actor, at: Date) async throws
    /// Gives a worker's claim of one task back (its drive ended without a commit that did).
    func releaseClaim(taskId: String, worker: String) async throws
    /// Every worker on record, the most recent heartbeat first.
    func workers() async throws -> [WorkerRecord]
    /// Who holds a task now, if anyone.
    func claim(taskId: String) async throws -> TaskClaim?

    // MARK: Webhook inbox

    /// Stores accepted deliveries in one transaction (the listener's group commit); for each,
    /// whether it was new (`false`: its delivery id, or its body digest, was seen before: a
    /// redelivery or a replay under a fresh id).
    func enqueueDeliveries(_ deliveries: [WebhookDelivery]) async throws -> [Bool]
    /// Marks several deliveries processed in one transaction, each with its outcome.
    func markDeliveriesProcessed(_ outcomes: [(id: String, outcome: String?)], at: Date) async throws
    /// Deliveries not yet processed, oldest first.
    func pendingDeliveries(limit: Int) async throws -> [WebhookDelivery]
    /// Counts for `/metrics`: tasks by status, deliveries waiting, LLM tokens spent.
    func metrics() async throws -> StoreMetrics
    /// The newest deliveries, processed or not, with their outcomes.
    func deliveries(limit: Int) async throws -> [WebhookDelivery]
    /// Puts a delivery back in line to be processed again (after a failure was fixed);
    /// `false` if the inbox has no such delivery.
    func redeliver(id: String, actor: Actor, at: Date) async throws -> Bool

    // MARK: Sentry fingerprints

    /// Claims a Sentry fingerprint before its ticket is filed: `.claimed` when there was no live
    /// record (none, or one past its 90 days), else what the live record holds.
    func claimFingerprint(_ fingerprint: SentryFingerprint, at: Date) async throws -> FingerprintClaim
    /// Records the ticket filed for a claimed fingerprint; its 90 days start now.
    func confirmFingerprint(_ fingerprint: String, ticketId: String, at: Date) async throws
    /// A fingerprint's live record (within its 90 days), without claiming it.
    func fingerprint(_ fingerprint: String, at: Date) async throws -> SentryFingerprint?
    /// The fingerprints on record, newest first.
    func fingerprints(limit: Int) async throws -> [SentryFingerprint]
    /// Records that a Sentry pass started; returns it with its id.
    func startSentryPass(_ pass: SentryPass) async throws -> SentryPass
    /// Records how a Sentry pass ended: its counts, and its error if it failed.
    func finishSentryPass(_ pass: SentryPass) async throws
    /// The last Sentry passes, newest first; only those of `trigger` when given.
    func sentryPasses(trigger: SentryPass.Trigger?, limit: Int) async throws -> [SentryPass]

    // MARK: Halts and presence

    /// Every halt in force, oldest first.
    func halts() async throws -> [Halt]
    /// Halts a task or a repository; a second pause of the same keeps the first. A person's pause
    /// (`actor` given) is a decision in the audit trail and wakes the engines; the halt an engine
    /// leaves on a task its repository's pause stopped (`actor` nil) is neither.
    @discardableResult
    func pause(_ halt: Halt, actor: Actor?) async throws -> Halt
    /// Takes the halt off a task or a repository (a repository's takes the halts it left on its
    /// tasks too), recorded as a decision; the engines wake to go on with those tasks.
    func resume(_ scope: Halt.Scope, name: String, actor: Actor, at: Date) async throws -> ResumeOutcome
    /// Says that a console (`presence.consoleId`) is open, on a task or on none.
    func touchPresence(_ presence: ConsolePresence) async throws
    /// The consoles seen since `since`, each with the task it has open.
    func presence(since: Date) async throws -> [ConsolePresence]
    /// A console that closes says so (its row goes; others would let it expire).
    func dropPresence(consoleId: String) async throws

    // MARK: Freeze switch and outbox

    /// Whether the engine is frozen (no new steps, pushes or auto-fixes), and by whom.
    func freezeState() async throws -> FreezeState
    /// Freezes or unfreezes the engine for every process, kept across restarts.
    func setFrozen(_ frozen: Bool, actor: Actor, at: Date) async throws -> FreezeState
    /// Records a message Tower posted (or failed to post) to Slack or Jira. A message with a
    /// key replaces the earlier record of that key (a re-run that finally sent it).
    @discardableResult
    func recordOutbox(_ message: OutboxMessage) async throws -> OutboxMessage
    /// The message recorded under an idempotency key, if any.
    func outboxMessage(key: String) async throws -> OutboxMessage?
    /// A task's outbox messages, oldest first.
    func outbox(taskId: String) async throws -> [OutboxMessage]
    /// The most recent outbox messages, newest first.
    func outbox(limit: Int) async throws -> [OutboxMessage]

    // MARK: LLM calls

    /// Keeps one LLM call with its task.
    @discardableResult
    func recordLLMCall(_ call: LLMCallRecord) async throws -> LLMCallRecord
    /// A task's LLM calls, oldest first.
    func llmCalls(taskId: String) async throws -> [LLMCallRecord]
    /// What the model calls of one task (or of all, with nil) since `since` (or ever) cost.
    func spend(taskId: String?, since: Date?) async throws -> Spend
    /// Each task's spend (tasks with calls only), and the newest call's id: the console reloads
    /// the board's costs when that moves.
    func spendByTask() async throws -> (byTask: [String: Spend], latestCall: Int64)
    /// The newest call's id (0 with none).
    func latestLLMCallId() async throws -> Int64

    // MARK: Step checkpoints

    /// Keeps what a step knows of its own progress under `name` (Execution: the attempt a plan
    /// task is on, and the failure fed back to it), so that another engine resumes there.
    func saveCheckpoint(taskId: String, name: String, value: String, at: Date) async throws
    /// What was kept under `name`, if anything.
    func checkpoint(taskId: String, name: String) async throws -> String?

    // MARK: Budgets

    /// Adds `amount` dollars to a task's budget (to `base`, the configured task budget, when none
    /// was granted yet). A task waiting for budget resumes its step. Kept in the log and as a command.
    func grantBudget(taskId: String, amount: Double, base: Double?, actor: Actor, at: Date) async throws -> TowerTask
    /// Stops a task waiting for budget: it fails at its step, which `retry` resumes.
    func stopAtBudget(taskId: String, actor: Actor, at: Date) async throws -> TowerTask
    /// What people added to the daily limit for the UTC day of `day`.
    func dailyBudgetExtra(day: Date) async throws -> Double
    /// Adds to today's limit and wakes the tasks parked for it; returns today's extra and their ids.
    func grantDailyBudget(amount: Double, actor: Actor, at: Date) async throws -> (extra: Double, woken: [String])

    // MARK: Local forge

    /// Opens a pull request, unless one is already open for the same head: then that one is
    /// returned (a re-run finds its first run's PR). The number is the repository's next.
    func openPullRequest(_ request: PullRequestRecord, at: Date) async throws -> PullRequestRecord
    /// The open pull request for a head branch, if any.
    func openPullRequest(repository: String, head: String) async throws -> PullRequestRecord?
    /// One pull request by number.
    func pullRequest(repository: String, number: Int) async throws -> PullRequestRecord?
    /// Replaces a local pull request's body (links to the plan's other pull requests).
    func updatePullRequestBody(repository: String, number: Int, body: String) async throws
    /// Adds a comment to a local pull request.
    func addPullRequestComment(repository: String, number: Int, body: String, author: String, at: Date) async throws
    /// A local pull request's comments, oldest first.
    func pullRequestComments(repository: String, number: Int) async throws -> [String]
    /// Stores a CI run (id 0: a new one) and returns it with its id.
    @discardableResult
    func recordCIRun(_ run: CIRun) async throws -> CIRun
    /// A branch's CI runs, newest first.
    func ciRuns(repository: String, branch: String) async throws -> [CIRun]

    // MARK: Housekeeping

    /// Deletes finished tasks, fingerprints and processed deliveries past their expiry, and
    /// audit rows older than `auditRetention` (never younger than ``AuditRetention/minimum``).
    func sweepExpired(now: Date, auditRetention: TimeInterval) async throws -> SweepReport

    // MARK: The audit trail

    /// Decisions and effects, oldest first: since `since`, of one task when `taskId` is given,
    /// the latest `limit` when given.
    func auditTrail(since: Date?, taskId: String?, limit: Int?) async throws -> [AuditRecord]

    /// Appends an effect on another service that no other write of the store records (a commit,
    /// a pull request, a Jira issue): decisions and outbox messages are kept by the writes that
    /// make them.
    func recordAudit(_ record: AuditRecord) async throws
}

extension Store {
    /// The engine lease is the named lease `engine`, on every backend.
    public func acquireLease(_ claim: LeaseClaim, ttl: TimeInterval, now: Date) async throws -> Bool {
        try await acquireLease(named: "engine", claim, ttl: ttl, now: now)
    }

    public func releaseLease(holder: String) async throws {
        try await releaseLease(named: "engine", holder: holder)
    }

    public func lease() async throws -> EngineLease? {
        try await lease(named: "engine")
    }
}

extension Store {
    /// What `/metrics` shows from the store: ``Store/metrics()``, who holds the engine lease, and
    /// the workers by state, read at `now`.
    public func scrape(now: Date = Date()) async throws -> StoreMetrics {
        var metrics = try await self.metrics()
        metrics.measuredAt = now
        metrics.leaseHolder = try await lease().flatMap { $0.isLive(at: now) ? $0.holder : nil }
        for worker in try await workers() { metrics.workers[worker.state(at: now), default: 0] += 1 }
        return metrics
    }
}

extension Store {
    /// The sweep with the default audit retention (400 days).
    public func sweepExpired(now: Date) async throws -> SweepReport {
        try await sweepExpired(now: now, auditRetention: AuditRetention.default)
    }
}
