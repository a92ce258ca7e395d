import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerHTTPTestSupport
import TowerStore
import TowerTestSupport

/// The agent-level story (Discovery → Planning → approval → Execution → CI → completed) over
/// each model provider's own wire format, and a model per agent.
@Suite(.serialized) struct ProviderStoryTests {
    func approve(_ world: AgentWorld, _ id: String) async throws {
        _ = try await world.store.decide(taskId: id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
    }

    /// The story to `completed`: planned, approved, executed, CI green.
    func completedStory(_ world: AgentWorld) async throws -> TowerTask {
        let planned = try await world.run(title: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        try await approve(world, planned.id)
        let task = try await world.drive(planned.id, timeout: 180)
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")
        return task
    }

    /// Every call over Bedrock: SigV4-signed requests with a session token, answers in
    /// event-stream frames with real CRCs. Anthropic's stand-in is never asked.
    @Test func theWholeStoryRunsOverBedrock() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        world.useBedrock()
        let task = try await completedStory(world)
        #expect(world.anthropic.requests.isEmpty)
        let calls = try await world.store.llmCalls(taskId: task.id)
        #expect(!calls.isEmpty && calls.allSatisfy { $0.model == "bedrock:anthropic.claude-sonnet-4-20250514-v1:0" }, "\(Set(calls.map(\.model)))")
        #expect(Set(calls.map(\.step)).isSuperset(of: ["discovery", "planning", "execution"]))
        #expect(world.bedrock.received.count == calls.count)
        #expect(world.bedrock.received.allSatisfy { $0.path.hasPrefix("/bedrock/model/anthropic.claude-sonnet-4-20250514-v1%3A0/") })
        // Execution's repeated prefix is marked for Bedrock's prompt cache as for Anthropic's.
        let changes = world.bedrock.received.filter { AnthropicStandIn.forcedTool($0.body) == "submit_changes" }
        #expect(!changes.isEmpty && changes.allSatisfy { $0.body["system"]?[0]?["cache_control"]?["type"]?.string == "ephemeral" })
        // The cost is Anthropic's list price for the model Bedrock serves.
        #expect(calls.allSatisfy { $0.cost != nil && $0.cost! > 0 })
    }

    /// Every call over an OpenAI-compatible server's Chat Completions: forced tools, argument
    /// deltas, usage on the last chunk; each request checked against OpenAI's published
    /// description (openai/openai-openapi).
    @Test func theWholeStoryRunsOverAnOpenAICompatibleServer() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        world.useOpenAI()
        let task = try await completedStory(world)
        #expect(world.anthropic.requests.isEmpty && world.bedrock.received.isEmpty)
        let calls = try await world.store.llmCalls(taskId: task.id)
        #expect(!calls.isEmpty && calls.allSatisfy { $0.model == "openai:qwen2.5-coder-32b" && $0.cost == nil }, "\(Set(calls.map(\.model)))")
        #expect(world.openai.requests.count == calls.count)
        let contract = try Contract.load("openai", prefix: "/openai/v1")
        let recorded = world.requests.all.filter { $0.path.hasPrefix("/openai/") }
        #expect(recorded.count == calls.count)
        for request in recorded {
            #expect(contract.operation(request) == "POST /chat/completions")
            #expect(contract.problems(request).isEmpty, "\(contract.problems(request))")
        }
    }

    /// Plan with one model on Bedrock, write code with another on Anthropic's API: the stored
    /// calls show each agent's provider and model.
    @Test func eachAgentAsksItsOwnModelOnItsOwnProvider() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        world.useBedrock(for: [.discovery, .planning], model: "bedrock:us.anthropic.claude-opus-4-20250514-v1:0")
        world.environment["TOWER_MODEL_EXECUTION"] = "anthropic:claude-sonnet-4-20250514"
        let task = try await completedStory(world)
        let calls = try await world.store.llmCalls(taskId: task.id)
        let byStep = Dictionary(grouping: calls, by: \.step).mapValues { Set($0.map(\.model)) }
        #expect(byStep["discovery"] == ["bedrock:us.anthropic.claude-opus-4-20250514-v1:0"], "\(byStep)")
        #expect(byStep["planning"] == ["bedrock:us.anthropic.claude-opus-4-20250514-v1:0"], "\(byStep)")
        #expect(byStep["execution"] == ["anthropic:claude-sonnet-4-20250514"], "\(byStep)")
        #expect(world.anthropic.requests.allSatisfy { $0["model"]?.string == "claude-sonnet-4-20250514" })
        #expect(world.bedrock.received.allSatisfy { $0.path.contains("us.anthropic.claude-opus-4-20250514-v1%3A0") })
        let log = try await world.log(task.id)
        #expect(log.contains("planning in acme/billing-service with bedrock:us.anthropic.claude-opus-4-20250514-v1:0"), "\(log)")
    }

    /// An agent on a provider nobody configured fails its step with the reason, not a crash.
    @Test func anAgentOnAnUnconfiguredProviderSaysWhichAndWhy() async throws {
        let world = try await AgentWorld(answer: CodeScript.standard)
        try await world.localForge()
        world.environment["TOWER_MODEL_PLANNING"] = "bedrock:anthropic.claude-sonnet-4-20250514-v1:0"
        world.environment["AWS_REGION"] = nil
        let task = try await world.run(title: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        #expect(task.status == .failed)
        #expect(task.lastError?.contains("Amazon Bedrock (for bedrock:anthropic.claude-sonnet-4-20250514-v1:0): Amazon Bedrock is not configured (set AWS_REGION)") == true, "\(task.lastError ?? "")")
    }
}
