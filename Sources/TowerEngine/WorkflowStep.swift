import Foundation
import TowerCore
import TowerStore

/// One step of the workflow as the engine runs it: the agents implement this (a later module),
/// and tests and benchmarks plug in their own.
///
/// A step may be run more than once for the same task (a retry, or a resume after the process
/// was killed before the result was stored). Every outside effect it makes must therefore be
/// keyed by ``StepContext/idempotencyKey`` so that a second run finds what the first did.
public protocol WorkflowStep: Sendable {
    func run(_ context: StepContext) async throws -> StepOutcome
}

/// What a step returns.
public enum StepOutcome: Sendable {
    /// The step did its work; its output is stored and the workflow moves on.
    case completed(StepOutput)
    /// CI failed: the task goes back to Execution (up to the configured limit), then fails.
    case ciFailed(StepOutput, reason: String)
    /// What was approved is not what would run (PLAN.md changed after the decision): nothing was
    /// written, and the task waits for a person again, with a request for `output.plan`.
    case approvalNeeded(StepOutput, reason: String)
}

/// A step's result: JSON for the next steps, artifacts for people, a line for the log.
public struct StepOutput: Sendable {
    public var json: Data
    public var artifacts: [ArtifactDraft]
    public var summary: String?
    /// The task's title as the step learned it (the Jira summary of a task started from a key).
    public var title: String?
    /// The plan an approval request made after this step is for (Planning's, or the edited one).
    public var plan: PlanVersion?
    /// What the task should cost, shown with that approval request (Planning's estimate).
    public var estimate: CostEstimate?

    public init(
        json: Data = Data("{}".utf8), artifacts: [ArtifactDraft] = [], summary: String? = nil, title: String? = nil, plan: PlanVersion? = nil,
        estimate: CostEstimate? = nil
    ) {
        self.estimate = estimate
        self.plan = plan
        self.json = json
        self.artifacts = artifacts
        self.summary = summary
        self.title = title
    }

    /// An output whose JSON is an encoded value.
    public init(
        encoding value: some Encodable, artifacts: [ArtifactDraft] = [], summary: String? = nil, title: String? = nil, plan: PlanVersion? = nil,
        estimate: CostEstimate? = nil
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        self.init(json: try encoder.encode(value), artifacts: artifacts, summary: summary, title: title, plan: plan, estimate: estimate)
    }
}

/// A failure that retrying cannot fix (a service that is not configured, a malformed plan):
/// the task fails at once instead of spending its attempts.
public struct PermanentStepFailure: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// The implementation of every step, by kind.
public struct Workflow: Sendable {
    public var steps: [StepKind: any WorkflowStep]
    /// What the engine runs on a schedule besides the tasks (the Sentry monitor).
    public var jobs: [any ScheduledJob]

    public init(steps: [StepKind: any WorkflowStep], jobs: [any ScheduledJob] = []) {
        self.steps = steps
        self.jobs = jobs
    }

    /// Every kind in order, each with the same implementation (tests and benchmarks).
    public init(uniform step: any WorkflowStep) {
        self.steps = Dictionary(uniqueKeysWithValues: StepKind.allCases.map { ($0, step) })
        self.jobs = []
    }
}

/// A step made of a closure, for wiring small steps without a type of their own.
public struct ClosureStep: WorkflowStep {
    let body: @Sendable (StepContext) async throws -> StepOutcome

    public init(_ body: @escaping @Sendable (StepContext) async throws -> StepOutcome) { self.body = body }

    public func run(_ context: StepContext) async throws -> StepOutcome { try await body(context) }
}
