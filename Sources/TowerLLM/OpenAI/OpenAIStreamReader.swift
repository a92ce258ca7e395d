import Foundation
import TowerCore
import TowerNet

/// A Chat Completions stream read into Tower's events: content deltas, tool calls assembled from
/// their argument fragments by index, the usage of the last chunk (`stream_options.include_usage`;
/// chunks before it carry `usage: null`, and it carries `choices: []`), then `[DONE]`.
struct OpenAIStreamReader {
    let model: String
    /// In the JSON-schema fallback: the tool whose input the content is.
    let jsonTool: String?
    var usage = LLMUsage()
    var finishReason: String?
    var calls: [Int: (id: String, name: String, arguments: String)] = [:]
    var content = ""

    init(model: String, jsonTool: String?) {
        self.model = model
        self.jsonTool = jsonTool
    }

    /// Reads the stream to its end; whether a tool was called.
    mutating func read(_ body: AsyncThrowingStream<Data, any Error>, emit out: (LLMStreamEvent) -> Void) async throws -> Bool {
        var decoder = ServerSentEventDecoder()
        var done = false
        for try await bytes in body {
            for event in decoder.feed(bytes) where try take(event, emit: out) { done = true }
            if done { break }
        }
        if !done { for event in decoder.finish() where try take(event, emit: out) { done = true } }
        if !done, finishReason == nil { throw LLMError.incomplete("the stream ended before a finish_reason or [DONE]") }
        return finish(emit: out)
    }

    /// One event; true at `[DONE]`.
    mutating func take(_ event: ServerSentEvent, emit out: (LLMStreamEvent) -> Void) throws -> Bool {
        let data = event.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" { return true }
        guard let chunk = try? JSONValue.parse(data) else { return false }
        if chunk["error"] != nil { throw OpenAIProvider.apiError(status: nil, body: Data(data.utf8)) }
        if let used = chunk["usage"], used != .null {
            // prompt_tokens includes the cached ones; Tower counts fresh input apart.
            let cached = Int(used["prompt_tokens_details"]?["cached_tokens"]?.number ?? 0)
            usage.inputTokens = Int(used["prompt_tokens"]?.number ?? 0) - cached
            usage.cacheReadTokens = cached
            usage.outputTokens = Int(used["completion_tokens"]?.number ?? 0)
        }
        guard case .array(let choices)? = chunk["choices"], let choice = choices.first else { return false }
        if let reason = choice["finish_reason"]?.string { finishReason = reason }
        let delta = choice["delta"]
        if let text = delta?["content"]?.string, !text.isEmpty {
            content += text
            // A forced call's text is held (it may be the fallback's JSON); any other streams.
            if jsonTool == nil { out(.textDelta(text)) }
        }
        if case .array(let fragments)? = delta?["tool_calls"] {
            for fragment in fragments {
                let index = Int(fragment["index"]?.number ?? 0)
                var call = calls[index] ?? ("", "", "")
                if let id = fragment["id"]?.string, !id.isEmpty { call.id = id }
                if let name = fragment["function"]?["name"]?.string, !name.isEmpty { call.name = name }
                if let part = fragment["function"]?["arguments"]?.string { call.arguments += part }
                calls[index] = call
            }
        }
        return false
    }

    /// The tool calls (or the fallback's JSON as one), then the finish with usage.
    mutating func finish(emit out: (LLMStreamEvent) -> Void) -> Bool {
        var called = false
        if let jsonTool {
            let input = (try? JSONValue.parse(content)) ?? .string(content)
            out(.toolUse(id: "json_schema_\(jsonTool)", name: jsonTool, input: input))
            called = true
        }
        for index in calls.keys.sorted() {
            guard let call = calls[index], !call.name.isEmpty else { continue }
            let input = call.arguments.isEmpty ? JSONValue.object([:]) : ((try? JSONValue.parse(call.arguments)) ?? .string(call.arguments))
            out(.toolUse(id: call.id.isEmpty ? "call_\(index)" : call.id, name: call.name, input: input))
            called = true
        }
        let reason = called ? "tool_use" : finishReason == "length" ? "max_tokens" : "end_turn"
        out(.finished(stopReason: reason, usage: usage))
        return called
    }
}
