/// The status of a task as the operator sees it: the original's task state diagram.
///
/// Only the transitions in ``TaskStatus/legalTransitions`` may happen; every status
/// change in Tower goes through ``TaskStatus/checkTransition(to:)`` so that no caller
/// (engine, CLI, Slack, console) can move a task along an edge the workflow does not have.
public enum TaskStatus: String, Codable, Sendable, CaseIterable, Comparable {
    case started
    case discovery
    case planning
    case awaitingApproval = "awaiting_approval"
    /// Stopped before a model call that would pass the task's granted budget: its step is kept
    /// and runs on when a person grants more.
    case awaitingBudget = "awaiting_budget"
    case approved
    case rejected
    case executing
    case ciMonitoring = "ci_monitoring"
    case completed
    case failed

    /// Every legal edge. The original's diagram, plus the edges a durable engine needs: a step
    /// that fails for good moves its task to `failed`, `retry` moves a failed task back to the
    /// status of the step that failed, and Execution that finds PLAN.md changed since it was
    /// approved sends the task back to `awaiting_approval` before it writes anything. A step
    /// that would pass the task's budget parks it at `awaiting_budget`; a grant sends it back to
    /// the step's status, and a person who stops it there fails it (retry resumes the step).
    public static let legalTransitions: [TaskStatus: Set<TaskStatus>] = [
        .started: [.discovery],
        .discovery: [.planning, .failed, .awaitingBudget],
        .planning: [.awaitingApproval, .failed, .awaitingBudget],
        .awaitingApproval: [.approved, .rejected],
        .awaitingBudget: [.discovery, .planning, .executing, .ciMonitoring, .failed],
        .approved: [.executing],
        .executing: [.ciMonitoring, .failed, .awaitingApproval, .awaitingBudget],
        .ciMonitoring: [.completed, .executing, .failed, .awaitingBudget],
        .completed: [],
        .rejected: [],
        .failed: [.discovery, .planning, .executing, .ciMonitoring],
    ]

    /// Whether `self → next` is an edge of the workflow.
    public func canTransition(to next: TaskStatus) -> Bool {
        Self.legalTransitions[self, default: []].contains(next)
    }

    /// Throws ``IllegalTransition`` naming both states unless `self → next` is legal.
    public func checkTransition(to next: TaskStatus) throws(IllegalTransition) {
        guard canTransition(to: next) else { throw IllegalTransition(from: self, to: next) }
    }

    /// A task in a terminal status never runs again (`failed` may be retried by an operator).
    public var isTerminal: Bool { self == .completed || self == .rejected || self == .failed }

    /// A task the engine should be driving: not finished and not parked on a human.
    public var isActive: Bool { !isTerminal && !waitsForPerson }

    /// Parked until a person decides: a plan to approve, or more budget to grant.
    public var waitsForPerson: Bool { self == .awaitingApproval || self == .awaitingBudget }

    /// Position in the workflow, used to sort the board.
    private var order: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: TaskStatus, rhs: TaskStatus) -> Bool { lhs.order < rhs.order }
}

/// A status change the workflow does not allow. The message names both states.
public struct IllegalTransition: Error, Equatable, Sendable, CustomStringConvertible {
    public let from: TaskStatus
    public let to: TaskStatus

    public init(from: TaskStatus, to: TaskStatus) {
        self.from = from
        self.to = to
    }

    public var description: String {
        "illegal status transition: \(from.rawValue) → \(to.rawValue)"
    }
}
