import Foundation
import TowerCore

/// The Messages API's stream events as one state machine, whatever carries them: Server-Sent
/// Events from Anthropic, event-stream chunks from Bedrock. Text deltas pass through; a tool
/// call is assembled from its `input_json_delta` fragments; usage (prompt-cache writes and reads
/// apart) and the stop reason end it. Pricing is the table's (``PricedProvider``).
struct AnthropicEventReader {
    var usage = LLMUsage()
    var stopReason: String?
    var tools: [Int: (id: String, name: String, json: String)] = [:]
    /// Whether anything was passed on yet (a failure before that may be tried again).
    var started = false

    init() {}

    /// Reads one event (`type` from the event's own JSON); true when the message ended.
    mutating func read(_ json: JSONValue, into out: AsyncThrowingStream<LLMStreamEvent, any Error>.Continuation) throws -> Bool {
        switch json["type"]?.string {
        case "message_start":
            let start = json["message"]?["usage"]
            usage.inputTokens = Int(start?["input_tokens"]?.number ?? 0)
            usage.cacheWriteTokens = Int(start?["cache_creation_input_tokens"]?.number ?? 0)
            usage.cacheReadTokens = Int(start?["cache_read_input_tokens"]?.number ?? 0)
        case "content_block_start":
            if let block = json["content_block"], block["type"]?.string == "tool_use", let index = json["index"]?.number {
                tools[Int(index)] = (block["id"]?.string ?? "", block["name"]?.string ?? "", "")
            }
        case "content_block_delta":
            let delta = json["delta"]
            if delta?["type"]?.string == "text_delta", let text = delta?["text"]?.string {
                started = true
                out.yield(.textDelta(text))
            } else if delta?["type"]?.string == "input_json_delta", let index = json["index"]?.number, let part = delta?["partial_json"]?.string {
                tools[Int(index)]?.json += part
            }
        case "content_block_stop":
            if let index = json["index"]?.number, let tool = tools.removeValue(forKey: Int(index)) {
                let input = tool.json.isEmpty ? JSONValue.object([:]) : try JSONValue.parse(tool.json)
                started = true
                out.yield(.toolUse(id: tool.id, name: tool.name, input: input))
            }
        case "message_delta":
            stopReason = json["delta"]?["stop_reason"]?.string ?? stopReason
            if let output = json["usage"]?["output_tokens"]?.number { usage.outputTokens = Int(output) }
        case "message_stop":
            out.yield(.finished(stopReason: stopReason ?? "end_turn", usage: usage))
            return true
        case "error":
            throw AnthropicProvider.apiError(status: nil, body: (try? JSONEncoder().encode(json)) ?? Data())
        default:
            break  // ping and events added later
        }
        return false
    }
}
