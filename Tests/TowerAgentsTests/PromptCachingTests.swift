import Foundation
import Testing
import TowerCore
import TowerDemo
import TowerEngine
import TowerHTTPTestSupport
@testable import TowerLLM
import TowerStore
import TowerTestLog
import TowerTestSupport

@testable import TowerAgents

/// Prompt caching over Anthropic's wire, counted from a stand-in that caches by the API's
/// documented rules: Execution's prompts start with what repeats (tools, system, the ticket and
/// the plan, then the task), so later plan tasks and attempts read it back.
@Suite(.serialized) struct PromptCachingTests {
    /// What the calls of one step read, wrote and took fresh, and what they cost against what
    /// they would have cost with nothing cached.
    struct Figures: CustomStringConvertible {
        var fresh = 0, written = 0, read = 0, calls = 0
        var cost = 0.0, uncachedCost = 0.0

        init(_ calls: [LLMCallRecord], prices: PriceTable) {
            for call in calls {
                fresh += call.inputTokens
                written += call.cacheWriteTokens
                read += call.cacheReadTokens
                self.calls += 1
                cost += call.cost ?? 0
                let all = LLMUsage(inputTokens: call.inputTokens + call.cacheWriteTokens + call.cacheReadTokens, outputTokens: call.outputTokens)
                uncachedCost += prices.cost(all, for: ModelChoice(call.model)) ?? 0
            }
        }

        var description: String {
            let input = fresh + written + read
            return "\(calls) calls, \(input) input tokens: \(read) read from the cache (\(input == 0 ? 0 : read * 100 / input)%), \(written) written, \(fresh) fresh; "
                + String(format: "$%.4f against $%.4f uncached (%.0f%% saved)", cost, uncachedCost, uncachedCost == 0 ? 0 : (1 - cost / uncachedCost) * 100)
        }
    }

