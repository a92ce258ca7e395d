import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

/// What a task's trace needs from the store, on both backends: the webhook's `traceparent` kept
/// with its delivery and with the task it starts, and the root's written by the engine's update.
@Suite struct TraceContextStoreTests {
    @Test(arguments: StoreBackend.allCases) func traceParentsAreKeptWithTasksAndDeliveries(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("trace")
        let sender = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let delivery = WebhookDelivery(id: "jira-1", source: "jira", event: "jira:issue_created", body: Data("{}".utf8), receivedAt: Date(), traceParent: sender)
        #expect(try await store.enqueueDeliveries([delivery, WebhookDelivery(id: "jira-2", source: "jira", event: "x", body: Data(), receivedAt: Date())]) == [true, true])
        let pending = try await store.pendingDeliveries(limit: 10)
        #expect(pending.first { $0.id == "jira-1" }?.traceParent == sender)
        #expect(pending.first { $0.id == "jira-2" }?.traceParent == nil)

        let task = TowerTask.new(ticketId: "OPS-1", title: "t", description: "", source: .jira, now: Date(), originTraceParent: sender)
        try await store.insertTask(task, event: nil, actor: Actor(user: "test", channel: .api))
        var stored = try #require(try await store.task(id: task.id))
        #expect(stored.originTraceParent == sender && stored.traceParent == nil)

        let root = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        var begun = stored
        begun.status = .discovery
        begun.traceParent = root
        try await store.apply(TaskUpdate(task: begun, expectedStatus: stored.status, expectedStep: stored.step))
        stored = try #require(try await store.task(id: task.id))
        #expect(stored.traceParent == root && stored.originTraceParent == sender)
        #expect(try await store.tasks(status: nil, limit: nil).first?.traceParent == root)
    }
}
