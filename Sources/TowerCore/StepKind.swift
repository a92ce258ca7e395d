/// The durable steps of the workflow, in the original state machine's order
/// (Discovery → Planning → WaitForApproval/CheckApproval → Execution → CICDMonitoring → Complete).
///
/// The approval wait is not a step that runs: Planning ends by creating a pending approval and
/// the task parks in `awaiting_approval` until a decision arrives.
public enum StepKind: String, Codable, Sendable, CaseIterable {
    case discovery
    case planning
    case execution
    case ciMonitoring = "ci_monitoring"
    case completion

    /// The status a task shows while this step runs.
    public var runningStatus: TaskStatus {
        switch self {
        case .discovery: .discovery
        case .planning: .planning
        case .execution: .executing
        case .ciMonitoring, .completion: .ciMonitoring
        }
    }

    /// The agent that runs this step, as shown in the console's "agent" column.
    public var agent: String {
        switch self {
        case .discovery: "discovery"
        case .planning: "planning"
        case .execution: "execution"
        case .ciMonitoring: "cicd"
        case .completion: "notify"
        }
    }

    /// How many times the step is tried in all before the task fails: Discovery and
    /// Execution get 2 more attempts after the first (the original's `MaxAttempts: 2`).
    public var maxAttempts: Int {
        switch self {
        case .discovery, .execution: 3
        case .planning, .ciMonitoring, .completion: 1
        }
    }

    /// Progress (0–100) shown once the step has finished.
    public var progressWhenDone: Int {
        switch self {
        case .discovery: 20
        case .planning: 40
        case .execution: 70
        case .ciMonitoring: 90
        case .completion: 100
        }
    }

    /// The step that follows this one; `nil` after Planning (a human decides) and after completion.
    public var next: StepKind? {
        switch self {
        case .discovery: .planning
        case .planning: nil
        case .execution: .ciMonitoring
        case .ciMonitoring: .completion
        case .completion: nil
        }
    }
}
