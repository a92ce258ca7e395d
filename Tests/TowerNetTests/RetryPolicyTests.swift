import Foundation
import HTTPTypes
import Testing
import TowerCore
import TowerNet

private let now = Date(timeIntervalSince1970: 1_800_000_000)
private let policy = RetryPolicy(maxAttempts: 3, backoff: RetryBackoff(base: 1, multiplier: 2, maximum: 30, jitter: 0), maximumWait: 60)

private func response(_ code: Int, _ headers: [(String, String)] = []) -> RetryPolicy.Outcome {
    var fields = HTTPFields()
    for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
    return .response(HTTPResponse.Status(code: code), fields)
}

@Suite struct RetryPolicyTests {
    @Test func successAndClientErrorsAreFinal() {
        for code in [200, 201, 204, 301, 304, 400, 401, 404, 409, 422] {
            #expect(policy.decide(method: .get, safeToRepeat: false, outcome: response(code), attempt: 1, now: now, random: 0) == .done)
        }
    }

    @Test func tooManyRequestsWaitsWhatRetryAfterSays() {
        #expect(policy.decide(method: .post, safeToRepeat: false, outcome: response(429, [("Retry-After", "1")]), attempt: 1, now: now, random: 0)
            == .retry(after: 1, reason: "429 Too Many Requests"))
        let date = "Fri, 15 Jan 2027 08:00:05 GMT"
        let at = policy.decide(method: .get, safeToRepeat: false, outcome: response(503, [("Retry-After", date)]), attempt: 1,
                               now: Date(timeIntervalSince1970: 1_800_000_000), random: 0)
        #expect(at == .retry(after: 5, reason: "503 Service Unavailable"))
        #expect(policy.decide(method: .get, safeToRepeat: false, outcome: response(429, [("Retry-After", "600")]), attempt: 1, now: now, random: 0)
            == .resumeLater(after: 600, reason: "429 Too Many Requests"), "longer than waited in-line: the caller parks")
    }

    @Test func serverErrorsBackOffExponentially() {
        #expect(policy.decide(method: .get, safeToRepeat: false, outcome: response(500), attempt: 1, now: now, random: 0) == .retry(after: 1, reason: "500 Internal Server Error"))
        #expect(policy.decide(method: .get, safeToRepeat: false, outcome: response(502), attempt: 2, now: now, random: 0) == .retry(after: 2, reason: "502 Bad Gateway"))
        #expect(policy.decide(method: .get, safeToRepeat: false, outcome: response(500), attempt: 3, now: now, random: 0) == .giveUp("500 Internal Server Error; gave up after 3 attempts"))
        #expect(policy.decide(method: .post, safeToRepeat: false, outcome: response(529), attempt: 1, now: now, random: 0) == .retry(after: 1, reason: "529 overloaded"))
    }

    @Test func aPostThatMayHaveBeenAppliedIsNotBlindlyRetried() {
        #expect(policy.decide(method: .post, safeToRepeat: false, outcome: response(500), attempt: 1, now: now, random: 0)
            == .giveUp("500 Internal Server Error on a POST without an idempotency key: not retried, it may have been applied"))
        #expect(policy.decide(method: .post, safeToRepeat: true, outcome: response(500), attempt: 1, now: now, random: 0) == .retry(after: 1, reason: "500 Internal Server Error"))
        #expect(policy.decide(method: .patch, safeToRepeat: false, outcome: .transport(.timedOut), attempt: 1, now: now, random: 0)
            == .giveUp("timed out on a PATCH without an idempotency key: not retried, it may have been applied"))
        #expect(policy.decide(method: .post, safeToRepeat: false, outcome: .transport(.couldNotConnect), attempt: 1, now: now, random: 0) == .retry(after: 1, reason: "could not connect"))
        #expect(policy.decide(method: .put, safeToRepeat: false, outcome: .transport(.connectionLost), attempt: 1, now: now, random: 0) == .retry(after: 1, reason: "connection lost"))
    }

    @Test func githubRateLimitsWaitForTheReset() {
        let reset = String(Int(now.timeIntervalSince1970) + 30)
        #expect(policy.decide(method: .get, safeToRepeat: false, outcome: response(403, [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset)]), attempt: 1, now: now, random: 0)
            == .retry(after: 31, reason: "GitHub rate limit exhausted"))
        #expect(policy.decide(method: .post, safeToRepeat: false, outcome: response(403, [("retry-after", "20")]), attempt: 1, now: now, random: 0)
            == .retry(after: 20, reason: "GitHub secondary rate limit"))
        #expect(policy.decide(method: .get, safeToRepeat: false, outcome: response(403, [("x-ratelimit-remaining", "12")]), attempt: 1, now: now, random: 0) == .done)
        // No Retry-After, headroom left, but the message names the secondary limit: a minute, then two.
        let secondary = Data(#"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits","status":"403"}"#.utf8)
        let limited = RetryPolicy.Outcome.response(HTTPResponse.Status(code: 403), [HTTPField.Name("x-ratelimit-remaining")!: "4990"], body: secondary)
        let patient = RetryPolicy(maxAttempts: 3, backoff: RetryBackoff(base: 1, multiplier: 2, maximum: 30, jitter: 0), maximumWait: 600)
        #expect(patient.decide(method: .post, safeToRepeat: false, outcome: limited, attempt: 1, now: now, random: 0) == .retry(after: 60, reason: "GitHub secondary rate limit"))
        #expect(patient.decide(method: .post, safeToRepeat: false, outcome: limited, attempt: 2, now: now, random: 0) == .retry(after: 120, reason: "GitHub secondary rate limit"))
        #expect(policy.decide(method: .post, safeToRepeat: false, outcome: limited, attempt: 2, now: now, random: 0)
            == .resumeLater(after: 120, reason: "GitHub secondary rate limit"))
        let forbidden = RetryPolicy.Outcome.response(HTTPResponse.Status(code: 403), [:], body: Data(#"{"message":"Resource not accessible by integration"}"#.utf8))
        #expect(policy.decide(method: .get, safeToRepeat: false, outcome: forbidden, attempt: 1, now: now, random: 0) == .done)
    }

    @Test func jitterTakesPartOfTheWaitAway() {
        let jittery = RetryPolicy(maxAttempts: 3, backoff: RetryBackoff(base: 4, multiplier: 2, maximum: 30, jitter: 0.5))
        #expect(jittery.decide(method: .get, safeToRepeat: false, outcome: response(500), attempt: 1, now: now, random: 1) == .retry(after: 2, reason: "500 Internal Server Error"))
    }
}
