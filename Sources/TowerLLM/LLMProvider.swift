import Foundation
import TowerCore

/// A block of a message: text, a tool call the model makes, or a tool's answer.
public enum ContentBlock: Sendable, Equatable {
    case text(String)
    case toolUse(id: String, name: String, input: JSONValue)
    case toolResult(toolUseId: String, content: String, isError: Bool)
}

/// One turn of the conversation.
public struct LLMMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case user, assistant }
    public var role: Role
    public var content: [ContentBlock]

    public init(role: Role, content: [ContentBlock]) {
        self.role = role
        self.content = content
    }

    public static func user(_ text: String) -> LLMMessage { LLMMessage(role: .user, content: [.text(text)]) }
}

/// A tool the model may call, described by a JSON Schema.
public struct LLMTool: Sendable, Equatable {
    public var name: String
    public var description: String
    public var inputSchema: JSONValue

    public init(name: String, description: String, inputSchema: JSONValue) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }
}

/// Whether and which tool the model must call (Anthropic's `tool_choice`).
public enum LLMToolChoice: Sendable, Equatable {
    /// The model decides.
    case auto
    /// Some tool must be called.
    case any
    /// This tool must be called: how a structured answer is forced into a shape.
    case tool(String)
}

/// Where a prompt-cache prefix ends (Anthropic's `cache_control` breakpoint, on Anthropic's API
/// and Bedrock alike): everything before it, tools and system included, is cached and read back
/// by the next call that starts the same way.
public enum CachePoint: Sendable, Hashable {
    /// The end of the system prompt (and the tools before it).
    case system
    /// The end of block `block` of message `message` (both counted from 0).
    case block(message: Int, block: Int)
}

/// What to ask.
public struct LLMRequest: Sendable, Equatable {
    public var model: String
    public var system: String?
    public var messages: [LLMMessage]
    public var tools: [LLMTool]
    public var toolChoice: LLMToolChoice?
    public var maxTokens: Int
    /// Where cached prefixes end. Not part of a replay key: where the cache breaks does not change
    /// the question. Providers that cache prefixes on their own (OpenAI's) ignore it.
    public var cachePoints: Set<CachePoint> = []
    /// What the call is for (`plan`, `plan-task 2 attempt 1`). Not sent and not part of a replay
    /// key: it names the call when a recording is missing.
    public var purpose: String?

    public init(
        model: String, system: String? = nil, messages: [LLMMessage], tools: [LLMTool] = [], toolChoice: LLMToolChoice? = nil, maxTokens: Int = 4096,
        purpose: String? = nil
    ) {
        self.purpose = purpose
        self.model = model
        self.system = system
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.maxTokens = maxTokens
    }
}

/// Tokens used by one call, and what they cost when the model's price is known.
public struct LLMUsage: Sendable, Equatable {
    /// Input tokens read fresh (not from the prompt cache).
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input tokens written to the prompt cache, and read from it.
    public var cacheWriteTokens: Int
    public var cacheReadTokens: Int
    /// US dollars; `nil` for a model without a known price ("price unknown", never $0).
    public var cost: Double?
    /// Answered from a recording: `cost` is what the call would have cost live.
    public var replayed: Bool

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cacheWriteTokens: Int = 0, cacheReadTokens: Int = 0, cost: Double? = nil, replayed: Bool = false) {
        self.replayed = replayed
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.cacheReadTokens = cacheReadTokens
        self.cost = cost
    }
}

/// What a streaming call reports, in order.
public enum LLMStreamEvent: Sendable, Equatable {
    /// More text of the current text block.
    case textDelta(String)
    /// A complete tool call (its input JSON assembled from the deltas).
    case toolUse(id: String, name: String, input: JSONValue)
    /// The call ended: why (`end_turn`, `tool_use`, `max_tokens`, …) and the tokens used.
    case finished(stopReason: String, usage: LLMUsage)
    /// What the operator should know about how the call was made (a server that does not honour
    /// forced tools, so its answer came through the JSON-schema fallback).
    case notice(String)
}

