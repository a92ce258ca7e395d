import Foundation
import TowerCore
import HTTPTypes

/// What the service clients call: a transport plus the retry policy, with every attempt
/// reported (redacted) to an optional log.
public struct HTTPClient: Sendable {
    public let transport: CurlTransport
    public let policy: RetryPolicy
    /// Receives one line per attempt; URLs and headers are redacted first.
    public let log: (@Sendable (String) -> Void)?
    let redactor: Redactor
    /// Caps every request's time limits (an operator's `--timeout`); `nil` keeps the request's own.
    public let requestTimeout: TimeInterval?
    /// How much of each exchange goes to `log`.
    public let logDetail: LogDetail

    /// What the log receives per attempt.
    public enum LogDetail: Sendable {
        /// One line: method, redacted URL, status or failure, time.
        case attempts
        /// That line, then the request's and the response's headers (`> name: value`,
        /// `< name: value`), secret ones redacted.
        case headers
    }
    let sleep: @Sendable (TimeInterval) async throws -> Void

    public init(
        transport: CurlTransport = .shared, policy: RetryPolicy = RetryPolicy(), redactor: Redactor = Redactor(),
        log: (@Sendable (String) -> Void)? = nil, requestTimeout: TimeInterval? = nil, logDetail: LogDetail = .attempts
    ) {
        self.transport = transport
        self.policy = policy
        self.redactor = redactor
        self.log = log
        self.requestTimeout = requestTimeout
        self.logDetail = logDetail
        self.sleep = { seconds in try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
    }

    /// For tests: waits go through `sleep` (to record them instead of spending them).
    init(transport: CurlTransport, policy: RetryPolicy, log: (@Sendable (String) -> Void)?, sleep: @escaping @Sendable (TimeInterval) async throws -> Void) {
        self.transport = transport
        self.policy = policy
        self.redactor = Redactor()
        self.log = log
        self.requestTimeout = nil
        self.logDetail = .attempts
        self.sleep = sleep
    }

    /// Sends the request, repeating it as the policy allows. A final HTTP error status is
    /// returned, not thrown: the caller knows the service's error shape.
    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        try await ServiceCallSpan.around(request) { span in try await attempts(request, span: span) }
    }

    /// The attempts of ``send(_:)``, each counted on the call's span.
    private func attempts(_ request: HTTPClientRequest, span: ServiceCallSpan) async throws -> HTTPClientResponse {
        var request = request
        if let cap = requestTimeout {
            request.timeout = min(request.timeout, cap)
            request.connectTimeout = min(request.connectTimeout, cap)
        }
        var attempt = 0
        while true {
            attempt += 1
            span.attempt(attempt)
            let started = Date()
            let outcome: RetryPolicy.Outcome
            var response: HTTPClientResponse?
            do {
                let answer = try await transport.send(request)
                response = answer
                outcome = .response(answer.status, answer.headers, body: answer.body)
                note(request, attempt: attempt, "\(answer.status.code)", since: started, response: answer.head)
            } catch let error as HTTPClientError {
                guard let failure = error.transportFailure else { throw error }
                outcome = .transport(failure)
                note(request, attempt: attempt, "failed: \(error)", since: started)
                let decision = policy.decide(
                    method: request.method, safeToRepeat: request.idempotencyKey != nil, outcome: outcome, attempt: attempt, now: Date(),
                    random: Double.random(in: 0..<1))
                switch decision {
                case .retry(let wait, _):
                    try await sleep(wait)
                    continue
                case .resumeLater(let wait, let reason):
                    throw ResumeLater(after: wait, waitingFor: "\(reason) at \(request.url.host ?? "the server")")
                case .done, .giveUp:
                    throw error
                }
            }
            let decision = policy.decide(
                method: request.method, safeToRepeat: request.idempotencyKey != nil, outcome: outcome, attempt: attempt, now: Date(),
                random: Double.random(in: 0..<1))
            switch decision {
            case .retry(let wait, let reason):
                log?("\(request.method.rawValue) \(redactor.url(request.url.absoluteString)): \(reason); retrying in \(String(format: "%.1f", wait)) s")
                try await sleep(wait)
            case .resumeLater(let wait, let reason):
                log?("\(request.method.rawValue) \(redactor.url(request.url.absoluteString)): \(reason); the server asks to wait \(Int(wait)) s, longer than waited in-line")
                throw ResumeLater(after: wait, waitingFor: "\(reason) at \(request.url.host ?? "the server")")
            case .done, .giveUp:
                span.answered(response!.status.code)
                return response!
            }
        }
    }

    /// Writes one attempt to the log as ``send(_:)`` does, for callers that stream through the
    /// transport themselves (the LLM providers): redacted, with headers at `.headers` detail.
    public func note(_ request: HTTPClientRequest, attempt: Int, _ result: String, since: Date, response: HTTPClientHead? = nil) {
        guard let log else { return }
        let ms = Int(Date().timeIntervalSince(since) * 1000)
        log("\(request.method.rawValue) \(redactor.url(request.url.absoluteString)) attempt \(attempt): \(result) in \(ms) ms")
        guard logDetail == .headers else { return }
        for field in request.headers { log("> \(field.name.canonicalName): \(redactor.header(field.name.canonicalName, field.value))") }
        for field in response?.headers ?? [:] { log("< \(field.name.canonicalName): \(redactor.header(field.name.canonicalName, field.value))") }
    }
}
