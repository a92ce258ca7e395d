import Foundation
import TowerCore
import TowerEngine
import TowerLLM
import TowerStore

/// Asks a model for a ``StructuredAnswer`` through a forced tool call, validates the answer,
/// and repairs a malformed one once by sending the problems back as the tool's error result.
/// A second malformed answer fails the step with those problems. Every call (the repair too)
/// is kept with the task: prompt, answer, model, tokens, cost, duration.
public struct StructuredCaller: Sendable {
    public let provider: any LLMProvider
    public let model: String
    /// Where calls are kept; `nil` for runs that belong to no task (`tower discover`).
    let recorder: (@Sendable (LLMCallRecord) async -> Void)?
    let maxTokens: Int
    /// Tower's own secrets, taken out of every prompt before it is sent (a token pasted into a
    /// ticket, or committed to a repository, does not travel on to the model).
    let secrets: [String]
    /// Where a provider's notices go (the task's log).
    let notify: (@Sendable (String) async -> Void)?
    /// Asked before every call, the repair too: throws to stop before it (a budget).
    var gate: (@Sendable () async throws -> Void)?

    public init(
        provider: any LLMProvider, model: String, maxTokens: Int = 8192, secrets: [String] = [],
        recorder: (@Sendable (LLMCallRecord) async -> Void)? = nil, notify: (@Sendable (String) async -> Void)? = nil
    ) {
        self.notify = notify
        self.provider = provider
        self.model = model
        self.maxTokens = maxTokens
        self.secrets = secrets.filter { $0.count >= 6 }
        self.recorder = recorder
    }

    /// The same caller, keeping its calls in `store` under a task and step.
    public func recording(to store: any Store, taskId: String?, step: String) -> StructuredCaller {
        StructuredCaller(
            provider: provider, model: model, maxTokens: maxTokens, secrets: secrets,
            recorder: { record in
                var record = record
                record.taskId = taskId
                record.step = step
                _ = try? await store.recordLLMCall(record)
            },
            notify: { notice in
                guard let taskId else { return }
                _ = try? await store.appendEvents([TaskEvent(taskId: taskId, at: Date(), level: .warning, agent: step, message: notice)])
            })
    }

    /// The same caller, asking `gate` before every call.
    public func gated(_ gate: @escaping @Sendable () async throws -> Void) -> StructuredCaller {
        var gated = self
        gated.gate = gate
        return gated
    }

