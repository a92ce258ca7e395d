import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerNet

@testable import TowerLLM

private let fastPolicy = RetryPolicy(maxAttempts: 2, backoff: .init(base: 0.01, multiplier: 2, maximum: 0.02, jitter: 0))
private let weather = LLMTool(name: "get_weather", description: "Weather", inputSchema: ["type": "object", "properties": ["location": ["type": "string"]]])

private func serve(_ standIn: OpenAIStandIn) async throws -> TestServer {
    try await TestServer.start { standIn.routes($0, prefix: "/v1") }
}

private func forced(_ text: String = "Weather in Paris?") -> LLMRequest {
    LLMRequest(model: "qwen2.5-coder-32b", system: "Answer with the tool.", messages: [.user(text)], tools: [weather], toolChoice: .tool("get_weather"), maxTokens: 256)
}

/// Chat Completions over SSE as OpenAI, vLLM and llama.cpp's server stream it, and the
/// JSON-schema fallback for servers that do not honour a forced tool.
@Suite struct OpenAIProviderTests {
    @Test func aForcedToolEndingWithStopIsStillTheToolCallAndUsageComesLast() async throws {
        let standIn = OpenAIStandIn { _ in ["location": "Paris"] }
        let server = try await serve(standIn)
        defer { server.stop() }
        let provider = OpenAIProvider(baseURL: server.url("/v1"), apiKey: OpenAIStandIn.apiKey, policy: fastPolicy, sleep: { _ in })
        let result = try await provider.complete(forced())
        #expect(result.content == [.toolUse(id: "call_7Qm2", name: "get_weather", input: ["location": "Paris"])])
        #expect(result.stopReason == "tool_use" && result.usage.inputTokens == 812 && result.usage.outputTokens == 64)
        #expect(result.usage.cost == nil, "no price for a self-hosted model: unknown, never $0")
        #expect(result.notices.isEmpty)
        let body = try #require(standIn.requests.first)
        #expect(body["tool_choice"] == ["type": "function", "function": ["name": "get_weather"]])
        #expect(body["stream"] == true && body["stream_options"] == ["include_usage": true] && body["max_tokens"] == 256)
        #expect(body["messages"] == [["role": "system", "content": "Answer with the tool."], ["role": "user", "content": "Weather in Paris?"]])
        #expect(body["tools"] == [["type": "function", "function": ["name": "get_weather", "description": "Weather", "parameters": weather.inputSchema]]])
    }

    /// The repair turn: the refused call goes back as the assistant's `tool_calls` and a `tool`
    /// message answering it.
    @Test func theRepairTurnIsAToolMessageAnsweringTheRefusedCall() async throws {
        let standIn = OpenAIStandIn { _ in ["location": "Oslo"] }
        let server = try await serve(standIn)
        defer { server.stop() }
        let provider = OpenAIProvider(baseURL: server.url("/v1"), apiKey: OpenAIStandIn.apiKey, policy: fastPolicy, sleep: { _ in })
        var request = forced()
        request.messages += [
            LLMMessage(role: .assistant, content: [.toolUse(id: "call_7Qm2", name: "get_weather", input: ["city": "Oslo"])]),
            LLMMessage(role: .user, content: [.toolResult(toolUseId: "call_7Qm2", content: "Your get_weather call was refused: $.location is required", isError: true)]),
        ]
        _ = try await provider.complete(request)
        guard case .array(let messages)? = standIn.requests.first?["messages"] else { Issue.record("no messages"); return }
        #expect(messages.count == 4)
        #expect(messages[2] == ["role": "assistant", "content": .null, "tool_calls": [["id": "call_7Qm2", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Oslo"}"#]]]])
        #expect(messages[3] == ["role": "tool", "tool_call_id": "call_7Qm2", "content": "Your get_weather call was refused: $.location is required"])
    }

