import Testing
import TowerCore

/// The workflow's edges, written out independently of the implementation's table.
private let expectedEdges: Set<String> = [
    "started→discovery",
    "discovery→planning", "discovery→failed",
    "planning→awaiting_approval", "planning→failed",
    "awaiting_approval→approved", "awaiting_approval→rejected",
    "approved→executing",
    "executing→ci_monitoring", "executing→failed",
    // PLAN.md changed after approval: back to a person before anything is written.
    "executing→awaiting_approval",
    "ci_monitoring→completed", "ci_monitoring→executing", "ci_monitoring→failed",
    "failed→discovery", "failed→planning", "failed→executing", "failed→ci_monitoring",
    // A model call that would pass the task's budget parks it for a person; a grant resumes
    // the step, a stop fails it there.
    "discovery→awaiting_budget", "planning→awaiting_budget", "executing→awaiting_budget", "ci_monitoring→awaiting_budget",
    "awaiting_budget→discovery", "awaiting_budget→planning", "awaiting_budget→executing", "awaiting_budget→ci_monitoring",
    "awaiting_budget→failed",
]

private let allPairs = TaskStatus.allCases.flatMap { from in TaskStatus.allCases.map { (from, $0) } }

@Suite struct TaskStatusTests {
    @Test(arguments: allPairs)
    func transitionIsAllowedExactlyWhenItIsAnEdge(from: TaskStatus, to: TaskStatus) throws {
        let legal = expectedEdges.contains("\(from.rawValue)→\(to.rawValue)")
        #expect(from.canTransition(to: to) == legal)
        if legal {
            try from.checkTransition(to: to)
        } else {
            let error = #expect(throws: IllegalTransition.self) { try from.checkTransition(to: to) }
            #expect(error == IllegalTransition(from: from, to: to))
            #expect(error?.description.contains(from.rawValue) == true)
            #expect(error?.description.contains(to.rawValue) == true)
        }
    }

    @Test func terminalStatusesHaveNoWayOutButRetry() {
        #expect(TaskStatus.completed.isTerminal && TaskStatus.rejected.isTerminal && TaskStatus.failed.isTerminal)
        #expect(TaskStatus.legalTransitions[.completed]!.isEmpty)
        #expect(TaskStatus.legalTransitions[.rejected]!.isEmpty)
        #expect(!TaskStatus.awaitingApproval.isActive && !TaskStatus.awaitingBudget.isActive)
        #expect(TaskStatus.approved.isActive)
    }

    @Test func statusNamesAreTheOriginals() {
        #expect(TaskStatus.allCases.map(\.rawValue) == [
            "started", "discovery", "planning", "awaiting_approval", "awaiting_budget", "approved", "rejected", "executing", "ci_monitoring",
            "completed", "failed",
        ])
    }

    @Test func everyStepsRunningStatusIsReachableFromFailedForRetry() {
        for step in StepKind.allCases {
            #expect(TaskStatus.failed.canTransition(to: step.runningStatus))
        }
    }

    @Test func discoveryAndExecutionGetTwoMoreAttempts() {
        #expect(StepKind.discovery.maxAttempts == 3)
        #expect(StepKind.execution.maxAttempts == 3)
        #expect(StepKind.planning.maxAttempts == 1)
    }

    @Test func taskIDsAreShortAndDistinct() {
        let ids = (0..<1000).map { _ in TaskID.generate() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.hasPrefix("t-") && $0.count == 10 })
        #expect(Token.generate().count == 32)
    }
}
