import Foundation
import TowerCore

#if canImport(Glibc)
    import Glibc
#endif

/// Everything that lands together when a step starts, finishes or fails: the new task row,
/// the step's output, artifacts, log lines and (after Planning) the approval request.
public struct TaskUpdate: Sendable {
    /// The task as it must be after the update.
    public var task: TowerTask
    /// The status the task must still have in the store; the update is refused otherwise.
    public var expectedStatus: TaskStatus
    /// The step the task must still be on (`nil` matches no step).
    public var expectedStep: StepKind?
    public var phaseResult: PhaseResult?
    public var artifacts: [ArtifactDraft]
    public var events: [TaskEvent]
    public var approvalRequest: Approval?
    /// When set, the update lands only while this holder has the engine lease (fencing).
    public var leaseHolder: String?
    /// When set, the update lands only while this claim (worker and token) is the task's latest:
    /// the fencing of work shared by several workers.
    public var claim: TaskClaim?

    public init(
        task: TowerTask, expectedStatus: TaskStatus, expectedStep: StepKind?, phaseResult: PhaseResult? = nil,
        artifacts: [ArtifactDraft] = [], events: [TaskEvent] = [], approvalRequest: Approval? = nil, leaseHolder: String? = nil, claim: TaskClaim? = nil
    ) {
        self.claim = claim
        self.task = task
        self.expectedStatus = expectedStatus
        self.expectedStep = expectedStep
        self.phaseResult = phaseResult
        self.artifacts = artifacts
        self.events = events
        self.approvalRequest = approvalRequest
        self.leaseHolder = leaseHolder
    }
}

/// A step's committed output (the original's `PHASE#{phase}` item).
public struct PhaseResult: Sendable, Equatable {
    public var taskId: String
    public var step: StepKind
    public var cycle: Int
    /// JSON.
    public var output: Data
    public var completedAt: Date

    public init(taskId: String, step: StepKind, cycle: Int, output: Data, completedAt: Date) {
        self.taskId = taskId
        self.step = step
        self.cycle = cycle
        self.output = output
        self.completedAt = completedAt
    }
}

/// What an artifact holds.
public enum ArtifactKind: String, Sendable, Codable, CaseIterable {
    case discovery
    case plan
    case diff
    case ciLog = "ci_log"
}

/// An artifact to store; the store gives it the next version for its (task, kind, name).
public struct ArtifactDraft: Sendable, Equatable {
    public var kind: ArtifactKind
    /// `PLAN.md`, a file path for a diff, a run id for a CI log.
    public var name: String
    public var content: Data

    public init(kind: ArtifactKind, name: String, content: Data) {
        self.kind = kind
        self.name = name
        self.content = content
    }
}

/// A stored artifact version.
public struct Artifact: Sendable, Equatable {
    public var taskId: String
    public var kind: ArtifactKind
    public var name: String
    public var version: Int
    public var content: Data
    public var createdAt: Date
}

/// The answer to a decision on an approval.
public enum DecisionOutcome: Sendable, Equatable {
    /// This caller's decision was recorded.
    case decided(Approval)
    /// Someone decided first; the approval names who, when and through which channel.
    case alreadyDecided(Approval)
}

/// A note that an operator changed something the engine must look at.
public struct OperatorCommand: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case approve, reject, retry, start, freeze, unfreeze, budget, pause, resume
    }

    public var sequence: Int64
    public var kind: Kind
    public var taskId: String
    public var actor: Actor
    public var at: Date
}

/// Who asks for the engine lease.
public struct LeaseClaim: Sendable, Equatable {
    /// Unique per engine instance.
    public var holder: String
    public var pid: Int32
    public var host: String

    public init(holder: String, pid: Int32, host: String) {
        self.holder = holder
        self.pid = pid
        self.host = host
    }
}

/// The row that makes one engine the active one for a database.
public struct EngineLease: Sendable, Equatable {
    public var holder: String
    public var pid: Int32
    public var host: String
    public var acquiredAt: Date
    public var expiresAt: Date

    /// Whether the holder still counts as alive at `now`.
    public func isLive(at now: Date) -> Bool { expiresAt > now }