    @Test(arguments: [OpenAIStandIn.Behaviour.ignoresToolChoice, .refusesToolChoice])
    func aServerThatDoesNotHonourForcedToolsGetsTheJSONSchemaFallbackAndItIsSaid(_ behaviour: OpenAIStandIn.Behaviour) async throws {
        let standIn = OpenAIStandIn(behaviour: behaviour, key: nil) { _ in ["location": "Lima"] }
        let server = try await serve(standIn)
        defer { server.stop() }
        let provider = OpenAIProvider(baseURL: server.url("/v1"), apiKey: nil, policy: fastPolicy, sleep: { _ in })
        let result = try await provider.complete(forced())
        #expect(result.content == [.toolUse(id: "json_schema_get_weather", name: "get_weather", input: ["location": "Lima"])])
        #expect(result.notices.count == 1 && result.notices[0].contains("asking with response_format json_schema instead"), "\(result.notices)")
        let fallback = try #require(standIn.requests.last)
        #expect(fallback["response_format"] == ["type": "json_schema", "json_schema": ["name": "get_weather", "description": "Weather", "schema": weather.inputSchema]])
        #expect(fallback["tools"] == nil && fallback["tool_choice"] == nil)
        // The server is known now: the next forced call goes straight to the fallback.
        _ = try await provider.complete(forced("And in Quito?"))
        #expect(standIn.requests.count == 3)
        #expect(standIn.requests.last?["response_format"] != nil)
    }

    @Test func aServerThatRefusesBothFailsClearly() async throws {
        let standIn = OpenAIStandIn(behaviour: .refusesBoth, key: nil) { _ in [:] }
        let server = try await serve(standIn)
        defer { server.stop() }
        let provider = OpenAIProvider(baseURL: server.url("/v1"), apiKey: nil, policy: fastPolicy, sleep: { _ in })
        await #expect(
            throws: LLMError.api(
                status: 400, type: "invalid_request_error",
                message: "the server honours neither a forced tool call (tool_choice) nor response_format json_schema: response_format type json_schema is not supported")
        ) { _ = try await provider.complete(forced()) }
    }

    @Test func aWrongKeyIsRefusedInTheServersWordsAndTheModelsAreListed() async throws {
        let standIn = OpenAIStandIn { _ in [:] }
        let server = try await serve(standIn)
        defer { server.stop() }
        let wrong = OpenAIProvider(baseURL: server.url("/v1"), apiKey: "sk-tst0secret-wrong", policy: fastPolicy, sleep: { _ in })
        await #expect(throws: LLMError.api(status: 401, type: "invalid_request_error", message: "Incorrect API key provided.")) { _ = try await wrong.complete(forced()) }
        let right = OpenAIProvider(baseURL: server.url("/v1"), apiKey: OpenAIStandIn.apiKey, policy: fastPolicy, sleep: { _ in })
        #expect(try await right.listModels() == ["qwen2.5-coder-32b"])
    }

    /// Real servers' quirks, fed as bytes: vLLM's chunks with `usage: null`, a tool call whose
    /// id and name come in the first fragment only, `choices: []` on the usage chunk, and a
    /// `length` finish.
    @Test func streamQuirksAreRead() throws {
        var reader = OpenAIStreamReader(model: "m", jsonTool: nil)
        var events: [LLMStreamEvent] = []
        let lines = [
            #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#,
            #"{"choices":[{"index":0,"delta":{"content":"Partial "},"finish_reason":null}],"usage":null}"#,
            #"{"choices":[{"index":0,"delta":{"content":"answer"},"finish_reason":"length"}],"usage":null}"#,
            #"{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}"#,
        ]
        for line in lines { _ = try reader.take(ServerSentEvent(data: line), emit: { events.append($0) }) }
        #expect(try reader.take(ServerSentEvent(data: "[DONE]"), emit: { events.append($0) }))
        _ = reader.finish(emit: { events.append($0) })
        #expect(events == [.textDelta("Partial "), .textDelta("answer"), .finished(stopReason: "max_tokens", usage: LLMUsage(inputTokens: 5, outputTokens: 7))])
    }
}
