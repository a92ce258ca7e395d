import Foundation
import TowerCore
import TowerStore

/// The operator's commands, the same for every front end: `tower agent …`, the console, Slack's
/// `/agent`, a PR comment. Each applies atomically in the store, so callers in any process race
/// safely, and leaves a command row that wakes the running engine (wherever it runs).
public struct OperatorCommands: Sendable {
    let store: any Store
    let now: @Sendable () -> Date

    public init(store: any Store, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
    }

    /// A task with what an operator asks about it: its approval and its latest log lines.
    public struct TaskReport: Sendable {
        public var task: TowerTask
        public var approval: Approval?
        public var recentEvents: [TaskEvent]
        /// What this task's model calls cost, and what all tasks' cost today (UTC).
        public var spend = Spend()
        public var today = Spend()
    }

    /// `status ID`.
    public func status(_ taskId: String, recentLines: Int = 5) async throws -> TaskReport {
        guard let task = try await store.task(id: taskId) else { throw StoreError.unknownTask(taskId) }
        return TaskReport(
            task: task, approval: try await store.approval(taskId: taskId),
            recentEvents: try await store.lastEvents(taskId: taskId, count: recentLines),
            spend: try await store.spend(taskId: taskId, since: nil), today: try await store.spend(taskId: nil, since: Calendar.utc.startOfDay(for: now())))
    }

    /// `approve ID`: exactly one decision wins; later callers learn who decided.
    public func approve(_ taskId: String, by actor: Actor, note: String? = nil) async throws -> DecisionOutcome {
        try await store.decide(taskId: taskId, decision: .approved, actor: actor, reason: note, at: now())
    }

    /// `reject ID`, with the reason shown to the team.
    public func reject(_ taskId: String, by actor: Actor, reason: String? = nil) async throws -> DecisionOutcome {
        try await store.decide(taskId: taskId, decision: .rejected, actor: actor, reason: reason, at: now())
    }

    /// `retry ID`: a failed task resumes at the step that failed.
    public func retry(_ taskId: String, by actor: Actor) async throws -> TowerTask {
        try await store.retry(taskId: taskId, actor: actor, at: now())
    }

    /// `budget ID +5`: adds to the task's budget (to `base`, the configured task budget, when none
    /// was granted yet); a task waiting for budget resumes where it stopped.
    public func grantBudget(_ taskId: String, amount: Double, base: Double?, by actor: Actor) async throws -> TowerTask {
        try await store.grantBudget(taskId: taskId, amount: amount, base: base, actor: actor, at: now())
    }

    /// `budget ID stop`: a task waiting for budget fails at its step instead (retry resumes it).
    public func stopAtBudget(_ taskId: String, by actor: Actor) async throws -> TowerTask {
        try await store.stopAtBudget(taskId: taskId, actor: actor, at: now())
    }

    /// `budget today +20`: adds to today's limit on all tasks and wakes the tasks it parked.
    public func grantDailyBudget(amount: Double, by actor: Actor) async throws -> (extra: Double, woken: [String]) {
        try await store.grantDailyBudget(amount: amount, actor: actor, at: now())
    }

    /// `list [status]`, newest first.
    public func list(status: TaskStatus? = nil, limit: Int? = nil) async throws -> [TowerTask] {
        try await store.tasks(status: status, limit: limit)
    }

    /// Starts a workflow for a ticket or a description; the engine picks it up.
    /// `repository` (`owner/name`) pins the task to one repository. `originTraceParent` is the
    /// trace of the webhook that asked for it, which the task's trace links to.
    public func start(
        ticketId: String?, title: String, description: String, source: TaskSource, repository: String? = nil, originTraceParent: String? = nil, by actor: Actor
    ) async throws -> TowerTask {
        let at = now()
        let task = TowerTask.new(
            ticketId: ticketId, title: title, description: description, source: source, now: at, repository: repository, originTraceParent: originTraceParent)
        let origin = ticketId.map { "ticket \($0)" } ?? "a description"
        try await store.insertTask(
            task, event: TaskEvent(taskId: task.id, at: at, level: .info, agent: "operator", message: "started from \(origin) by \(actor.user) via \(actor.channel.rawValue)", milestone: true),
            actor: actor)
        return task
    }

    /// Freezes the engine: no new steps, pushes or auto-fixes anywhere until unfrozen.
    public func setFrozen(_ frozen: Bool, by actor: Actor) async throws -> FreezeState {
        try await store.setFrozen(frozen, actor: actor, at: now())
    }

    /// `pause TARGET`: a task (`t-…`) or a repository (`owner/name`) stops before its next
    /// outside effect and begins no step until resumed. A second pause keeps the first.
    public func pause(_ target: String, by actor: Actor) async throws -> Halt {
        guard let (scope, name) = Halt.target(target) else { throw HaltTargetError(text: target) }
        return try await store.pause(Halt(scope: scope, name: name, by: actor.user, channel: actor.channel.rawValue, at: now()), actor: actor)
    }

    /// `resume TARGET`: takes the pause off; the tasks it held go on where they stopped.
    public func resume(_ target: String, by actor: Actor) async throws -> ResumeOutcome {
        guard let (scope, name) = Halt.target(target) else { throw HaltTargetError(text: target) }
        return try await store.resume(scope, name: name, actor: actor, at: now())
    }

    /// The pauses in force, oldest first.
    public func halts() async throws -> [Halt] { try await store.halts() }

    /// The command set, as data: `help` output, Slack's `/agent help` and docs come from it.
    public static let reference: [(usage: String, summary: String)] = [
        ("status <id>", "Get task status"),
        ("approve <id>", "Approve plan"),
        ("reject <id>", "Reject plan"),
        ("retry <id>", "Retry failed task"),
        ("budget <id> +<dollars>|stop", "Grant a task more model budget, or stop it"),
        ("pause <id>|<owner/repo>", "Stop a task, or a repository's tasks, before their next outside effect"),
        ("resume <id>|<owner/repo>", "Let a paused task or repository go on where it stopped"),
        ("list [status]", "List tasks"),
        ("help", "Show help"),
    ]
}

/// `pause` or `resume` was given neither a task id nor `owner/name`.
public struct HaltTargetError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var description: String { "“\(text)” is neither a task id (t-…) nor a repository (owner/name)" }
}
