import Foundation
import TowerCore

/// Chat Completions requests, as OpenAI documents them and vLLM, llama.cpp's server, Ollama and
/// LiteLLM accept them: the system prompt as the first message, a tool call as the assistant's
/// `tool_calls` with its arguments as a JSON string, a tool's answer as a `tool` message.
enum OpenAIRequest {
    /// The streamed request, forcing a named tool (`tool_choice` `function`) or, for a server
    /// that does not honour that, asking for JSON in the tool's schema (`response_format`).
    static func body(_ request: LLMRequest, jsonSchemaFallback: Bool) -> JSONValue {
        var object: [String: JSONValue] = [
            "model": .string(request.model), "stream": true, "stream_options": ["include_usage": true],
            "max_tokens": .number(Double(request.maxTokens)), "messages": .array(messages(request, jsonSchemaFallback: jsonSchemaFallback)),
        ]
        if jsonSchemaFallback, case .tool(let name) = request.toolChoice, let tool = request.tools.first(where: { $0.name == name }) {
            object["response_format"] = ["type": "json_schema", "json_schema": ["name": .string(tool.name), "description": .string(tool.description), "schema": tool.inputSchema]]
            return .object(object)
        }
        if !request.tools.isEmpty {
            object["tools"] = .array(
                request.tools.map { ["type": "function", "function": ["name": .string($0.name), "description": .string($0.description), "parameters": $0.inputSchema]] })
        }
        switch request.toolChoice {
        case .tool(let name): object["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
        case .any: object["tool_choice"] = "required"
        case .auto: object["tool_choice"] = "auto"
        case nil: break
        }
        return .object(object)
    }

    /// The conversation. In the JSON-schema fallback there are no tools, so an earlier answer is
    /// the assistant's JSON and the refusal of it a user message.
    static func messages(_ request: LLMRequest, jsonSchemaFallback: Bool) -> [JSONValue] {
        var out: [JSONValue] = []
        if let system = request.system { out.append(["role": "system", "content": .string(system)]) }
        for message in request.messages {
            var text = ""
            var calls: [JSONValue] = []
            var results: [JSONValue] = []
            // A prompt in several blocks (split where Anthropic's cache breaks) reads as one text.
            func add(_ part: String) { text += text.isEmpty ? part : "\n\n" + part }
            for block in message.content {
                switch block {
                case .text(let part): add(part)
                case .toolUse(let id, let name, let input):
                    let arguments = String(decoding: (try? JSONEncoder.sorted.encode(input)) ?? Data("{}".utf8), as: UTF8.self)
                    if jsonSchemaFallback {
                        add(arguments)
                    } else {
                        calls.append(["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": .string(arguments)]])
                    }
                case .toolResult(let id, let content, _):
                    if jsonSchemaFallback {
                        add(content)
                    } else {
                        results.append(["role": "tool", "tool_call_id": .string(id), "content": .string(content)])
                    }
                }
            }
            out += results
            switch message.role {
            case .assistant:
                var assistant: [String: JSONValue] = ["role": "assistant", "content": text.isEmpty ? .null : .string(text)]
                if !calls.isEmpty { assistant["tool_calls"] = .array(calls) }
                out.append(.object(assistant))
            case .user:
                if !text.isEmpty || results.isEmpty { out.append(["role": "user", "content": .string(text)]) }
            }
        }
        return out
    }
}

extension JSONEncoder {
    /// Keys sorted: the same input encodes to the same bytes (recordings, replays, caches).
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
