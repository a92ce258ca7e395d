import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerCore
import TowerTestLog

/// An OpenAI-compatible Chat Completions server, streaming as OpenAI and vLLM do: the forced
/// tool's arguments in fragments, `finish_reason: "stop"` for a forced named tool, `usage: null`
/// on every chunk until a last one with `choices: []` and the usage. `behaviour` is the server
/// being imitated: one that honours forced tools, one that ignores `tool_choice` and answers in
/// prose, one that refuses it (llama.cpp without `--jinja`), one that refuses `response_format` too.
public final class OpenAIStandIn: @unchecked Sendable {
    public enum Behaviour: Sendable {
        case honoursForcedTools, ignoresToolChoice, refusesToolChoice, refusesBoth
    }

    public static let apiKey = "sk-tst0secret-openai-5c2d"
    private let lock = NSLock()
    private var bodies: [JSONValue] = []
    let behaviour: Behaviour
    let answer: @Sendable (JSONValue) -> JSONValue
    /// A key is required unless nil (a server on this machine).
    let key: String?

    public init(behaviour: Behaviour = .honoursForcedTools, key: String? = OpenAIStandIn.apiKey, answer: @escaping @Sendable (JSONValue) -> JSONValue) {
        self.behaviour = behaviour
        self.key = key
        self.answer = answer
    }

    /// Every request body, in order.
    public var requests: [JSONValue] { lock.withLock { bodies } }

    /// The tool a request forces, in either form: `tool_choice`'s function, or the fallback's
    /// `response_format` schema name.
    public static func forcedTool(_ body: JSONValue) -> String? {
        body["tool_choice"]?["function"]?["name"]?.string ?? body["response_format"]?["json_schema"]?["name"]?.string
    }

    /// The request as Anthropic's shape for the scripts written for it: the forced tool's name
    /// and the messages' text.
    public static func asAnthropic(_ body: JSONValue) -> JSONValue {
        guard case .array(let messages)? = body["messages"] else { return body }
        let converted: [JSONValue] = messages.compactMap { message in
            guard message["role"]?.string != "system" else { return nil }
            let text = message["content"]?.string ?? ""
            return ["role": .string(message["role"]?.string == "assistant" ? "assistant" : "user"), "content": [["type": "text", "text": .string(text)]]]
        }
        return ["model": body["model"] ?? .null, "tool_choice": ["type": "tool", "name": .string(forcedTool(body) ?? "")], "messages": .array(converted)]
    }

    func error(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error") -> Response {
        let json = String(decoding: (try? JSONEncoder().encode(JSONValue.object(["error": ["message": .string(message), "type": .string(type), "param": .null, "code": .null]]))) ?? Data(), as: UTF8.self)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    public func routes(_ router: Router<BasicRequestContext>, prefix: String = "", seen: Counter? = nil) {
        router.get("\(prefix)/models") { request, _ -> Response in
            seen?.add("\(request.method) \(request.uri.path)")
            if let key = self.key, request.headers[.authorization] != "Bearer \(key)" { return self.error(.unauthorized, "Incorrect API key provided.") }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"object":"list","data":[{"id":"qwen2.5-coder-32b","object":"model","created":1730000000,"owned_by":"vllm"}]}"#)))
        }
        router.post("\(prefix)/chat/completions") { request, _ -> Response in
            if let key = self.key, request.headers[.authorization] != "Bearer \(key)" {
                return self.error(.unauthorized, "Incorrect API key provided.", type: "invalid_request_error")
            }
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: try await request.body.collect(upTo: 16 << 20)))
            self.lock.withLock { self.bodies.append(body) }
            let forcedByTool = body["tool_choice"]?["function"]?["name"]?.string
            let jsonSchema = body["response_format"]?["json_schema"]?["name"]?.string
            switch (self.behaviour, forcedByTool, jsonSchema) {
            case (.refusesToolChoice, .some, _), (.refusesBoth, .some, _):
                return self.error(.badRequest, "tool_choice param requires --jinja flag")
            case (.refusesBoth, _, .some):
                return self.error(.badRequest, "response_format type json_schema is not supported")
            default: break
            }
            let model = body["model"]?.string ?? "-"
            var chunks: [JSONValue] = []
            func chunk(_ delta: JSONValue, finish: JSONValue = .null) -> JSONValue {
                ["id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_764_000_000, "model": .string(model),
                 "choices": [["index": 0, "delta": delta, "logprobs": .null, "finish_reason": finish]], "usage": .null]
            }
            let input = String(decoding: (try? JSONEncoder().encode(self.answer(body))) ?? Data(), as: UTF8.self)
            let middle = input.index(input.startIndex, offsetBy: input.count / 2)
            if let name = forcedByTool, self.behaviour == .honoursForcedTools {
                chunks.append(chunk(["role": "assistant", "content": .null, "tool_calls": [["index": 0, "id": "call_7Qm2", "type": "function", "function": ["name": .string(name), "arguments": ""]]]]))
                chunks.append(chunk(["tool_calls": [["index": 0, "function": ["arguments": .string(String(input[..<middle]))]]]]))
                chunks.append(chunk(["tool_calls": [["index": 0, "function": ["arguments": .string(String(input[middle...]))]]]]))
                chunks.append(chunk([:], finish: "stop"))
            } else if jsonSchema != nil {
                chunks.append(chunk(["role": "assistant", "content": .string(String(input[..<middle]))]))
                chunks.append(chunk(["content": .string(String(input[middle...]))]))
                chunks.append(chunk([:], finish: "stop"))
            } else {
                chunks.append(chunk(["role": "assistant", "content": "Sure! Here is what I would do: update the function and add a test."]))
                chunks.append(chunk([:], finish: "stop"))
            }
            if body["stream_options"]?["include_usage"] == .bool(true) {
                chunks.append(["id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1_764_000_000, "model": .string(model), "choices": [],
                               "usage": ["prompt_tokens": 812, "completion_tokens": 64, "total_tokens": 876, "prompt_tokens_details": ["cached_tokens": 0]]])
            }
            let stream = chunks.map { "data: \(String(decoding: (try? JSONEncoder().encode($0)) ?? Data(), as: UTF8.self))\n\n" }.joined() + "data: [DONE]\n\n"
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: stream)))
        }
    }
}
