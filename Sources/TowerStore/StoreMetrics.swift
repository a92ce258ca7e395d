import Foundation
import TowerCore

/// What `/metrics` reads from the store at each scrape, so every process reports the same.
public struct StoreMetrics: Sendable, Equatable {
    public var tasksByStatus: [String: Int] = [:]
    public var pendingDeliveries = 0
    public var inputTokens = 0
    public var outputTokens = 0
    /// Every call's priced cost, ever; calls without a price; today's (UTC) cost.
    public var spend = Spend()
    public var today = Spend()
    /// Tasks whose plan waits for a person's decision, and when the oldest of those requests was made.
    public var approvalsWaiting = 0
    public var oldestApprovalRequestedAt: Date?
    /// Who holds the SQLite engine lease now (nil: nobody, or the store shares work by claims).
    public var leaseHolder: String?
    /// Workers sharing the store by claims, by state (`running`, `silent`, `lost`, `stopped`).
    public var workers: [String: Int] = [:]
    /// When the figures were read (the approvals' age is measured to it).
    public var measuredAt = Date()

    public init() {}

    /// The store's figures in Prometheus's text format.
    public var prometheus: String {
        var lines = ["# TYPE tower_tasks gauge"]
        for status in TaskStatus.allCases.map(\.rawValue) { lines.append("tower_tasks{status=\"\(status)\"} \(tasksByStatus[status] ?? 0)") }
        let oldest = oldestApprovalRequestedAt.map { max(0, measuredAt.timeIntervalSince($0)) } ?? 0
        lines += [
            "# HELP tower_approvals_waiting plans waiting for a person's decision",
            "# TYPE tower_approvals_waiting gauge", "tower_approvals_waiting \(approvalsWaiting)",
            "# HELP tower_approval_oldest_wait_seconds how long the oldest waiting plan has waited (0 when none waits)",
            "# TYPE tower_approval_oldest_wait_seconds gauge", "tower_approval_oldest_wait_seconds \(Int(oldest))",
        ]
        lines += ["# HELP tower_engine_lease_held the engine lease's holder (SQLite)", "# TYPE tower_engine_lease_held gauge"]
        if let leaseHolder { lines.append("tower_engine_lease_held{holder=\"\(Self.escape(leaseHolder))\"} 1") }
        lines += ["# HELP tower_workers workers sharing the store by claims, by state", "# TYPE tower_workers gauge"]
        for state in ["running", "silent", "lost", "stopped"] { lines.append("tower_workers{state=\"\(state)\"} \(workers[state] ?? 0)") }
        lines += ["# TYPE tower_webhook_inbox_pending gauge", "tower_webhook_inbox_pending \(pendingDeliveries)"]
        lines += [
            "# TYPE tower_llm_tokens_total counter", "tower_llm_tokens_total{direction=\"input\"} \(inputTokens)",
            "tower_llm_tokens_total{direction=\"output\"} \(outputTokens)",
            "# HELP tower_llm_cost_dollars_total US dollars spent on model calls with a known price",
            "# TYPE tower_llm_cost_dollars_total counter", "tower_llm_cost_dollars_total \(spend.dollars)",
            "# HELP tower_llm_calls_unpriced_total model calls whose model has no price in the table",
            "# TYPE tower_llm_calls_unpriced_total counter", "tower_llm_calls_unpriced_total \(spend.unpriced)",
            "# HELP tower_llm_cost_today_dollars US dollars spent on model calls since midnight UTC",
            "# TYPE tower_llm_cost_today_dollars gauge", "tower_llm_cost_today_dollars \(today.dollars)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value as Prometheus's text format quotes it.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
