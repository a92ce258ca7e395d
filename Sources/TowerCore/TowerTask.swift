import Foundation

/// Where a task came from.
public enum TaskSource: String, Codable, Sendable, CaseIterable {
    case jira
    case description
    case sentry
    case slack
    case cli
    case console
}

/// One unit of work taken through the workflow: a ticket (or a description) on its way to a PR.
///
/// A value type; the store keeps the durable copy and the engine is the only writer of
/// workflow fields (`status`, `step`, `cycle`, `attempts`) while it holds the lease.
public struct TowerTask: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var ticketId: String?
    public var title: String
    public var description: String
    public var source: TaskSource
    public var status: TaskStatus
    /// The agent working on the task now (or last), as the original's `current_agent`.
    public var currentAgent: String?
    /// 0–100.
    public var progress: Int
    /// Failed attempts of the current step.
    public var attempts: Int
    public var lastError: String?
    /// The step the engine runs next (or is running); `nil` while waiting for approval or when finished.
    public var step: StepKind?
    /// The step that failed, kept so that `retry` resumes there.
    public var failedStep: StepKind?
    /// How many times CI sent the task back to Execution.
    public var cycle: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// When the store may delete the task (the original's DynamoDB `ttl`).
    public var expiresAt: Date
    /// `owner/name` when the operator pinned the task to one repository (`--repo`): Discovery
    /// looks only there and Planning plans only there.
    public var repository: String?
    /// A step parked because a service asked to be called again later than a client waits
    /// in-line (a `Retry-After` of ten minutes): it resumes then, durably, without failing.
    public var waitingUntil: Date?
    /// What it waits for, for people: "GitHub rate limit exhausted at api.github.com".
    public var waitingFor: String?
    /// The model budget a person granted the task, in US dollars (approving its plan grants the
    /// first); `nil` until then, when `TOWER_TASK_BUDGET` (if set) is the limit. Written only by
    /// approvals and grants, never by the engine's step updates.
    public var budget: Double?
    /// The engine running the step's current attempt (`host:pid:id`), stored as the attempt
    /// starts and cleared when it ends: one found set by a fresh engine was cut short.
    public var worker: String?
    /// How many times the current attempt was cut short by its engine stopping.
    public var interruptions: Int
    /// The W3C `traceparent` of the task's root span, stored by the engine that began its first
    /// step with tracing on: every later step, in any process and after any crash, is a child
    /// of it, so the task is one trace. `nil` while untraced.
    public var traceParent: String?
    /// The `traceparent` of the webhook that started the task: the root span links to it.
    public var originTraceParent: String?

    public init(
        id: String,
        ticketId: String? = nil,
        title: String,
        description: String = "",
        source: TaskSource,
        status: TaskStatus = .started,
        currentAgent: String? = nil,
        progress: Int = 0,
        attempts: Int = 0,
        lastError: String? = nil,
        step: StepKind? = .discovery,
        failedStep: StepKind? = nil,
        cycle: Int = 0,
        createdAt: Date,
        updatedAt: Date? = nil,
        expiresAt: Date,
        repository: String? = nil,
        waitingUntil: Date? = nil,
        waitingFor: String? = nil,
        budget: Double? = nil,
        worker: String? = nil,
        interruptions: Int = 0,
        traceParent: String? = nil,
        originTraceParent: String? = nil
    ) {
        self.traceParent = traceParent
        self.originTraceParent = originTraceParent
        self.interruptions = interruptions
        self.worker = worker
        self.budget = budget
        self.waitingUntil = waitingUntil
        self.waitingFor = waitingFor
        self.id = id
        self.ticketId = ticketId
        self.title = title
        self.description = description
        self.source = source
        self.status = status
        self.currentAgent = currentAgent
        self.progress = progress
        self.attempts = attempts
        self.lastError = lastError
        self.step = step
        self.failedStep = failedStep
        self.cycle = cycle
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.expiresAt = expiresAt
        self.repository = repository
    }

    /// A new task in `started`, its first step Discovery.
    public static func new(
        ticketId: String?, title: String, description: String, source: TaskSource,
        now: Date, retention: TimeInterval = TaskRetention.default, repository: String? = nil, originTraceParent: String? = nil
    ) -> TowerTask {
        TowerTask(
            id: TaskID.generate(), ticketId: ticketId, title: title, description: description,
            source: source, createdAt: now, expiresAt: now.addingTimeInterval(retention), repository: repository,
            originTraceParent: originTraceParent)
    }
}

/// How long a task is kept after its last change before the sweeper deletes it.
public enum TaskRetention {
    /// 30 days.
    public static let `default`: TimeInterval = 30 * 24 * 3600
    /// Sentry fingerprints are kept 90 days, as in the original's error table.
    public static let sentryFingerprint: TimeInterval = 90 * 24 * 3600
}
