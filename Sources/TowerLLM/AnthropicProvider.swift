import Foundation
import TowerCore
import HTTPTypes
import TowerNet

/// Anthropic's Messages API, streamed over Server-Sent Events: text deltas as they come,
/// tool calls assembled from `input_json_delta` fragments, usage at the end. 429, 529
/// and 503 before the stream starts are retried with the network layer's policy.
public struct AnthropicProvider: LLMProvider {
    public let apiKey: String
    public let baseURL: URL
    public let version: String
    let transport: CurlTransport
    let policy: RetryPolicy
    /// For the calls that are not streamed (the model list).
    let http: HTTPClient
    let sleep: @Sendable (TimeInterval) async throws -> Void

    public init(
        apiKey: String, baseURL: URL = URL(string: "https://api.anthropic.com")!, version: String = "2023-06-01",
        transport: CurlTransport = .shared, policy: RetryPolicy = RetryPolicy(), http: HTTPClient? = nil
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.version = version
        self.transport = transport
        self.policy = policy
        self.http = http ?? HTTPClient(transport: transport, policy: policy)
        self.sleep = { try await Task.sleep(nanoseconds: UInt64(max(0, $0) * 1e9)) }
    }

    init(apiKey: String, baseURL: URL, policy: RetryPolicy, http: HTTPClient? = nil, sleep: @escaping @Sendable (TimeInterval) async throws -> Void) {
        self.apiKey = apiKey
        self.baseURL = baseURL
        self.version = "2023-06-01"
        self.transport = .shared
        self.policy = policy
        self.http = http ?? HTTPClient(transport: .shared, policy: policy)
        self.sleep = sleep
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        providerStream { try await run(request, $0) }
    }

