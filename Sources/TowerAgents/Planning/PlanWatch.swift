import Foundation
import Synchronization
import TowerCore
import TowerEngine
import TowerServices
import TowerStore

/// The engine's look, every `TOWER_PLAN_WATCH_INTERVAL`, at PLAN.md of each plan awaiting
/// approval. A reviewer's edit before the decision is welcome: the pending request moves to the
/// plan as it stands (stored, with the commit that edited it, for the console's approval dialog
/// and `tower agent status`), and Slack is asked again with the edit named. A decision then
/// approves the version its channel showed; one taken before the look caught up is checked by
/// Execution, which never runs a version nobody approved.
public struct PlanWatch: ScheduledJob {
    let services: AgentServices
    let store: any Store
    let interval: TimeInterval
    private let lastRun = LastRun()

    public init(services: AgentServices, store: any Store) {
        self.services = services
        self.store = store
        self.interval = services.ci.planWatchInterval
    }

    public var name: String { "plan-watch" }

    public func due(now: Date) async throws -> Date {
        lastRun.date.map { $0.addingTimeInterval(interval) } ?? now
    }

    /// One look at every waiting plan; a plan that cannot be read is named, the others still looked at.
    public func run() async throws {
        lastRun.date = Date()
        guard let forge = services.forge else { return }
        var failures: [String] = []
        for task in try await store.tasks(status: .awaitingApproval, limit: 500) {
            do {
                try await look(at: task, forge: forge)
            } catch {
                failures.append("\(task.id): \(error)")
            }
        }
        if !failures.isEmpty { throw PlanWatchError(failures: failures) }
    }

    /// Moves the task's pending request to PLAN.md as it stands, when it was edited.
    func look(at task: TowerTask, forge: any Forge) async throws {
        guard let approval = try await store.approval(taskId: task.id), !approval.isDecided, let requested = approval.plan else { return }
        var planningOutput: Data?
        for cycle in stride(from: task.cycle, through: 0, by: -1) where planningOutput == nil {
            planningOutput = try await store.phaseResult(taskId: task.id, step: .planning, cycle: cycle)?.output
        }
        guard let planningOutput else { return }
        let planning = try JSONDecoder().decode(PlanningOutput.self, from: planningOutput)
        let current = try await PlanVersions.current(planning, forge: forge)
        guard !current.version.sameText(as: requested) else { return }
        let note = "PLAN.md was edited before approval \(PlanVersions.changeNote(current.version))"
        let event = TaskEvent(
            taskId: task.id, at: Date(), level: .info, agent: "approval",
            message: "\(note); the approval request is now for the plan as it stands (\(current.version.shortHash), \(current.plan.tasks.count) tasks)", milestone: true)
        let moved = try await store.updatePendingPlan(
            taskId: task.id, plan: current.version, artifacts: [ArtifactDraft(kind: .plan, name: "PLAN.md", content: Data(current.text.utf8))], events: [event],
            at: event.at)
        guard moved else { return }
        try await services.notifier(store: store, taskId: task.id, agent: "approval").slackApproval(
            ticket: planning.ticket.key, title: planning.ticket.title,
            summary: "\(note). The plan as it stands:\n" + PlanMessages.slackSummary(plan: current.plan, pullRequests: planning.pullRequests, estimate: nil),
            pullRequest: planning.pullRequests.first?.url, key: "\(task.id)/plan/\(current.version.hash.prefix(16))/slack-approval")
    }

    /// When the watch last looked (in memory: a restart looks at once, which costs one read per plan).
    final class LastRun: Sendable {
        private let value = Mutex<Date?>(nil)
        var date: Date? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }
}

/// Plans the watch could not read, by task.
struct PlanWatchError: Error, CustomStringConvertible {
    var failures: [String]
    var description: String { "PLAN.md could not be read for \(failures.joined(separator: "; "))" }
}
