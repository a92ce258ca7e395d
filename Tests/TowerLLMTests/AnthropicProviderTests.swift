import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerNet

@testable import TowerLLM

private func fixture(_ name: String) throws -> String {
    try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)"), encoding: .utf8)
}

/// An Anthropic stand-in: checks the request as the API documents it and answers with a stream.
private func server(status: [HTTPResponse.Status] = [.ok], stream: String, seen: Counter) async throws -> TestServer {
    try await TestServer.start { router in
        router.post("/v1/messages") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            seen.add(
                "\(request.headers[HTTPField.Name("x-api-key")!] ?? "-")|\(request.headers[HTTPField.Name("anthropic-version")!] ?? "-")|\(request.headers[.contentType] ?? "-")|\(String(buffer: body))")
            let code = status[min(seen.count - 1, status.count - 1)]
            if code != .ok {
                return Response(
                    status: code, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)))
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: stream)))
        }
    }
}

private let fastPolicy = RetryPolicy(maxAttempts: 3, backoff: .init(base: 0.01, multiplier: 2, maximum: 0.02, jitter: 0))

@Suite struct AnthropicProviderTests {
    @Test func streamsTextAndReportsUsageAndCost() async throws {
        let seen = Counter()
        let api = try await server(stream: try fixture("stream.basic_text.sse.txt"), seen: seen)
        defer { api.stop() }
        let logged = Counter()
        let provider = AnthropicProvider(
            apiKey: "sk-ant-tst0secret-key", baseURL: api.base, policy: fastPolicy,
            http: HTTPClient(policy: fastPolicy, log: { logged.add($0) }, logDetail: .headers), sleep: { _ in })
        var deltas: [String] = []
        var finished: LLMStreamEvent?
        for try await event in provider.stream(LLMRequest(model: "claude-sonnet-4-20250514", system: "Be brief.", messages: [.user("Hi")], maxTokens: 64)) {
            if case .textDelta(let text) = event { deltas.append(text) } else { finished = event }
        }
        #expect(deltas.joined() == "Hello there!")
        #expect(deltas.count > 1)
        guard case .finished(let reason, let usage) = finished else { Issue.record("no finish"); return }
        #expect(reason == "end_turn" && usage.inputTokens == 11 && usage.outputTokens > 0)
        #expect(usage.cost == nil, "the provider reports tokens; the price table prices them")
        let request = try #require(seen.all.first)
        #expect(request.hasPrefix("sk-ant-tst0secret-key|2023-06-01|application/json|"))
        let body = try JSONValue.parse(String(request.split(separator: "|", maxSplits: 3)[3]))
        #expect(body["model"]?.string == "claude-sonnet-4-20250514" && body["system"]?.string == "Be brief." && body["stream"] == .bool(true))
        #expect(body["messages"] == .array([.object(["role": .string("user"), "content": .array([.object(["type": .string("text"), "text": .string("Hi")])])])]))
        // The streamed call is in the HTTP log like any other, its key hidden.
        #expect(logged.all.first?.hasPrefix("POST \(api.base.absoluteString)/v1/messages attempt 1: 200, streaming in ") == true)
        #expect(logged.all.contains("> x-api-key: ***"))
        #expect(!logged.all.contains { $0.contains("sk-ant-tst0secret-key") })
    }

    @Test func assemblesToolInputFromJSONDeltas() async throws {
        let seen = Counter()
        let api = try await server(stream: try fixture("stream.tool_use.sse.txt"), seen: seen)
        defer { api.stop() }
        let provider = AnthropicProvider(apiKey: "k-123456", baseURL: api.base, policy: fastPolicy, sleep: { _ in })
        let tool = LLMTool(name: "get_weather", description: "Weather", inputSchema: .object(["type": .string("object")]))
        let result = try await provider.complete(LLMRequest(model: "claude-sonnet-4-20250514", messages: [.user("Weather in Paris?")], tools: [tool]))
        #expect(result.stopReason == "tool_use")
        #expect(result.content.last == .toolUse(id: "toolu_01NRLabsLyVHZPKxbKvkfSMn", name: "get_weather", input: .object(["location": .string("Paris")])))
        #expect(result.text == "I'll check the current weather in Paris for you.")
        let body = try JSONValue.parse(String(try #require(seen.all.first).split(separator: "|", maxSplits: 3)[3]))
        #expect(body["tools"] == .array([.object(["name": .string("get_weather"), "description": .string("Weather"), "input_schema": .object(["type": .string("object")])])]))
    }

    @Test func anErrorEventMidStreamBecomesAnError() async throws {
        let seen = Counter()
        let api = try await server(stream: "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n" + (try fixture("stream.error_overloaded.sse.txt")), seen: seen)
        defer { api.stop() }
        let provider = AnthropicProvider(apiKey: "k-123456", baseURL: api.base, policy: fastPolicy, sleep: { _ in })
        await #expect(throws: LLMError.api(status: nil, type: "overloaded_error", message: "Overloaded")) {
            _ = try await provider.complete(LLMRequest(model: "claude-sonnet-4-20250514", messages: [.user("x")]))
        }
    }

    @Test func overloadedBeforeTheStreamIsRetriedThenSucceeds() async throws {
        let seen = Counter()
        let api = try await server(status: [HTTPResponse.Status(code: 529), .ok], stream: try fixture("stream.basic_text.sse.txt"), seen: seen)
        defer { api.stop() }
        let provider = AnthropicProvider(apiKey: "k-123456", baseURL: api.base, policy: fastPolicy, sleep: { _ in })
        let result = try await provider.complete(LLMRequest(model: "claude-3-opus-latest", messages: [.user("x")]))
        #expect(result.text == "Hello there!" && seen.count == 2)
        #expect(result.usage.inputTokens == 11)
    }

    /// A Messages request has no side effect to repeat: 500, 502 and 504 are tried again, as
    /// Anthropic's SDKs do, and the call succeeds.
    @Test(arguments: [500, 502, 504])
    func aServerErrorBeforeTheStreamIsRetriedThenSucceeds(_ code: Int) async throws {
        let seen = Counter()
        let api = try await server(status: [HTTPResponse.Status(code: code), .ok], stream: try fixture("stream.basic_text.sse.txt"), seen: seen)
        defer { api.stop() }
        let provider = AnthropicProvider(apiKey: "k-123456", baseURL: api.base, policy: fastPolicy, sleep: { _ in })
        let result = try await provider.complete(LLMRequest(model: "claude-sonnet-4-20250514", messages: [.user("x")]))
        #expect(result.text == "Hello there!" && seen.count == 2)
    }

    @Test func aPersistentErrorCarriesTheAPIsWordsAndAMissingKeySaysSo() async throws {
        let seen = Counter()
        let api = try await server(status: [.unauthorized], stream: "", seen: seen)
        defer { api.stop() }
        let provider = AnthropicProvider(apiKey: "k-123456", baseURL: api.base, policy: fastPolicy, sleep: { _ in })
        await #expect(throws: LLMError.api(status: 401, type: "overloaded_error", message: "Overloaded")) {
            _ = try await provider.complete(LLMRequest(model: "m", messages: [.user("x")]))
        }
        #expect(seen.count == 1)
        await #expect(throws: LLMError.notConfigured("ANTHROPIC_API_KEY is not set")) {
            _ = try await AnthropicProvider(apiKey: "", baseURL: api.base, policy: fastPolicy, sleep: { _ in }).complete(LLMRequest(model: "m", messages: [.user("x")]))
        }
    }
}

