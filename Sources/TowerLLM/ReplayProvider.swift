import Foundation
import TowerCore

/// Answers from recorded transcripts instead of a model: the demo and tests run offline and
/// repeatably. A request matches a recording by a key over everything that shapes the answer
/// (model, system prompt, messages, tools); a request with no recording fails loudly, naming
/// the call and saying which part of the question changed since the recording of that call was
/// made, instead of inventing an answer.
public struct ReplayProvider: LLMProvider {
    /// One recorded exchange, stored as `CALL.json` (or `KEY.json`); found by the key it holds.
    public struct Transcript: Codable, Sendable, Equatable {
        public var key: String
        /// The question, for people reading the file.
        public var summary: String
        public var text: [String]
        public var toolCalls: [ToolCall]
        public var stopReason: String
        public var inputTokens: Int
        public var outputTokens: Int
        /// What the call was for (the request's `purpose`): how a miss finds the recording it
        /// was meant to match.
        public var call: String?
        /// A digest of each part of the question (`model`, `system`, `tools`, `message 1`, …), so
        /// a miss can say which part changed.
        public var parts: [String: String]?

        public struct ToolCall: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            public var input: JSONValue
        }
    }

    public let directory: URL
    /// When the key misses, answer with the recording made for the same call (its `purpose`)
    /// instead of failing. Only for re-recording after a prompt changed (`scripts/record-demo`):
    /// the answers stay, their keys are made again. Never for a run that should be checked.
    public let matchingByCall: Bool

    public init(directory: URL, matchingByCall: Bool = false) {
        self.directory = directory
        self.matchingByCall = matchingByCall
    }

    /// The recording key of a request: FNV-1a (64 bit) over its canonical JSON.
    public static func key(for request: LLMRequest) -> String {
        var fields: [String: JSONValue] = [
            "model": .string(request.model), "system": request.system.map(JSONValue.string) ?? .null,
            "messages": .array(request.messages.map(AnthropicProvider.encode)),
            "tools": .array(request.tools.map(AnthropicProvider.encode)),
        ]
        if let choice = request.toolChoice { fields["tool_choice"] = AnthropicProvider.encode(choice) }
        return digest(.object(fields))
    }

    /// A digest of each part of a request, named as a person would say which part changed.
    public static func parts(of request: LLMRequest) -> [String: String] {
        var parts: [String: String] = [
            "model": digest(.string(request.model)), "system prompt": digest(request.system.map(JSONValue.string) ?? .null),
            "tools": digest(.array(request.tools.map(AnthropicProvider.encode))),
            "messages": String(request.messages.count),
        ]
        for (index, message) in request.messages.enumerated() { parts["message \(index + 1)"] = digest(AnthropicProvider.encode(message)) }
        return parts
    }

    /// FNV-1a (64 bit) over a value's canonical JSON, as 16 hex digits.
    static func digest(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(value)) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The text of a request's last question, for people reading a recording or an error.
    static func question(_ request: LLMRequest) -> String {
        request.messages.last.flatMap { $0.content.compactMap { if case .text(let t) = $0 { t } else { nil } }.first } ?? ""
    }

    /// The recording made for the call named `purpose`, if any.
    static func recording(ofCall purpose: String?, in directory: URL) -> Data? {
        guard let purpose else { return nil }
        return transcripts(in: directory).first { $0.transcript.call == purpose }?.data
    }

    /// Every readable recording in `directory`, in file-name order.
    static func transcripts(in directory: URL) -> [(name: String, transcript: Transcript, data: Data)] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = try? Data(contentsOf: directory.appendingPathComponent(name)),
                let transcript = try? JSONDecoder().decode(Transcript.self, from: data)
            else { return nil }
            return (name, transcript, data)
        }
    }

    /// Why `request` has no recording: which recording was made for the same call, and which
    /// parts of the question differ from it; or that no recording of that call exists.
    static func miss(_ request: LLMRequest, key: String, in directory: URL) -> LLMError {
        let call = request.purpose ?? "\(request.model): \(question(request).prefix(80))"
        let recorded = transcripts(in: directory)
        guard let purpose = request.purpose, let (name, match, _) = recorded.first(where: { $0.transcript.call == purpose }) else {
            return .noRecording(
                call: call, key: key, why: "nothing was recorded for this call (\(recorded.count) recordings there); record it with TOWER_LLM_RECORD",
                directory: directory.path)
        }
        let now = parts(of: request)
        let then = match.parts ?? [:]
        var changed: [String] = []
        for part in ["model", "system prompt", "tools"] where now[part] != then[part] { changed.append("the \(part)") }
        if now["messages"] != then["messages"] {
            changed.append("the number of messages (\(then["messages"] ?? "?") recorded, \(now["messages"] ?? "?") now)")
        } else {
            let count = Int(now["messages"] ?? "") ?? 0
            for index in 0..<count where now["message \(index + 1)"] != then["message \(index + 1)"] { changed.append("message \(index + 1)") }
        }
        let what = changed.isEmpty ? "the question" : changed.joined(separator: ", ")
        return .noRecording(
            call: call, key: key,
            why: "the recording of this call (\(name)) was made for another question: \(what) changed since it was recorded (a prompt, or the code or data that builds it); record it again",
            directory: directory.path)
    }

    /// The file a recording is kept in: named after its call (`plan-task-1-attempt-2.json`), so
    /// that recording again after a prompt changed rewrites the same files; `KEY.json` for a call
    /// with no name, or when that name's file already holds another question's answer.
    static func fileName(call: String?, key: String, in directory: URL) -> String {
        guard let call, !call.isEmpty else { return "\(key).json" }
        let slug = String(call.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }).split(separator: "-").joined(separator: "-")
        let plain = directory.appendingPathComponent("\(slug).json")
        guard let data = try? Data(contentsOf: plain), let existing = try? JSONDecoder().decode(Transcript.self, from: data), existing.key != key else {
            return "\(slug).json"
        }
        return "\(slug)-\(key).json"
    }

    /// Stores the answer a real provider gave, so it can be replayed.
    public static func record(_ result: LLMResult, for request: LLMRequest, in directory: URL) throws {
        let key = key(for: request)
        let transcript = Transcript(
            key: key, summary: "\(request.model): \(question(request).prefix(120))",
            text: result.content.compactMap { if case .text(let t) = $0 { t } else { nil } },
            toolCalls: result.content.compactMap { if case .toolUse(let id, let name, let input) = $0 { .init(id: id, name: name, input: input) } else { nil } },
            stopReason: result.stopReason, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens,
            call: request.purpose, parts: parts(of: request))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try encoder.encode(transcript).write(to: directory.appendingPathComponent(fileName(call: request.purpose, key: key, in: directory)))
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        AsyncThrowingStream { continuation in
            let key = Self.key(for: request)
            let url = directory.appendingPathComponent("\(key).json")
            guard
                let data = (try? Data(contentsOf: url)) ?? Self.transcripts(in: directory).first(where: { $0.transcript.key == key })?.data
                    ?? (matchingByCall ? Self.recording(ofCall: request.purpose, in: directory) : nil)
            else {
                continuation.finish(throwing: Self.miss(request, key: key, in: directory))
                return
            }
            do {
                let transcript = try JSONDecoder().decode(Transcript.self, from: data)
                for text in transcript.text { continuation.yield(.textDelta(text)) }
                for call in transcript.toolCalls { continuation.yield(.toolUse(id: call.id, name: call.name, input: call.input)) }
                continuation.yield(.finished(stopReason: transcript.stopReason, usage: LLMUsage(inputTokens: transcript.inputTokens, outputTokens: transcript.outputTokens, replayed: true)))
                continuation.finish()
            } catch {
                continuation.finish(throwing: LLMError.incomplete("recording \(url.path) cannot be read: \(error)"))
            }
        }
    }
}
