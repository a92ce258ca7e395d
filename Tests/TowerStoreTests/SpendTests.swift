import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

/// What model calls cost, per task and per day, in a real SQLite file and a real PostgreSQL database: the priced sum, and the
/// calls without a price counted apart (never as $0).
@Suite struct SpendTests {
    func call(_ taskId: String?, cost: Double?, at: Date, cacheRead: Int = 0) -> LLMCallRecord {
        LLMCallRecord(
            taskId: taskId, step: "planning", purpose: "plan", model: cost == nil ? "openai:qwen2.5-coder-32b" : "claude-sonnet-4-20250514", system: "",
            prompt: "", answer: "", inputTokens: 1_000, outputTokens: 200, cacheReadTokens: cacheRead, cost: cost, durationMs: 900, at: at)
    }

    @Test(arguments: StoreBackend.allCases) func spendPerTaskAndPerDayWithUnpricedCallsApart(_ backend: StoreBackend) async throws {
        let store = try await backend.makeStore("spend")
        let midnight = Calendar.utc.startOfDay(for: Date())
        let yesterday = midnight.addingTimeInterval(-3_600)
        try await store.recordLLMCall(call("T-1", cost: 0.25, at: yesterday))
        try await store.recordLLMCall(call("T-1", cost: 0.5, at: midnight.addingTimeInterval(60), cacheRead: 5_000))
        try await store.recordLLMCall(call("T-1", cost: nil, at: midnight.addingTimeInterval(120)))
        try await store.recordLLMCall(call("T-2", cost: 1.0, at: midnight.addingTimeInterval(180)))

        let task = try await store.spend(taskId: "T-1", since: nil)
        #expect(task == Spend(dollars: 0.75, calls: 3, unpriced: 1))
        #expect(task.summary == "$0.7500 + 1 unpriced (3 calls)")
        #expect(try await store.spend(taskId: nil, since: midnight) == Spend(dollars: 1.5, calls: 3, unpriced: 1))
        #expect(Spend(dollars: 0, calls: 2, unpriced: 2).summary == "price unknown (2 calls)")
        #expect(Spend().summary == "no model calls")
        #expect(try await store.llmCalls(taskId: "T-1").map(\.cacheReadTokens) == [0, 5_000, 0])

        let metrics = try await store.metrics()
        #expect(metrics.prometheus.contains("tower_llm_cost_dollars_total 1.75\n"))
        #expect(metrics.prometheus.contains("tower_llm_calls_unpriced_total 1\n"))
        #expect(metrics.prometheus.contains("tower_llm_cost_today_dollars 1.5\n"))
    }
}
