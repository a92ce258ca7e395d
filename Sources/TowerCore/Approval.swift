import Foundation

/// The decision on a plan.
public enum ApprovalDecision: String, Codable, Sendable, CaseIterable {
    case approved
    case rejected
}

/// Where a decision (or any operator command) came from.
public enum CommandChannel: String, Codable, Sendable, CaseIterable {
    case cli
    case console
    case slackCommand = "slack_command"
    case slackButton = "slack_button"
    case githubComment = "github_comment"
    case api
}

/// The approval token Planning creates, as Step Functions' waitForTaskToken: one pending
/// request per plan; exactly one decision is ever recorded on it.
public struct Approval: Codable, Sendable, Equatable {
    public var token: String
    public var taskId: String
    public var requestedAt: Date
    public var decision: ApprovalDecision?
    public var decidedBy: String?
    public var channel: CommandChannel?
    public var reason: String?
    public var decidedAt: Date?
    /// The plan this request is for, and a decision approves: updated while the request is
    /// pending when a reviewer edits PLAN.md, fixed once decided. `nil` for requests made
    /// before plans were versioned.
    public var plan: PlanVersion?
    /// What the task's model calls should cost, and the budget approving grants.
    public var estimate: CostEstimate?

    public init(
        token: String, taskId: String, requestedAt: Date, decision: ApprovalDecision? = nil,
        decidedBy: String? = nil, channel: CommandChannel? = nil, reason: String? = nil, decidedAt: Date? = nil, plan: PlanVersion? = nil,
        estimate: CostEstimate? = nil
    ) {
        self.estimate = estimate
        self.plan = plan
        self.token = token
        self.taskId = taskId
        self.requestedAt = requestedAt
        self.decision = decision
        self.decidedBy = decidedBy
        self.channel = channel
        self.reason = reason
        self.decidedAt = decidedAt
    }

    /// Whether a decision has been recorded.
    public var isDecided: Bool { decision != nil }
}

/// Who asks for an operator command and through which channel: kept with every decision.
public struct Actor: Codable, Sendable, Equatable {
    public var user: String
    public var channel: CommandChannel

    public init(user: String, channel: CommandChannel) {
        self.user = user
        self.channel = channel
    }
}