    /// The demo's story over the Anthropic API: the stand-in answers each call with the demo's
    /// recording of that call, and caches as the API does.
    @Test func theDemoStoryReadsTheSharedContextFromTheCacheOnEveryLaterPlanTask() async throws {
        let site = DemoSite(root: TemporaryDirectory.make("demo-cache"))
        let store = try SQLiteStore(directory: site.stateDirectory)
        try await site.prepare(store: store)
        let recordings = try FileManager.default.contentsOfDirectory(atPath: site.recordingsDirectory.path).filter { $0.hasSuffix(".json") }.map {
            try JSONDecoder().decode(ReplayProvider.Transcript.self, from: Data(contentsOf: site.recordingsDirectory.appendingPathComponent($0)))
        }
        let anthropic = AnthropicStandIn { body in
            let tool = AnthropicStandIn.forcedTool(body) ?? ""
            var call: String?
            if tool == "submit_changes", let (number, _) = CodeScript.task(body) {
                let attempt = AnthropicStandIn.promptText(body).components(separatedBy: "## Previous attempt (attempt ").dropFirst().first?.prefix { $0.isNumber } ?? "1"
                call = "plan-task \(number) attempt \(attempt)"
            }
            let recording = recordings.first { call != nil ? $0.call == call : $0.toolCalls.first?.name == tool }
            return recording?.toolCalls.first?.input ?? .object([:])
        }
        let server = try await TestServer.start { anthropic.routes($0) }
        defer { server.stop() }
        let prices = try AgentServices.prices(.fixed([:]))
        let llm = PricedProvider(
            AnthropicProvider(apiKey: TestSecrets.anthropicKey, baseURL: server.base.appendingPathComponent("anthropic")), prices: prices)
        let services = site.services(store: store, configuration: site.configuration(ciPollInterval: 0.05), llm: llm)
        let engine = Engine(store: store, workflow: Workflow.agents(services), configuration: EngineConfiguration(backoff: RetryBackoff(base: 0.01, maximum: 0.02)))
        let running = Task { await engine.run() }
        defer { running.cancel() }
        let (started, _) = try await site.task(store: store, by: Actor(user: "test", channel: .api))
        var task = try await until(store, started.id) { $0 == .awaitingApproval }
        _ = try await store.decide(taskId: task.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        task = try await until(store, started.id) { $0.isTerminal }
        #expect(task.status == .completed, "\(task.lastError ?? "")")

        let calls = try await store.llmCalls(taskId: task.id)
        let execution = calls.filter { $0.step == "execution" }
        #expect(execution.map(\.purpose) == ["plan-task 1 attempt 1", "plan-task 1 attempt 2", "plan-task 2 attempt 1", "plan-task 3 attempt 1"])
        // The first call writes the shared prefix; every later one reads at least it.
        #expect(execution.first.map { $0.cacheWriteTokens > 0 && $0.cacheReadTokens == 0 } == true)
        #expect(execution.dropFirst().allSatisfy { $0.cacheReadTokens > 0 }, "\(execution.map(\.cacheReadTokens))")
        // The second attempt reads the task as well: more than the next task, which shares only the plan.
        #expect(execution[1].cacheReadTokens > execution[2].cacheReadTokens)
        // One-off calls (Discovery, Planning) ask for no cache, and so pay no write.
        #expect(calls.filter { $0.step != "execution" }.allSatisfy { $0.cacheWriteTokens == 0 && $0.cacheReadTokens == 0 })
        let bodies = anthropic.requests.filter { AnthropicStandIn.forcedTool($0) == "submit_changes" }
        #expect(bodies.allSatisfy { $0["system"]?[0]?["cache_control"]?["type"]?.string == "ephemeral" })
        #expect(bodies.allSatisfy { $0["messages"]?[0]?["content"]?[1]?["cache_control"] != nil && $0["messages"]?[0]?["content"]?[2]?["cache_control"] == nil })
        // Checked against the Messages API as Anthropic's SDK defines it (TextBlockParam with a
        // CacheControlEphemeralParam), not only against this stand-in.
        let published = try JSONValue.parse(Data(contentsOf: Contract.directory.appendingPathComponent("anthropic.json")))
        let textBlock = try #require(published["components"]?["text_block"])
        let system = try #require(published["operations"]?["POST /v1/messages"]?["body"]?["properties"]?["system"])
        for body in bodies {
            #expect(Contract.validate(try #require(body["system"]), system, at: "$.system") == [])
            for block in body["messages"]?[0]?["content"]?.arrayValue ?? [] {
                #expect(Contract.validate(block, textBlock, at: "$.messages[0].content[]") == [])
            }
        }
        print("prompt caching, demo story, execution: \(Figures(execution, prices: prices))")
        print("prompt caching, demo story, all calls: \(Figures(calls, prices: prices))")
    }

    func until(_ store: SQLiteStore, _ id: String, _ done: (TaskStatus) -> Bool) async throws -> TowerTask {
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            let now = try #require(try await store.task(id: id))
            if done(now.status) || now.status.isTerminal { return now }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        Issue.record("the task did not stop moving")
        return try #require(try await store.task(id: id))
    }

    /// The request as Anthropic reads it: the system prompt as a block with its breakpoint, and
    /// one breakpoint after each part that repeats; a one-off call has none.
    @Test func theBreakpointsAreWhereTheRepeatedPartsEnd() throws {
        var request = LLMRequest(model: "claude-sonnet-4-20250514", system: "rules", messages: [
            LLMMessage(role: .user, content: [.text("plan"), .text("task"), .text("failure")])
        ])
        request.cachePoints = [.system, .block(message: 0, block: 0), .block(message: 0, block: 1)]
        let body = JSONValue.object(AnthropicProvider.messagesBody(request))
        #expect(body["system"] == .array([.object(["type": "text", "text": "rules", "cache_control": ["type": "ephemeral"]])]))
        #expect(body["messages"]?[0]?["content"]?[0]?["cache_control"] == ["type": "ephemeral"])
        #expect(body["messages"]?[0]?["content"]?[1]?["cache_control"] == ["type": "ephemeral"])
        #expect(body["messages"]?[0]?["content"]?[2]?["cache_control"] == nil)
        // Where the cache breaks is not part of the question: the replay key stays.
        var plain = request
        plain.cachePoints = []
        #expect(ReplayProvider.key(for: plain) == ReplayProvider.key(for: request))
        #expect(JSONValue.object(AnthropicProvider.messagesBody(plain))["system"] == "rules")
    }
}
