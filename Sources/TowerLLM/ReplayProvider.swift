import Foundation
import TowerCore

/// Answers from recorded transcripts instead of a model: the demo and tests run offline and
/// repeatably. A request matches a recording by a key over everything that shapes the answer
/// (model, system prompt, messages, tools); a request with no recording fails loudly, naming
/// the key and the question, instead of inventing an answer.
public struct ReplayProvider: LLMProvider {
    /// One recorded exchange, stored as `KEY.json`.
    public struct Transcript: Codable, Sendable, Equatable {
        public var key: String
        /// The question, for people reading the file.
        public var summary: String
        public var text: [String]
        public var toolCalls: [ToolCall]
        public var stopReason: String
        public var inputTokens: Int
        public var outputTokens: Int

        public struct ToolCall: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var input: JSONValue
        }
    }

    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// The recording key of a request: FNV-1a (64 bit) over its canonical JSON.
    public static func key(for request: LLMRequest) -> String {
        var fields: [String: JSONValue] = [
            "model": .string(request.model), "system": request.system.map(JSONValue.string) ?? .null,
            "messages": .array(request.messages.map(AnthropicProvider.encode)),
            "tools": .array(request.tools.map(AnthropicProvider.encode)),
        ]
        if let choice = request.toolChoice { fields["tool_choice"] = AnthropicProvider.encode(choice) }
        let canonical = JSONValue.object(fields)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(canonical)) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Stores the answer a real provider gave, so it can be replayed.
    public static func record(_ result: LLMResult, for request: LLMRequest, in directory: URL) throws {
        let key = key(for: request)
        let question = request.messages.last.flatMap { $0.content.compactMap { if case .text(let t) = $0 { t } else { nil } }.first } ?? ""
        let transcript = Transcript(
            key: key, summary: "\(request.model): \(question.prefix(120))",
            text: result.content.compactMap { if case .text(let t) = $0 { t } else { nil } },
            toolCalls: result.content.compactMap { if case .toolUse(let id, let name, let input) = $0 { .init(id: id, name: name, input: input) } else { nil } },
            stopReason: result.stopReason, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try encoder.encode(transcript).write(to: directory.appendingPathComponent("\(key).json"))
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let key = Self.key(for: request)
            let url = directory.appendingPathComponent("\(key).json")
            guard let data = try? Data(contentsOf: url) else {
                let question = request.messages.last.flatMap { $0.content.compactMap { if case .text(let t) = $0 { t } else { nil } }.first } ?? ""
                continuation.finish(throwing: LLMError.noRecording(key: key, question: "\(request.model): \(question.prefix(80))", directory: directory.path))
                return
            }
            do {
                let transcript = try JSONDecoder().decode(Transcript.self, from: data)
                for text in transcript.text { continuation.yield(.textDelta(text)) }
                for call in transcript.toolCalls { continuation.yield(.toolUse(id: call.id, name: call.name, input: call.input)) }
                continuation.yield(.finished(stopReason: transcript.stopReason, usage: LLMUsage(inputTokens: transcript.inputTokens, outputTokens: transcript.outputTokens, cost: 0)))
                continuation.finish()
            } catch {
                continuation.finish(throwing: LLMError.incomplete("recording \(url.path) cannot be read: \(error)"))
            }
        }
    }
}
