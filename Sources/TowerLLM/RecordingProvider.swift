import Foundation
import TowerCore

/// A provider that passes every call through to another and writes each finished answer in the
/// replay provider's format (`TOWER_LLM_RECORD=DIR`): any run can be replayed offline, the
/// demo's recordings are made this way, and a bug report can carry the exact exchanges.
public struct RecordingProvider: LLMProvider {
    public let inner: any LLMProvider
    public let directory: URL

    public init(recording inner: any LLMProvider, into directory: URL) {
        self.inner = inner
        self.directory = directory
    }

    public func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
        let inner = inner
        let directory = directory
        return AsyncThrowingStream { continuation in
            let task = Task {
                var content: [ContentBlock] = []
                var text = ""
                do {
                    for try await event in inner.stream(request) {
                        continuation.yield(event)
                        switch event {
                        case .notice: break
                        case .textDelta(let delta): text += delta
                        case .toolUse(let id, let name, let input):
                            if !text.isEmpty { content.append(.text(text)) }
                            text = ""
                            content.append(.toolUse(id: id, name: name, input: input))
                        case .finished(let reason, let usage):
                            if !text.isEmpty { content.append(.text(text)) }
                            try ReplayProvider.record(LLMResult(content: content, stopReason: reason, usage: usage), for: request, in: directory)
                        }
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
