import Foundation

/// Which provider and model a call goes to, written `provider:model` (`bedrock:anthropic.claude-
/// sonnet-4-20250514-v1:0`, `openai:qwen2.5-coder-32b`, `anthropic:claude-sonnet-4-20250514`).
/// A bare name is Anthropic's, as it always was. Bedrock's ids hold `:` themselves, so only a
/// known provider before the first `:` counts as one.
public struct ModelChoice: Sendable, Equatable, CustomStringConvertible {
    /// The providers Tower speaks to.
    public enum Provider: String, Sendable, CaseIterable {
        case anthropic, bedrock, openai

        /// The name people know it by.
        public var title: String {
            switch self {
            case .anthropic: "Anthropic"
            case .bedrock: "Amazon Bedrock"
            case .openai: "OpenAI-compatible"
            }
        }
    }

    public var provider: Provider
    public var model: String

    public init(provider: Provider, model: String) {
        self.provider = provider
        self.model = model
    }

    public init(_ text: String) {
        if let colon = text.firstIndex(of: ":"), let provider = Provider(rawValue: String(text[..<colon]).lowercased()) {
            self.init(provider: provider, model: String(text[text.index(after: colon)...]))
        } else {
            self.init(provider: .anthropic, model: text)
        }
    }

    /// `provider:model`, as calls are stored and keyed.
    public var description: String { "\(provider.rawValue):\(model)" }
}

/// One ``LLMProvider`` over several: a request's `provider:model` picks the provider, which gets
/// the bare model name. A provider that is not configured fails the call with the reason, so an
/// agent whose model is on an unconfigured provider says so and nothing else is affected.
public struct ProviderRouter: LLMProvider {
    public let providers: [ModelChoice.Provider: any LLMProvider]
    /// Why each missing provider is missing.
    public let problems: [ModelChoice.Provider: String]

    public init(providers: [ModelChoice.Provider: any LLMProvider], problems: [ModelChoice.Provider: String] = [:]) {
        self.providers = providers
        self.problems = problems
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        let choice = ModelChoice(request.model)
        guard let provider = providers[choice.provider] else {
            return AsyncThrowingStream { continuation in
                continuation.finish(
                    throwing: LLMError.notConfigured("\(choice.provider.title) (for \(choice)): \(problems[choice.provider] ?? "not configured")"))
            }
        }
        var forwarded = request
        forwarded.model = choice.model
        return provider.stream(forwarded)
    }
}