/// The whole answer of a call.
public struct LLMResult: Sendable, Equatable {
    public var content: [ContentBlock]
    public var stopReason: String
    public var usage: LLMUsage
    /// The call's notices (``LLMStreamEvent/notice(_:)``).
    public var notices: [String] = []

    public init(content: [ContentBlock], stopReason: String, usage: LLMUsage, notices: [String] = []) {
        self.content = content
        self.stopReason = stopReason
        self.usage = usage
        self.notices = notices
    }

    /// All text blocks joined.
    public var text: String {
        content.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
    }
}

/// A language model behind one interface: Anthropic's API, Bedrock, OpenAI-compatible servers,
/// or recorded answers for the demo and tests.
public protocol LLMProvider: Sendable {
    func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error>
}

extension LLMProvider {
    /// Runs a call to the end and gathers its blocks.
    public func complete(_ request: LLMRequest) async throws -> LLMResult {
        var content: [ContentBlock] = []
        var text = ""
        var notices: [String] = []
        for try await event in stream(request) {
            switch event {
            case .notice(let notice): notices.append(notice)
            case .textDelta(let delta): text += delta
            case .toolUse(let id, let name, let input):
                if !text.isEmpty {
                    content.append(.text(text))
                    text = ""
                }
                content.append(.toolUse(id: id, name: name, input: input))
            case .finished(let reason, let usage):
                if !text.isEmpty { content.append(.text(text)) }
                return LLMResult(content: content, stopReason: reason, usage: usage, notices: notices)
            }
        }
        throw LLMError.incomplete("the stream ended without a stop reason")
    }
}

/// Why a call failed, with the provider's own words.
public enum LLMError: Error, Equatable, Sendable, CustomStringConvertible {
    case notConfigured(String)
    /// The API answered with an error (`overloaded_error`, `authentication_error`, …).
    case api(status: Int?, type: String, message: String)
    case incomplete(String)
    /// The replay provider has no recording for this request: which call, its key, and what
    /// differs from the recording made for that call, when there is one.
    case noRecording(call: String, key: String, why: String, directory: String)

    public var description: String {
        switch self {
        case .notConfigured(let what): "the LLM is not configured: \(what)"
        case .api(let status, let type, let message): "\(status.map { "HTTP \($0) " } ?? "")\(type): \(message)"
        case .incomplete(let why): "incomplete answer: \(why)"
        case .noRecording(let call, let key, let why, let directory): "no recorded answer for the call “\(call)” (key \(key)) in \(directory): \(why)"
        }
    }
}

extension LLMError {
    /// The API error types providers document (Anthropic's, and the OpenAI-compatible and
    /// Bedrock ones mapped onto them); any other is `other_api`, so a server cannot make up
    /// metric labels.
    static let knownTypes: Set<String> = [
        "invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large",
        "rate_limit_error", "api_error", "overloaded_error", "timeout_error", "billing_error",
        "ThrottlingException", "ValidationException", "AccessDeniedException", "ModelTimeoutException", "ServiceUnavailableException",
        "ModelNotReadyException", "InternalServerException",
        // OpenAI-compatible servers: OpenAI's own types and codes, Ollama's bare error, no JSON at all.
        "rate_limit_exceeded", "insufficient_quota", "server_error", "context_length_exceeded", "error", "http_error",
    ]

    /// What kind of failure a call ended in, as `/metrics` counts them by provider.
    public static func errorClass(of error: any Error) -> String {
        guard let error = error as? LLMError else { return error is CancellationError ? "cancelled" : "transport" }
        switch error {
        case .notConfigured: return "not_configured"
        case .api(_, let type, _): return knownTypes.contains(type) ? type : "other_api"
        case .incomplete: return "incomplete"
        case .noRecording: return "no_recording"
        }
    }
}
