import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerCore
import TowerTestLog

/// Anthropic's Messages API answering forced tool calls over Server-Sent Events, as the API
/// streams them (`message_start`, a `tool_use` block whose input arrives in `input_json_delta`
/// fragments, `message_delta` with the stop reason and usage, `message_stop`). What each call
/// answers is the test's: `answer` gets the request body and returns the tool input. Usage
/// follows the API's prompt cache (``PromptCache``): reads, writes and fresh input apart.
public final class AnthropicStandIn: @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [JSONValue] = []
    let answer: @Sendable (JSONValue) -> JSONValue
    /// The prompt cache the requests share.
    public let cache: PromptCache

    public init(cache: PromptCache = PromptCache(), answer: @escaping @Sendable (JSONValue) -> JSONValue) {
        self.cache = cache
        self.answer = answer
    }

    /// Every request body, in order.
    public var requests: [JSONValue] { lock.withLock { bodies } }
    private var holding: (@Sendable (JSONValue) -> Bool)?

    /// Holds every request `predicate` picks until released with `nil` (a kill -9 window).
    public func hold(_ predicate: (@Sendable (JSONValue) -> Bool)?) { lock.withLock { holding = predicate } }

    /// The tool a request forces (`tool_choice.name`).
    public static func forcedTool(_ body: JSONValue) -> String? { body["tool_choice"]?["name"]?.string }

    /// The text of a request's messages, joined (to check what a prompt carried).
    public static func promptText(_ body: JSONValue) -> String {
        guard case .array(let messages)? = body["messages"] else { return "" }
        return messages.compactMap { message -> String? in
            guard case .array(let blocks)? = message["content"] else { return nil }
            return blocks.compactMap { $0["text"]?.string ?? $0["content"]?.string }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    static func encode(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    public func routes(_ router: Router<BasicRequestContext>) {
        router.post("/anthropic/v1/messages") { request, _ in
            guard request.headers[HTTPField.Name("x-api-key")!] == TestSecrets.anthropicKey,
                request.headers[HTTPField.Name("anthropic-version")!] == "2023-06-01"
            else {
                return Response(
                    status: .unauthorized, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#)))
            }
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: buffer))
            while let hold = self.lock.withLock({ self.holding }), hold(body) { try await Task.sleep(nanoseconds: 20_000_000) }
            let index = self.lock.withLock { () -> Int in
                self.bodies.append(body)
                return self.bodies.count
            }
            let tool = Self.forcedTool(body) ?? "none"
            let input = Self.encode(self.answer(body))
            let model = body["model"]?.string ?? "claude-sonnet-4-20250514"
            let used = self.cache.usage(of: body)
            var events: [(String, String)] = [
                ("message_start", #"{"type":"message_start","message":{"id":"msg_\#(index)","type":"message","role":"assistant","model":"\#(model)","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":\#(used.input),"cache_creation_input_tokens":\#(used.write),"cache_read_input_tokens":\#(used.read),"output_tokens":1}}}"#),
                ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_\#(index)","name":"\#(tool)","input":{}}}"#),
                ("ping", #"{"type": "ping"}"#),
            ]
            // The input in fragments, as the API sends it.
            var rest = Substring(input)
            while !rest.isEmpty {
                let piece = rest.prefix(40)
                rest = rest.dropFirst(40)
                events.append(("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":\#(Self.encode(.string(String(piece))))}}"#))
            }
            events += [
                ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
                ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":\#(input.count / 4)}}"#),
                ("message_stop", #"{"type":"message_stop"}"#),
            ]
            let text = events.map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined()
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
