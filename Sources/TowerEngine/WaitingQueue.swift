import Foundation
import TowerCore
import TowerStore

/// One task waiting for a person, and why: what the console's Approvals screen, `tower agent
/// list --waiting` and an on-call engineer's first look share.
public struct WaitingItem: Sendable, Equatable {
    /// Why it waits.
    public enum Reason: Sendable, Equatable {
        /// A plan to approve or reject.
        case plan
        /// A plan edited on its branch after it was planned (or approved): approving approves the
        /// edit, named as `acme/api@1a2b3c4d ("subject")`.
        case planEdited(String)
        /// Stopped before a model call that would pass its budget.
        case budget(String)
        /// CI failed in a way the agents do not fix; it failed so that a person looks.
        case escalation(String)
    }

    public var task: TowerTask
    /// Since when it waits: the approval's request, else the task's last change.
    public var since: Date
    public var reason: Reason
    /// The plan's cost estimate and the budget approving grants, short: `~$0.09, budget $0.14`.
    public var estimate: String?
    /// The repositories the plan touches, and how many tasks it has (plans only).
    public var repositories: [String] = []
    public var planTasks: Int?
    /// The plan's summary, as PLAN.md states it (plans only).
    public var summary: String?

    public init(task: TowerTask, since: Date, reason: Reason, estimate: String? = nil) {
        self.task = task
        self.since = since
        self.reason = reason
        self.estimate = estimate
    }

    /// Where CI stands for it, in a word: failed (escalated), watching (its PR's runs), or none yet.
    public var ci: String {
        if case .escalation = reason { return "failed" }
        return task.step == .ciMonitoring || task.failedStep == .ciMonitoring ? "watching" : "—"
    }

    /// The task tab a row opens on: the plan, the edit made to it, the CI failure, or the log.
    public var opensOn: String {
        switch reason {
        case .plan: "plan"
        case .planEdited: "diff"
        case .escalation: "ci"
        case .budget: "log"
        }
    }

    /// The reason in a few words, for a table's column.
    public var why: String {
        switch reason {
        case .plan: "plan to approve"
        case .planEdited(let edit): "plan edited: \(edit)"
        case .budget(let what): "budget: \(what)"
        case .escalation(let what): "CI escalation: \(what)"
        }
    }

    /// Whether `a` and `r` apply (a plan waits); `b` applies to budget and `R` to an escalation.
    public var isPlan: Bool {
        switch reason {
        case .plan, .planEdited: true
        default: false
        }
    }
}

extension WaitingItem {
    /// The plan's repositories (its tasks', its components', the branches its version was read
    /// from) and its number of tasks.
    mutating func describe(plan: PlanDocument?, version: PlanVersion?) {
        var names = Set(plan?.tasks.compactMap(\.repository) ?? [])
        names.formUnion(plan?.components.compactMap(\.repository) ?? [])
        names.formUnion(version?.blobs.keys.map { $0 } ?? [])
        if names.isEmpty, let pinned = task.repository { names.insert(pinned) }
        repositories = names.sorted()
        planTasks = plan?.tasks.count
        summary = plan.map(\.summary).flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// The queue of tasks waiting for a person, oldest first.
public enum WaitingQueue {
    /// The start of a failure that CI escalated (CICDAgent's words).
    static let escalated = "CI escalated to a person: "

    /// `tasks` (any statuses: those not waiting are left out) with their undecided approvals.
    public static func build(_ tasks: [TowerTask], approvals: [String: Approval]) -> [WaitingItem] {
        tasks.compactMap { task -> WaitingItem? in
            switch task.status {
            case .awaitingApproval:
                let approval = approvals[task.id]
                let reason: WaitingItem.Reason = approval?.plan?.edit.map { .planEdited($0.description) } ?? .plan
                let estimate = approval?.estimate.map { e in
                    (e.dollars.map { "~" + Dollars.text($0) } ?? "cost unknown") + (e.grant.map { ", budget " + Dollars.text($0) } ?? "")
                }
                return WaitingItem(task: task, since: approval?.requestedAt ?? task.updatedAt, reason: reason, estimate: estimate)
            case .awaitingBudget:
                return WaitingItem(task: task, since: task.updatedAt, reason: .budget(task.waitingFor ?? "its budget is spent"))
            case .failed where task.failedStep == .ciMonitoring && (task.lastError ?? "").hasPrefix(escalated):
                return WaitingItem(task: task, since: task.updatedAt, reason: .escalation(String((task.lastError ?? "").dropFirst(escalated.count))))
            default:
                return nil
            }
        }
        .sorted { ($0.since, $0.task.id) < ($1.since, $1.task.id) }
    }

    /// The queue from the store: the waiting tasks and the approvals of those that wait for one.
    public static func load(from store: any Store) async throws -> [WaitingItem] {
        var tasks = try await store.tasks(status: .awaitingApproval, limit: nil)
        tasks += try await store.tasks(status: .awaitingBudget, limit: nil)
        tasks += try await store.tasks(status: .failed, limit: 500).filter { $0.failedStep == .ciMonitoring }
        var approvals: [String: Approval] = [:]
        for task in tasks where task.status == .awaitingApproval {
            if let approval = try await store.approval(taskId: task.id), !approval.isDecided { approvals[task.id] = approval }
        }
        var queue = build(tasks, approvals: approvals)
        for index in queue.indices where queue[index].isPlan {
            let id = queue[index].task.id
            let latest = try await store.artifacts(taskId: id, kind: .plan).max { $0.version < $1.version }
            let plan = latest.flatMap { try? PlanDocument.parse(String(decoding: $0.content, as: UTF8.self)) }
            queue[index].describe(plan: plan, version: approvals[id]?.plan)
        }
        return queue
    }
}
