import Foundation
import HTTPTypes
import TowerCore
import TowerNet

/// OpenAI-compatible Chat Completions with tools, streamed: OpenAI itself, and the servers teams
/// run their own models behind (vLLM, llama.cpp's server, Ollama, LiteLLM). A forced tool is
/// `tool_choice: {"type":"function","function":{"name":…}}`; its arguments arrive as string
/// deltas and are assembled; the tool call decides, not `finish_reason` (OpenAI and vLLM end a
/// forced call with `"stop"`). A server that answers a forced call without calling the tool,
/// or refuses `tool_choice`, is said so once and asked again with `response_format` and the
/// tool's JSON schema (a ``LLMStreamEvent/notice(_:)`` says so, and later calls go straight to
/// it); a server that refuses that too fails with both of its answers.
public struct OpenAIProvider: LLMProvider {
    public let baseURL: URL
    let apiKey: String?
    let transport: CurlTransport
    let policy: RetryPolicy
    let http: HTTPClient
    let sleep: @Sendable (TimeInterval) async throws -> Void
    let traits = ServerTraits()

    /// What was learnt about the server: whether forced tools need the JSON-schema fallback.
    final class ServerTraits: @unchecked Sendable {
        private let lock = NSLock()
        private var fallback = false
        var needsFallback: Bool {
            get { lock.withLock { fallback } }
            set { lock.withLock { fallback = newValue } }
        }
    }

    /// `baseURL` as the SDKs take it (`https://api.openai.com/v1`, `http://localhost:8000/v1`).
    public init(
        baseURL: URL, apiKey: String?, transport: CurlTransport = .shared, policy: RetryPolicy = RetryPolicy(), http: HTTPClient? = nil,
        sleep: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64(max(0, $0) * 1e9)) }
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.transport = transport
        self.policy = policy
        self.http = http ?? HTTPClient(transport: transport, policy: policy)
        self.sleep = sleep
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        providerStream { try await run(request, $0) }
    }

    var forcedTool: (LLMRequest) -> String? {
        { request in if case .tool(let name) = request.toolChoice { name } else { nil } }
    }

    private func run(_ request: LLMRequest, _ out: AsyncThrowingStream<LLMStreamEvent, any Error>.Continuation) async throws {
        guard let forced = forcedTool(request) else {
            _ = try await send(request, fallback: false) { out.yield($0) }
            return
        }
        // A forced call's events are held until it is known the tool was called.
        var held: [LLMStreamEvent] = []
        if !traits.needsFallback {
            do {
                if try await send(request, fallback: false, emit: { held.append($0) }) {
                    for event in held { out.yield(event) }
                    return
                }
                out.yield(.notice("\(baseURL.host ?? "the server") answered a forced \(forced) call without calling it: it does not honour tool_choice; asking with response_format json_schema instead"))
            } catch let LLMError.api(status, _, message) where status == 400 && message.lowercased().contains("tool") {
                out.yield(.notice("\(baseURL.host ?? "the server") refused tool_choice (\(message)); asking with response_format json_schema instead"))
            }
            traits.needsFallback = true
        }
        held = []
        do {
            _ = try await send(request, fallback: true, emit: { held.append($0) })
        } catch let LLMError.api(status, type, message) where status == 400 {
            throw LLMError.api(
                status: status, type: type, message: "the server honours neither a forced tool call (tool_choice) nor response_format json_schema: \(message)")
        }
        for event in held { out.yield(event) }
    }

    /// One request, retried on overload; whether the answer called a tool.
    private func send(_ request: LLMRequest, fallback: Bool, emit: (LLMStreamEvent) -> Void) async throws -> Bool {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.accept] = "text/event-stream"
        if let apiKey { headers[.authorization] = "Bearer \(apiKey)" }
        let body = try JSONEncoder.sorted.encode(OpenAIRequest.body(request, jsonSchemaFallback: fallback))
        let call = HTTPClientRequest(method: .post, url: baseURL.appendingPathComponent("chat/completions"), headers: headers, body: body, timeout: 600)
        let post = StreamedPost(transport: transport, policy: policy, http: http, sleep: sleep)
        switch try await post.send({ call }, retry: { head, _, attempt in try post.policyWait(head, attempt: attempt, host: baseURL.host) }) {
        case .stream(let stream):
            var reader = OpenAIStreamReader(model: request.model, jsonTool: fallback ? forcedTool(request) : nil)
            return try await reader.read(stream, emit: emit)
        case .refused(let head, let data):
            throw Self.apiError(status: head.status.code, body: data)
        }
    }

    /// The models the server serves (`GET /models`: OpenAI, vLLM, llama.cpp, Ollama and LiteLLM all
    /// answer it), for `tower doctor`.
    public func listModels() async throws -> [String] {
        var headers = HTTPFields()
        headers[.accept] = "application/json"
        if let apiKey { headers[.authorization] = "Bearer \(apiKey)" }
        let response = try await http.send(HTTPClientRequest(url: baseURL.appendingPathComponent("models"), headers: headers, timeout: 20))
        guard response.status.code == 200, let json = try? JSONValue.parse(response.body) else { throw Self.apiError(status: response.status.code, body: response.body) }
        guard case .array(let models)? = json["data"] else { return [] }
        return models.compactMap { $0["id"]?.string }
    }

    /// `{"error":{"message","type","code"}}` (OpenAI, vLLM, LiteLLM), `{"error":"…"}` (Ollama),
    /// or the raw body.
    static func apiError(status: Int?, body: Data) -> LLMError {
        let json = try? JSONValue.parse(body)
        if let text = json?["error"]?.string { return .api(status: status, type: "error", message: text) }
        let type = json?["error"]?["type"]?.string ?? json?["error"]?["code"]?.string ?? "http_error"
        let message = json?["error"]?["message"]?.string ?? json?["message"]?.string ?? String(decoding: body.prefix(300), as: UTF8.self)
        return .api(status: status, type: type, message: message)
    }
}