    func body(_ request: LLMRequest) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(JSONValue.object(Self.messagesBody(request)))
    }

    /// The Messages API's request (streamed): what Anthropic takes, and Bedrock with its changes.
    static func messagesBody(_ request: LLMRequest) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "model": .string(request.model), "max_tokens": .number(Double(request.maxTokens)), "stream": .bool(true),
            "messages": .array(request.messages.enumerated().map { index, message in Self.encode(message, cachedAfter: request.cachePoints, index: index) }),
        ]
        if let system = request.system {
            object["system"] =
                request.cachePoints.contains(.system)
                ? .array([.object(["type": .string("text"), "text": .string(system), "cache_control": Self.ephemeral])]) : .string(system)
        }
        if !request.tools.isEmpty {
            object["tools"] = .array(request.tools.map(Self.encode))
        }
        if let choice = request.toolChoice { object["tool_choice"] = Self.encode(choice) }
        return object
    }

    static func encode(_ tool: LLMTool) -> JSONValue {
        .object(["name": .string(tool.name), "description": .string(tool.description), "input_schema": tool.inputSchema])
    }

    static func encode(_ choice: LLMToolChoice) -> JSONValue {
        switch choice {
        case .auto: .object(["type": .string("auto")])
        case .any: .object(["type": .string("any")])
        case .tool(let name): .object(["type": .string("tool"), "name": .string(name)])
        }
    }

    /// Anthropic's only cache type: five minutes, refreshed by each read.
    static let ephemeral: JSONValue = .object(["type": .string("ephemeral")])

    /// A message with `cache_control` on the blocks where a cached prefix ends.
    static func encode(_ message: LLMMessage, cachedAfter points: Set<CachePoint>, index: Int) -> JSONValue {
        guard case .object(var object) = encode(message), case .array(var blocks)? = object["content"] else { return encode(message) }
        for (position, block) in blocks.enumerated() where points.contains(.block(message: index, block: position)) {
            if case .object(var fields) = block {
                fields["cache_control"] = ephemeral
                blocks[position] = .object(fields)
            }
        }
        object["content"] = .array(blocks)
        return .object(object)
    }

    /// A message as the Messages API takes it (also how calls are kept and keyed).
    public static func encode(_ message: LLMMessage) -> JSONValue {
        .object([
            "role": .string(message.role.rawValue),
            "content": .array(message.content.map { block -> JSONValue in
                switch block {
                case .text(let text): .object(["type": .string("text"), "text": .string(text)])
                case .toolUse(let id, let name, let input): .object(["type": .string("tool_use"), "id": .string(id), "name": .string(name), "input": input])
                case .toolResult(let id, let content, let isError):
                    .object(["type": .string("tool_result"), "tool_use_id": .string(id), "content": .string(content), "is_error": .bool(isError)])
                }
            }),
        ])
    }

    private func run(_ request: LLMRequest, _ out: AsyncThrowingStream<LLMStreamEvent, any Error>.Continuation) async throws {
        guard !apiKey.isEmpty else { throw LLMError.notConfigured("ANTHROPIC_API_KEY is not set") }
        var headers = HTTPFields()
        headers[HTTPField.Name("x-api-key")!] = apiKey
        headers[HTTPField.Name("anthropic-version")!] = version
        headers[.contentType] = "application/json"
        headers[.accept] = "text/event-stream"
        let call = HTTPClientRequest(method: .post, url: baseURL.appendingPathComponent("v1/messages"), headers: headers, body: try body(request), timeout: 600)
        let post = StreamedPost(transport: transport, policy: policy, http: http, sleep: sleep)
        switch try await post.send({ call }, retry: { head, _, attempt in try post.policyWait(head, attempt: attempt, host: baseURL.host ?? "Anthropic") }) {
        case .stream(let stream): try await decode(stream, into: out)
        case .refused(let head, let data): throw Self.apiError(status: head.status.code, body: data)
        }
    }

    /// The models the key may use (`GET /v1/models`, first page), with the organization the key
    /// belongs to and the request rate limit left when Anthropic's headers say.
    public func listModels() async throws -> (models: [String], organization: String?, requestsRemaining: Int?, requestsLimit: Int?) {
        var headers = HTTPFields()
        headers[HTTPField.Name("x-api-key")!] = apiKey
        headers[HTTPField.Name("anthropic-version")!] = version
        headers[.accept] = "application/json"
        let response = try await http.send(
            HTTPClientRequest(url: baseURL.endpoint("/v1/models", query: ["limit": "100"]), headers: headers))
        guard response.status.code == 200, let json = try? JSONValue.parse(response.body) else {
            throw Self.apiError(status: response.status.code, body: response.body)
        }
        var models: [String] = []
        if case .array(let list) = json["data"] { models = list.compactMap { $0["id"]?.string } }
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { response.headers[$0] } }
        return (
            models, header("anthropic-organization-id"), header("anthropic-ratelimit-requests-remaining").flatMap { Int($0) },
            header("anthropic-ratelimit-requests-limit").flatMap { Int($0) }
        )
    }

    /// `{"type":"error","error":{"type":"…","message":"…"}}`, or the raw body when it is not that.
    static func apiError(status: Int?, body: Data) -> LLMError {
        let json = try? JSONValue.parse(body)
        let type = json?["error"]?["type"]?.string ?? "http_error"
        let message = json?["error"]?["message"]?.string ?? String(decoding: body.prefix(300), as: UTF8.self)
        return .api(status: status, type: type, message: message)
    }

    private func decode(_ body: AsyncThrowingStream<Data, any Error>, into out: AsyncThrowingStream<LLMStreamEvent, any Error>.Continuation) async throws {
        var decoder = ServerSentEventDecoder()
        var reader = AnthropicEventReader()
        func handle(_ event: ServerSentEvent) throws -> Bool {
            guard let json = try? JSONValue.parse(event.data) else { return false }
            return try reader.read(json, into: out)
        }
        for try await chunk in body {
            for event in decoder.feed(chunk) where try handle(event) { return }
        }
        for event in decoder.finish() where try handle(event) { return }
        throw LLMError.incomplete("the stream ended before message_stop")
    }
}