    /// Whether the holder ran on `host` (this machine) and its process is gone: killed, so
    /// its lease need not be waited out. A zombie (killed, not yet reaped by its parent) is gone
    /// too, though `kill(pid, 0)` still succeeds on it. A reused pid reads as alive, which only
    /// means waiting.
    public func holderIsGone(onHost host: String) -> Bool {
        guard self.host == host, pid > 0 else { return false }
        if kill(pid, 0) != 0 { return errno == ESRCH }
        return ProcessState.of(pid).map { $0 == "Z" || $0 == "X" } ?? false
    }
}

/// A webhook delivery accepted by the listener, stored before it answers.
public struct WebhookDelivery: Sendable, Equatable {
    /// The service's delivery id (`X-GitHub-Delivery`, …): the dedup key.
    public var id: String
    public var source: String
    public var event: String
    public var body: Data
    public var receivedAt: Date
    public var processedAt: Date?
    /// What processing it did (started t-…, ignored and why, failed and why).
    public var outcome: String?
    /// The signed body's digest, with its source: a second delivery of the same body under
    /// another id is a replay, answered as a duplicate and not acted on again.
    public var bodyDigest: String?
    /// The sender's W3C `traceparent`, when it sent a well-formed one: a task this delivery
    /// starts links its trace to the sender's.
    public var traceParent: String?

    public init(
        id: String, source: String, event: String, body: Data, receivedAt: Date, processedAt: Date? = nil, outcome: String? = nil,
        bodyDigest: String? = nil, traceParent: String? = nil
    ) {
        self.traceParent = traceParent
        self.bodyDigest = bodyDigest
        self.id = id
        self.source = source
        self.event = event
        self.body = body
        self.receivedAt = receivedAt
        self.processedAt = processedAt
        self.outcome = outcome
    }

    /// Processed deliveries are kept this long for dedup, then swept.
    public static let retention: TimeInterval = 7 * 24 * 3600
}

/// The engine-wide freeze switch.
public struct FreezeState: Sendable, Equatable {
    public var frozen: Bool
    public var by: String?
    public var at: Date?

    public init(frozen: Bool, by: String? = nil, at: Date? = nil) {
        self.frozen = frozen
        self.by = by
        self.at = at
    }
}

/// A Slack message or Jira comment Tower posted or failed to post: the console's Outbox.
public struct OutboxMessage: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case sent, failed
        /// The service is not configured: the message is kept here, and nothing claims it was posted.
        case notSent = "not_sent"
    }

    public var id: Int64?
    public var taskId: String?
    /// `slack` or `jira`.
    public var service: String
    /// A channel, an issue key.
    public var target: String
    /// `approval_request`, `comment`, `notification`, …
    public var kind: String
    public var text: String
    public var status: Status
    public var error: String?
    public var at: Date
    /// The step's idempotency key and the message's role (`TASK/planning/0/slack-approval`): a
    /// re-run finds the message its first run sent instead of sending a twin.
    public var key: String?

    public init(
        id: Int64? = nil, taskId: String?, service: String, target: String, kind: String, text: String, status: Status,
        error: String? = nil, at: Date, key: String? = nil
    ) {
        self.id = id
        self.taskId = taskId
        self.service = service
        self.target = target
        self.kind = kind
        self.text = text
        self.status = status
        self.error = error
        self.at = at
        self.key = key
    }
}

/// What a sweep deleted.
public struct SweepReport: Sendable, Equatable {
    public var tasks = 0
    public var fingerprints = 0
    public var deliveries = 0
    /// Audit rows past their retention.
    public var auditRows = 0

    public init(tasks: Int = 0, fingerprints: Int = 0, deliveries: Int = 0, auditRows: Int = 0) {
        self.tasks = tasks
        self.fingerprints = fingerprints
        self.deliveries = deliveries
        self.auditRows = auditRows
    }

    /// What the sweep removed, in one line (nil when nothing).
    public var summary: String? {
        let parts = [(tasks, "finished task"), (fingerprints, "Sentry fingerprint"), (deliveries, "processed delivery"), (auditRows, "audit row")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : ($0.1.hasSuffix("y") ? "" : "s"))" }
        return parts.isEmpty ? nil : "swept " + parts.joined(separator: ", ")
    }
}