    /// The answer to `prompt` in the shape `T`, or ``StructuredCallError/malformed(tool:problems:)``
    /// after one repair.
    /// `cachedPrefix` is what the prompt starts with that other calls of the same work repeat (the
    /// plan for every plan task, the task for every attempt): each part is a block of its own, the
    /// prompt cache ends after each, and after the system prompt. Without it nothing is cached, so a
    /// one-off call pays no cache write. Only the first three parts end a cached prefix (Anthropic takes four breakpoints).
    /// `check` adds problems only the caller can see (a repository that is not a candidate).
    public func ask<T: StructuredAnswer>(
        _ type: T.Type, system: String, cachedPrefix: [String] = [], prompt: String, purpose: String, check: (T) -> [String] = { _ in [] }
    ) async throws -> T {
        let tool = LLMTool(name: T.toolName, description: T.toolDescription, inputSchema: T.schema.json)
        let parts = (cachedPrefix + (prompt.isEmpty && !cachedPrefix.isEmpty ? [] : [prompt])).map(redacted)
        var messages = [LLMMessage(role: .user, content: parts.map(ContentBlock.text))]
        var cachePoints: Set<CachePoint> = []
        if !cachedPrefix.isEmpty {
            cachePoints.insert(.system)
            for index in cachedPrefix.prefix(3).indices { cachePoints.insert(.block(message: 0, block: index)) }
        }
        var lastProblems: [String] = []
        for attempt in 1...2 {
            var request = LLMRequest(model: model, system: system, messages: messages, tools: [tool], toolChoice: .tool(T.toolName), maxTokens: maxTokens,
                purpose: attempt == 1 ? purpose : "\(purpose) (repair)")
            request.cachePoints = cachePoints
            try await gate?()
            let started = Date()
            let result: LLMResult
            do {
                result = try await ModelCallSpan.around(ModelChoice(model), request, purpose: request.purpose) { try await provider.complete(request) }
                if let notify { for notice in result.notices { await notify(notice) } }
            } catch {
                EngineMetrics.providerFailed(provider: ModelChoice(model).provider.rawValue, class: LLMError.errorClass(of: error))
                await keep(request, purpose: purpose, attempt: attempt, answer: "", error: String(describing: error), usage: LLMUsage(), since: started)
                if let error = error as? LLMError, Self.isPermanent(error) { throw PermanentStepFailure("\(purpose): \(error)") }
                throw error
            }
            let call = result.content.compactMap { block -> (id: String, input: JSONValue)? in
                if case .toolUse(let id, let name, let input) = block, name == T.toolName { return (id, input) }
                return nil
            }.first
            var problems: [String]
            var answer: T?
            if let call {
                problems = T.schema.problems(in: call.input)
                if problems.isEmpty {
                    do {
                        let decoded = try JSONDecoder().decode(T.self, from: JSONEncoder().encode(call.input))
                        problems = decoded.problems() + check(decoded)
                        answer = decoded
                    } catch {
                        problems = ["$: the answer does not decode: \(error)"]
                    }
                }
            } else {
                problems = ["the answer did not call \(T.toolName) (stop reason \(result.stopReason))"]
            }
            if result.stopReason == "max_tokens" { problems.append("the answer was cut off at the \(maxTokens)-token limit; be more concise") }
            let answerText = call.map { Self.text($0.input) } ?? result.text
            await keep(
                request, purpose: purpose, attempt: attempt, answer: answerText, error: problems.isEmpty ? nil : problems.joined(separator: "; "),
                usage: result.usage, since: started)
            if let answer, problems.isEmpty { return answer }
            lastProblems = problems
            // The repair turn: the model's own call, and the problems as that call's error result.
            messages.append(LLMMessage(role: .assistant, content: result.content.isEmpty ? [.text("(no answer)")] : result.content))
            let feedback = "Your \(T.toolName) call was refused. Fix every problem below and call \(T.toolName) again with the whole corrected answer.\n"
                + problems.map { "- \($0)" }.joined(separator: "\n")
            if let call {
                messages.append(LLMMessage(role: .user, content: [.toolResult(toolUseId: call.id, content: feedback, isError: true)]))
            } else {
                messages.append(.user(feedback))
            }
        }
        throw StructuredCallError.malformed(tool: T.toolName, problems: lastProblems)
    }

    /// Failures that asking again cannot fix: no recording for this question, no key, a key the
    /// API refuses, a request it calls invalid. Overload, rate limits and cut streams are retried.
    static func isPermanent(_ error: LLMError) -> Bool {
        switch error {
        case .noRecording, .notConfigured: true
        case .api(let status, let type, _):
            // The status where there is one (every provider's refusals are 400, 401, 403, 404, 422),
            // else the type: Anthropic's, Bedrock's exceptions, OpenAI's.
            [400, 401, 403, 404, 422].contains(status ?? 0)
                || [
                    "authentication_error", "permission_error", "invalid_request_error", "not_found_error", "AccessDeniedException", "ValidationException",
                    "UnrecognizedClientException", "InvalidSignatureException", "ResourceNotFoundException",
                ].contains(type)
        case .incomplete: false
        }
    }

    func redacted(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) { out = out.replacingOccurrences(of: secret, with: "[redacted]") }
        return out
    }

    private func keep(_ request: LLMRequest, purpose: String, attempt: Int, answer: String, error: String?, usage: LLMUsage, since started: Date) async {
        guard let recorder else { return }
        let prompt = Self.text(.array(request.messages.map(AnthropicProvider.encode)))
        await recorder(
            LLMCallRecord(
                taskId: nil, step: "", purpose: attempt == 1 ? purpose : "\(purpose) (repair)", model: request.model, system: request.system ?? "",
                prompt: prompt, answer: answer, error: error, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens,
                cacheWriteTokens: usage.cacheWriteTokens, cacheReadTokens: usage.cacheReadTokens, cost: usage.cost,
                durationMs: Int(Date().timeIntervalSince(started) * 1000), at: Date(), replayed: usage.replayed))
    }

    static func text(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}

/// Why a structured call gave no usable answer.
public enum StructuredCallError: Error, Equatable, CustomStringConvertible {
    /// Two answers in a row broke the shape; the problems are the second answer's.
    case malformed(tool: String, problems: [String])

    public var description: String {
        switch self {
        case .malformed(let tool, let problems):
            "the model's \(tool) answer was malformed twice (repaired once); problems: \(problems.joined(separator: "; "))"
        }
    }
}
