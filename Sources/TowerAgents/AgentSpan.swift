import TowerNet
import Tracing

/// A span around a part of an agent's step (a plan task, one attempt at it), so the model calls,
/// sandbox runs and service calls inside it hang under it in the task's trace. Attributes are
/// Tower's own words (keys, numbers), never text from outside.
enum AgentSpan {
    static func around<T: Sendable>(_ name: String, _ attributes: [String: String], _ body: () async throws -> T) async throws -> T {
        guard TraceScope.inTrace else { return try await body() }
        let span = startSpan(name, ofKind: .internal)
        for (key, value) in attributes { span.attributes[key] = value }
        defer { span.end() }
        do {
            return try await ServiceContext.withValue(span.context) { try await body() }
        } catch {
            span.attributes["error.type"] = String(describing: type(of: error))
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
