import Foundation
import TowerNet
import Tracing

/// The client span of one model call, with OpenTelemetry's GenAI conventions (`gen_ai.*`): the
/// provider, the model asked, tokens in and out and from the prompt cache, why it stopped, and
/// Tower's own cost figure. Never the prompt or the answer (they quote tickets and code).
public enum ModelCallSpan {
    /// The conventions' name for each provider (`gen_ai.provider.name`).
    static func providerName(_ provider: ModelChoice.Provider) -> String {
        switch provider {
        case .anthropic: "anthropic"
        case .bedrock: "aws.bedrock"
        case .openai: "openai"
        }
    }

    /// Runs `call` (the request to `choice`) inside a `chat MODEL` span; none when nothing is traced.
    public static func around(
        _ choice: ModelChoice, _ request: LLMRequest, purpose: String?, _ call: () async throws -> LLMResult
    ) async throws -> LLMResult {
        guard TraceScope.inTrace else { return try await call() }
        let span = startSpan("chat \(choice.model)", ofKind: .client)
        span.attributes["gen_ai.operation.name"] = "chat"
        span.attributes["gen_ai.provider.name"] = providerName(choice.provider)
        span.attributes["gen_ai.request.model"] = choice.model
        span.attributes["gen_ai.request.max_tokens"] = request.maxTokens
        if let purpose { span.attributes["tower.llm.purpose"] = purpose }
        defer { span.end() }
        do {
            let result = try await ServiceContext.withValue(span.context) { try await call() }
            let usage = result.usage
            span.attributes["gen_ai.response.finish_reasons"] = [result.stopReason]
            span.attributes["gen_ai.usage.input_tokens"] = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
            span.attributes["gen_ai.usage.output_tokens"] = usage.outputTokens
            span.attributes["gen_ai.usage.cache_read.input_tokens"] = usage.cacheReadTokens
            span.attributes["gen_ai.usage.cache_creation.input_tokens"] = usage.cacheWriteTokens
            if let cost = usage.cost { span.attributes["tower.llm.cost_usd"] = cost }
            if usage.replayed { span.attributes["tower.llm.replayed"] = true }
            return result
        } catch {
            span.attributes["error.type"] = LLMError.errorClass(of: error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
