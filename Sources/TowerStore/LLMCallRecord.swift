import Foundation

/// One LLM call an agent made, kept with its task: what was asked, what came back, what it
/// cost and how long it took. The console's LLM tab and a bug report read these.
public struct LLMCallRecord: Sendable, Equatable {
    public var id: Int64?
    public var taskId: String?
    public var step: String
    /// The structured shape asked for (`plan`, `discovery_keywords`, …) and the try (`repair`).
    public var purpose: String
    public var model: String
    public var system: String
    /// The messages sent, as the provider's JSON.
    public var prompt: String
    /// The answer: the tool call's input as JSON, or the text.
    public var answer: String
    /// Why the answer was refused (validation) or the call failed.
    public var error: String?
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input written to and read from the prompt cache (apart from `inputTokens`).
    public var cacheWriteTokens: Int
    public var cacheReadTokens: Int
    /// US dollars, when the model's price is known.
    public var cost: Double?
    public var durationMs: Int
    public var at: Date

    public init(
        id: Int64? = nil, taskId: String?, step: String, purpose: String, model: String, system: String, prompt: String, answer: String,
        error: String? = nil, inputTokens: Int, outputTokens: Int, cacheWriteTokens: Int = 0, cacheReadTokens: Int = 0, cost: Double?, durationMs: Int, at: Date
    ) {
        self.cacheWriteTokens = cacheWriteTokens
        self.cacheReadTokens = cacheReadTokens
        self.id = id
        self.taskId = taskId
        self.step = step
        self.purpose = purpose
        self.model = model
        self.system = system
        self.prompt = prompt
        self.answer = answer
        self.error = error
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.durationMs = durationMs
        self.at = at
    }
}
