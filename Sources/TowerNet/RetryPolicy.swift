import Foundation
import HTTPTypes
import TowerCore

/// When to try a request again, and how long to wait first.
///
/// 429 and 529 (overloaded), GitHub's rate limits (primary: `x-ratelimit-remaining: 0` until
/// `x-ratelimit-reset`; secondary: 403 or 429 with `Retry-After`, or whose message names the
/// secondary limit: a minute, doubling each time, as GitHub's docs ask), 408 and 503 mean the server did not
/// act, so any request may be replayed. 500, 502, 504 and a connection lost mid-way may have
/// been acted on: only requests that are safe to repeat (GET, HEAD, PUT, DELETE, OPTIONS,
/// anything carrying an idempotency key, or a POST its client declares free of side effects,
/// as a model's answer is) are tried again. `Retry-After` is honoured up to
/// ``maximumWait`` in-line; a longer one is handed to the caller as ``Decision/resumeLater(after:reason:)``
/// (the engine parks the step); otherwise the wait is exponential with jitter.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var backoff: RetryBackoff
    /// The longest wait a server may ask for before the request fails instead.
    public var maximumWait: TimeInterval

    public init(maxAttempts: Int = 4, backoff: RetryBackoff = RetryBackoff(base: 1, multiplier: 2, maximum: 30, jitter: 0.5), maximumWait: TimeInterval = 120) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
        self.maximumWait = maximumWait
    }

    /// What happened to an attempt.
    public enum Outcome: Sendable {
        /// An answer; its body is read only to recognise GitHub's secondary rate limit.
        case response(HTTPResponse.Status, HTTPFields, body: Data = Data())
        case transport(TransportFailure)
    }

    /// A failure below HTTP.
    public enum TransportFailure: Sendable, Equatable {
        /// Name resolution or connection failed: the request was never sent.
        case couldNotConnect
        /// No (complete) answer in time: the server may have acted.
        case timedOut
        /// The connection broke after the request was sent.
        case connectionLost
    }

    public enum Decision: Sendable, Equatable {
        /// Use this answer (success, or an error retrying cannot fix).
        case done
        case retry(after: TimeInterval, reason: String)
        /// Stop and report this.
        case giveUp(String)
        /// The server asks for a longer wait than ``maximumWait``: not a failure, the caller
        /// should try again after `after` seconds (the engine parks the step until then).
        case resumeLater(after: TimeInterval, reason: String)
    }

    /// Whether repeating the request cannot apply it twice: its method says so, or its client
    /// does (`safeToRepeat`: an idempotency key, or a POST with no side effect).
    public static func isReplayable(_ method: HTTPRequest.Method, safeToRepeat: Bool) -> Bool {
        safeToRepeat || [.get, .head, .options, .put, .delete, .trace].contains(method)
    }

    public func decide(method: HTTPRequest.Method, safeToRepeat: Bool, outcome: Outcome, attempt: Int, now: Date, random: Double) -> Decision {
        let replayable = Self.isReplayable(method, safeToRepeat: safeToRepeat)
        var notActedOn = false
        var reason: String
        var wait: TimeInterval?
        switch outcome {
        case .transport(let failure):
            switch failure {
            case .couldNotConnect:
                notActedOn = true
                reason = "could not connect"
            case .timedOut: reason = "timed out"
            case .connectionLost: reason = "connection lost"
            }
        case .response(let status, let headers, let body):
            let code = status.code
            let remaining = headers[HTTPField.Name("x-ratelimit-remaining")!]
            if (code == 403 || code == 429), remaining == "0", let reset = headers[HTTPField.Name("x-ratelimit-reset")!].flatMap(Double.init) {
                notActedOn = true
                reason = "GitHub rate limit exhausted"
                wait = max(0, reset - now.timeIntervalSince1970) + 1
            } else if code == 403, let after = Self.retryAfter(headers, now: now) {
                notActedOn = true
                reason = "GitHub secondary rate limit"
                wait = after
            } else if code == 403 || code == 429, Self.namesSecondaryRateLimit(body) {
                notActedOn = true
                reason = "GitHub secondary rate limit"
                wait = Self.retryAfter(headers, now: now) ?? 60 * pow(2, Double(attempt - 1))
            } else if code == 429 || code == 529 || code == 503 || code == 408 {
                notActedOn = true
                reason = Self.describe(code)
                wait = Self.retryAfter(headers, now: now)
            } else if code == 500 || code == 502 || code == 504 {
                reason = Self.describe(code)
                wait = Self.retryAfter(headers, now: now)
            } else {
                return .done
            }
        }
        guard notActedOn || replayable else {
            return .giveUp("\(reason) on a \(method.rawValue) without an idempotency key: not retried, it may have been applied")
        }
        guard attempt < maxAttempts else { return .giveUp("\(reason); gave up after \(attempt) attempts") }
        if let wait {
            guard wait <= maximumWait else { return .resumeLater(after: wait, reason: reason) }
            return .retry(after: wait, reason: reason)
        }
        return .retry(after: backoff.delay(afterAttempt: attempt, random: random), reason: reason)
    }

    /// GitHub's secondary-limit answer says so in its message ("You have exceeded a secondary
    /// rate limit…"; formerly "abuse detection mechanism").
    static func namesSecondaryRateLimit(_ body: Data) -> Bool {
        guard !body.isEmpty, body.count < 64 * 1024 else { return false }
        let text = String(decoding: body, as: UTF8.self).lowercased()
        return text.contains("secondary rate limit") || text.contains("abuse detection")
    }

    static func describe(_ code: Int) -> String {
        let phrases = [
            408: "Request Timeout", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout", 529: "overloaded",
        ]
        return phrases[code].map { "\(code) \($0)" } ?? "HTTP \(code)"
    }

    /// `Retry-After` as seconds from `now`: a number of seconds or an HTTP date.
    public static func retryAfter(_ headers: HTTPFields, now: Date) -> TimeInterval? {
        guard let value = headers[.retryAfter]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return max(0, seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
