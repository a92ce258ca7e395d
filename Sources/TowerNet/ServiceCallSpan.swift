import Foundation
import Tracing

/// The client span of one service call, with OpenTelemetry's HTTP client conventions: named
/// `METHOD template`, with the method, the server, the route template, the final status and how
/// many times it was sent again. Never the URL (its query may carry a token), a header or a body.
public struct ServiceCallSpan: Sendable {
    let span: (any Span)?

    /// Runs `body` inside the call's span (none when nothing is traced), which ends with it and
    /// records a failure by its type.
    public static func around<T>(_ request: HTTPClientRequest, _ body: (ServiceCallSpan) async throws -> T) async throws -> T {
        guard TraceScope.inTrace else { return try await body(ServiceCallSpan(span: nil)) }
        let method = request.method.rawValue
        let span = startSpan(request.route.map { "\(method) \($0)" } ?? method, ofKind: .client)
        span.attributes["http.request.method"] = method
        if let host = request.url.host { span.attributes["server.address"] = host }
        if let port = request.url.port ?? (request.url.scheme == "https" ? 443 : request.url.scheme == "http" ? 80 : nil) {
            span.attributes["server.port"] = port
        }
        if let route = request.route { span.attributes["url.template"] = route }
        defer { span.end() }
        do {
            return try await ServiceContext.withValue(span.context) { try await body(ServiceCallSpan(span: span)) }
        } catch {
            if span.attributes["error.type"] == nil { span.attributes["error.type"] = String(describing: type(of: error)) }
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// The attempt about to be sent: from the second on it counts as sent again.
    func attempt(_ number: Int) {
        if number > 1 { span?.attributes["http.request.resend_count"] = number - 1 }
    }

    /// The final answer's status; 4xx and 5xx mark the call failed, as the conventions say.
    func answered(_ status: Int) {
        guard let span else { return }
        span.attributes["http.response.status_code"] = status
        if status >= 400 {
            span.attributes["error.type"] = "\(status)"
            span.setStatus(SpanStatus(code: .error))
        }
    }
}