extension AnthropicProviderTests {
    /// The first text delta reaches the caller while the server still holds the rest of the
    /// answer back; frames torn across writes, a `ping` and a `data:` field spread over two
    /// lines (joined with a newline, as the SSE spec says, so JSON's whitespace absorbs it).
    @Test func theFirstTextDeltaArrivesWhileTheServerIsStillSending() async throws {
        let (ack, acknowledge) = AsyncStream<Void>.makeStream()
        let head = [
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"claude-sonnet-4-20250514\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,",
            "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\n",
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\ndata: \"delta\":{\"type\":\"text_delta\",\"text\":\"Hel",
            "lo\"}}\n\n",
        ]
        let tail =
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" world\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":4}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        let heldBack = Counter()
        let api = try await TestServer.start { router in
            router.post("/v1/messages") { request, _ -> Response in
                _ = try await request.body.collect(upTo: 1 << 20)
                return Response(
                    status: .ok, headers: [.contentType: "text/event-stream"],
                    body: ResponseBody { writer in
                        for piece in head { try await writer.write(ByteBuffer(string: piece)) }
                        // Nothing more until the caller has "Hello" (a provider that buffers the
                        // whole answer would never say so: after 30 s the test fails, not hangs).
                        let acknowledged = await withTaskGroup(of: Bool.self) { group in
                            group.addTask { for await _ in ack { return true }; return false }
                            group.addTask {
                                try? await Task.sleep(nanoseconds: 30_000_000_000)
                                return false
                            }
                            defer { group.cancelAll() }
                            return await group.next() ?? false
                        }
                        if acknowledged { heldBack.add("acknowledged") }
                        try await writer.write(ByteBuffer(string: tail))
                        try await writer.finish(nil)
                    })
            }
        }
        defer { api.stop() }
        let provider = AnthropicProvider(apiKey: "sk-ant-tst0secret-key", baseURL: api.base, policy: fastPolicy, sleep: { _ in })
        var deltas: [String] = []
        var finished: LLMStreamEvent?
        for try await event in provider.stream(LLMRequest(model: "claude-sonnet-4-20250514", messages: [.user("Hi")], maxTokens: 16)) {
            switch event {
            case .textDelta(let text):
                deltas.append(text)
                if deltas.count == 1 { acknowledge.yield() }
            default: finished = event
            }
        }
        #expect(deltas == ["Hello", " world"])
        #expect(heldBack.all == ["acknowledged"])
        guard case .finished(let reason, let usage) = finished else { Issue.record("no finish: \(String(describing: finished))"); return }
        #expect(reason == "end_turn" && usage.inputTokens == 9 && usage.outputTokens == 4)
    }
}

extension AnthropicProviderTests {
    /// Nothing listening: the request was never sent, so it is tried again with the policy's
    /// waits, and the connection error comes back when the attempts run out.
    @Test func anAPIThatCannotBeReachedIsTriedAgainThenReported() async throws {
        let api = try await TestServer.start { _ in }
        let base = api.base
        api.stop()
        try await Task.sleep(nanoseconds: 200_000_000)
        let waits = Counter()
        let provider = AnthropicProvider(apiKey: "sk-ant-tst0secret-key", baseURL: base, policy: fastPolicy, sleep: { waits.add("\($0)") })
        do {
            _ = try await provider.complete(LLMRequest(model: "claude-sonnet-4-20250514", messages: [.user("Hi")]))
            Issue.record("expected a connection error")
        } catch let error as HTTPClientError {
            guard case .couldNotConnect = error else { Issue.record("\(error)"); return }
        }
        #expect(waits.all == ["0.01", "0.02"])
    }
}
