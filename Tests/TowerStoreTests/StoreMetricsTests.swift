import Foundation
import Testing
import TowerCore
import TowerTestSupport

@testable import TowerStore

/// What `/metrics` reads from the store, on both backends: plans waiting and the oldest wait,
/// who holds the lease, the workers by state; rendered as Prometheus's text.
@Suite struct StoreMetricsTests {
    @Test(arguments: StoreBackend.allCases) func approvalsWaitingAndTheOldestWait(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("store-metrics")
        let actor = Actor(user: "test", channel: .cli)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        for (i, asked) in [t0, t0.addingTimeInterval(600), t0.addingTimeInterval(1_200)].enumerated() {
            let task = try await seedAwaitingApproval(store, ticket: "M-\(i)", at: asked)
            // The oldest is decided: the oldest still waiting was asked 10 minutes later.
            if i == 0 { _ = try await store.decide(taskId: task.id, decision: .approved, actor: actor, reason: nil, at: asked.addingTimeInterval(60)) }
        }
        let metrics = try await store.scrape(now: t0.addingTimeInterval(4_200))
        #expect(metrics.approvalsWaiting == 2)
        #expect(metrics.oldestApprovalRequestedAt == t0.addingTimeInterval(600))
        #expect(metrics.prometheus.contains("tower_approvals_waiting 2\n"))
        #expect(metrics.prometheus.contains("tower_approval_oldest_wait_seconds 3600\n"))
        #expect(metrics.prometheus.contains("tower_workers{state=\"running\"} 0\n"))
    }

    @Test func theLeaseHolderAndTheWorkersAreLabelled() {
        var metrics = StoreMetrics()
        metrics.leaseHolder = #"host:42:ab"c"#
        metrics.workers = ["running": 2, "lost": 1]
        let text = metrics.prometheus
        #expect(text.contains(#"tower_engine_lease_held{holder="host:42:ab\"c"} 1"#))
        #expect(text.contains("tower_workers{state=\"running\"} 2\n"))
        #expect(text.contains("tower_workers{state=\"lost\"} 1\n"))
        #expect(text.contains("tower_approval_oldest_wait_seconds 0\n"), "nothing waits: zero, not absent")
    }
}
