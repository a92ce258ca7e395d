import Foundation
import TowerCore

/// One row of the audit trail: a person's decision (who, through which channel, when, the note,
/// the plan version approved) or an outside effect Tower caused (a message, a comment, with its
/// idempotency key). Written in the same transaction as what it records, kept apart from the
/// tasks (a task's rows go after 30 days, its audit rows stay), and never updated: the store has
/// no statement that changes one, and the database itself refuses an UPDATE, and a DELETE of a row
/// younger than ``AuditRetention/minimum``.
public struct AuditRecord: Sendable, Equatable, Codable {
    /// A person's decision, or an effect on another service.
    public enum Kind: String, Sendable, Codable {
        case decision, effect
    }

    /// Its place in the trail (set by the store).
    public var sequence: Int64?
    public var at: Date
    public var kind: Kind
    /// `approve`, `reject`, `retry`, `freeze`, `unfreeze`, `budget_grant`, `budget_stop`,
    /// `daily_grant`, `limit`, `redeliver`; for an effect, the service and the kind of message
    /// (`slack_approval`, `jira_comment`, …).
    public var action: String
    public var taskId: String?
    /// Who decided, or `tower` for an effect.
    public var user: String
    /// The channel a decision came through (`console`, `slack`, `cli`, …), or the effect's service.
    public var channel: String
    public var note: String?
    /// The plan an approval approved: its content hash, and the edit it carries, if any.
    public var planVersion: String?
    /// An effect's idempotency key.
    public var key: String?
    /// What else the row needs to be read alone: an amount, a limit, a delivery id, an effect's
    /// target and outcome.
    public var detail: String?

    public init(
        sequence: Int64? = nil, at: Date, kind: Kind, action: String, taskId: String?, user: String, channel: String, note: String? = nil,
        planVersion: String? = nil, key: String? = nil, detail: String? = nil
    ) {
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.action = action
        self.taskId = taskId
        self.user = user
        self.channel = channel
        self.note = note
        self.planVersion = planVersion
        self.key = key
        self.detail = detail
    }

    /// A decision by `actor`.
    public static func decision(
        _ action: String, taskId: String?, by actor: Actor, at: Date, note: String? = nil, plan: PlanVersion? = nil, detail: String? = nil
    ) -> AuditRecord {
        AuditRecord(
            at: at, kind: .decision, action: action, taskId: taskId, user: actor.user, channel: actor.channel.rawValue, note: note,
            planVersion: plan.map { plan in plan.hash + (plan.edit.map { " (\($0.description))" } ?? "") }, detail: detail)
    }

    /// A pause or resume of a task or a repository: the task's id is the row's task; a
    /// repository is named in the detail.
    static func halt(_ action: String, _ scope: Halt.Scope, _ name: String, by actor: Actor, at: Date) -> AuditRecord {
        .decision(action, taskId: scope == .task ? name : nil, by: actor, at: at, detail: scope == .repository ? "repository \(name)" : nil)
    }

    /// The effect an outbox message records (sent, failed or not sent, with why).
    public static func effect(_ message: OutboxMessage) -> AuditRecord {
        AuditRecord(
            at: message.at, kind: .effect, action: "\(message.service)_\(message.kind)", taskId: message.taskId, user: "tower", channel: message.service,
            key: message.key, detail: "\(message.target): \(message.status.rawValue)" + (message.error.map { " (\($0))" } ?? ""))
    }
}

/// How long audit rows are kept: the original keeps task rows 90 days; the audit trail outlives
/// them, for a year's compliance review and a month to spare.
public enum AuditRetention {
    /// 400 days, unless `TOWER_AUDIT_RETENTION_DAYS` says otherwise.
    public static let `default`: TimeInterval = 400 * 86_400
    /// No row younger than this can be deleted, whatever is configured (the databases refuse it).
    public static let minimum: TimeInterval = 30 * 86_400
}