/// Why a store operation was refused. Messages are for operators: they name the task and states.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case unknownTask(String)
    case notAwaitingApproval(taskId: String, status: TaskStatus)
    case notFailed(taskId: String, status: TaskStatus)
    case notAwaitingBudget(taskId: String, status: TaskStatus)
    case conflict(taskId: String, expected: TaskStatus, actual: TaskStatus)
    case leaseLost(holder: String)
    case claimLost(taskId: String, worker: String)
    case illegalTransition(IllegalTransition)
    case notFound(String)

    /// Throws ``illegalTransition(_:)`` unless `from → to` is an edge of the workflow.
    static func checkTransition(_ from: TaskStatus, _ to: TaskStatus) throws {
        guard from.canTransition(to: to) else { throw StoreError.illegalTransition(IllegalTransition(from: from, to: to)) }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the store at \(path): \(reason)"
        case .unknownTask(let id): "no task with id \(id)"
        case .notAwaitingApproval(let id, let status): "task \(id) is not awaiting approval (it is \(status.rawValue))"
        case .notFailed(let id, let status): "task \(id) has not failed (it is \(status.rawValue)); only a failed task can be retried"
        case .notAwaitingBudget(let id, let status): "task \(id) is not waiting for budget (it is \(status.rawValue))"
        case .conflict(let id, let expected, let actual): "task \(id) changed meanwhile: expected \(expected.rawValue), found \(actual.rawValue)"
        case .leaseLost(let holder): "engine \(holder) no longer holds the engine lease"
        case .claimLost(let id, let worker): "worker \(worker) no longer holds task \(id): another worker claimed it since (fencing token refused)"
        case .illegalTransition(let t): t.description
        case .notFound(let what): "no \(what)"
        }
    }
}

/// A Sentry issue's fingerprint (its issue id, as the original keys it) and the Jira bug filed
/// for it. `ticketId` is `nil` while the bug is being filed, or when a pass died in between.
public struct SentryFingerprint: Sendable, Equatable {
    public var fingerprint: String
    public var title: String
    public var level: String
    /// The Sentry project's slug.
    public var project: String
    public var ticketId: String?
    public var reservedAt: Date
    public var ticketedAt: Date?
    /// When the record lapses and a recurrence is ticketed again (90 days).
    public var expiresAt: Date

    public init(
        fingerprint: String, title: String, level: String, project: String, ticketId: String? = nil, reservedAt: Date = Date(), ticketedAt: Date? = nil,
        expiresAt: Date = Date()
    ) {
        self.fingerprint = fingerprint
        self.title = title
        self.level = level
        self.project = project
        self.ticketId = ticketId
        self.reservedAt = reservedAt
        self.ticketedAt = ticketedAt
        self.expiresAt = expiresAt
    }
}

/// What claiming a fingerprint found.
public enum FingerprintClaim: Sendable, Equatable {
    /// No live record: this caller files the bug.
    case claimed
    /// A bug was filed within the 90 days.
    case ticketed(String)
    /// Claimed earlier, no ticket recorded: that pass died or failed between claiming and
    /// recording; Jira must say whether the bug exists.
    case reserved(since: Date)
}

/// One Sentry pass: what set it off, when, its counts, and its error if it failed.
public struct SentryPass: Sendable, Equatable {
    public enum Trigger: String, Sendable, Codable {
        /// The engine's hourly schedule.
        case scheduled
        /// `tower monitor-sentry`.
        case manual
        /// One issue from a Sentry alert.
        case alert
    }

    public struct Counts: Sendable, Equatable, Codable {
        public var checked = 0
        public var overThreshold = 0
        public var deduplicated = 0
        public var created = 0
        public var failed = 0

        public init(checked: Int = 0, overThreshold: Int = 0, deduplicated: Int = 0, created: Int = 0, failed: Int = 0) {
            self.checked = checked
            self.overThreshold = overThreshold
            self.deduplicated = deduplicated
            self.created = created
            self.failed = failed
        }
    }

    public var id: Int64?
    public var trigger: Trigger
    public var startedAt: Date
    /// `nil` while running, or for a pass whose process died.
    public var finishedAt: Date?
    public var counts: Counts
    public var error: String?

    public init(id: Int64? = nil, trigger: Trigger, startedAt: Date, finishedAt: Date? = nil, counts: Counts = Counts(), error: String? = nil) {
        self.id = id
        self.trigger = trigger
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.error = error
    }
}

/// A process's state as Linux's `/proc/PID/stat` gives it (`R`, `S`, `Z` for a zombie, …).
enum ProcessState {
    static func of(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // `pid (comm) S …`: the command may hold spaces and parentheses, the state follows the last `)`.
        return stat[stat.index(after: close)...].first { $0 != " " }
    }
}
