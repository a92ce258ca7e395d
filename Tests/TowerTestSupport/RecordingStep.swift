import Foundation
import TowerCore
import TowerEngine

/// A step that does one idempotent outside effect, as the real agents do: it looks for the
/// effect by the step's idempotency key and makes it only when it is not there yet.
///
/// Behaviour is chosen by words in the task's title:
/// `ci-fail-once` (CI fails in cycle 0), `flaky-discovery` (the first Discovery attempt throws),
/// `broken-execution` (Execution always throws), `ci-always-fails`.
public struct RecordingStep: WorkflowStep {
    public let effects: EffectLog
    public let delay: TimeInterval
    /// Called with `begin KEY` and `effect KEY` (the worker prints them for the crash test).
    public let marker: @Sendable (String) -> Void

    public init(effects: EffectLog, delay: TimeInterval = 0, marker: @escaping @Sendable (String) -> Void = { _ in }) {
        self.effects = effects
        self.delay = delay
        self.marker = marker
    }

    public func run(_ context: StepContext) async throws -> StepOutcome {
        let key = context.idempotencyKey
        marker("begin \(key)")
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        let title = context.task.title
        if context.step == .discovery, title.contains("flaky-discovery"), context.attempt == 1 {
            throw StepTestError("search API timed out")
        }
        if context.step == .execution, title.contains("broken-execution") {
            throw StepTestError("tests failed: 3 assertions")
        }
        if !effects.contains(key) { effects.record(key) }
        marker("effect \(key)")
        try await context.log(.info, "did \(key) (attempt \(context.attempt))")
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        let output = StepOutput(json: Data("{\"key\":\"\(key)\"}".utf8), summary: key)
        if context.step == .ciMonitoring {
            if title.contains("ci-always-fails") || (title.contains("ci-fail-once") && context.task.cycle == 0) {
                return .ciFailed(output, reason: "eslint: 2 errors")
            }
        }
        return .completed(output)
    }
}

/// A failure a test step throws on purpose.
public struct StepTestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
