import Foundation
import TowerLLM

/// Gives recorded answers back at about the pace a model writes them (capped), so that the
/// story in the console can be watched step by step instead of flashing past in two seconds.
/// Only the console's demo uses it; the headless demo and the tests answer at once.
public struct PacedProvider: LLMProvider {
    public let inner: any LLMProvider
    /// Output tokens per second the pause is reckoned at.
    public let tokensPerSecond: Double
    /// The longest pause for one answer.
    public let longest: TimeInterval

    public init(_ inner: any LLMProvider, tokensPerSecond: Double = 300, longest: TimeInterval = 2.5) {
        self.inner = inner
        self.tokensPerSecond = tokensPerSecond
        self.longest = longest
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        let inner = inner
        let (rate, longest) = (tokensPerSecond, longest)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in inner.stream(request) {
                        if case .finished(_, let usage) = event {
                            let pause = min(longest, Double(usage.outputTokens) / rate)
                            try await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
                        }
                        continuation.yield(event)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
