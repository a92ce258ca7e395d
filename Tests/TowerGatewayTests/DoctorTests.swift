import Foundation
import Testing
import TowerConfig
import TowerCore
import TowerHTTPTestSupport
import TowerNet
import TowerServices
import TowerTestLog

@testable import TowerGateway

/// A gateway over `environment` alone (no files), logging its HTTP attempts to the run log.
func gateway(_ environment: [String: String]) throws -> Gateway {
    let configuration = try Configuration.load(environment: environment, dotEnvPath: "/nonexistent/.env", configPath: "/nonexistent/config.toml")
    let http = HTTPClient(policy: RetryPolicy(maxAttempts: 1), log: RunLog.http("gateway-tests"), requestTimeout: 5)
    return Gateway(configuration: configuration, http: http)
}

/// A loopback port where nothing listens.
let unreachable = "http://127.0.0.1:1"

@Suite struct DoctorTests {
    @Test func everyConfiguredServiceAnswersWithItsIdentityAndHeadroom() async throws {
        let seen = Counter()
        let server = try await TestServer.start { ServiceStandIns.routes($0, seen: seen) }
        defer { server.stop() }
        let checks = await Doctor.check(try gateway(ServiceStandIns.environment(base: server.base)))
        #expect(checks.map(\.service) == Gateway.Service.allCases)
        #expect(checks.allSatisfy { $0.status == .ok && $0.latencyMs != nil }, "\(checks)")
        let byService = Dictionary(uniqueKeysWithValues: checks.map { ($0.service, $0) })
        #expect(byService[.github]?.identity == "tower-bot (Tower Bot)")
        #expect(byService[.github]?.headroom == RateHeadroom(remaining: 4987, limit: 5000, resetsAt: Date(timeIntervalSince1970: 1_795_000_000)))
        #expect(byService[.jira]?.identity == "Tower Bot <bot@acme.example>" && byService[.jira]?.headroom?.remaining == 98)
        #expect(byService[.slack]?.identity == "tower in Acme (https://acme.slack.com/)")
        #expect(byService[.sentry]?.identity == "Acme Corp (acme)" && byService[.sentry]?.headroom == RateHeadroom(remaining: 39, limit: 40))
        #expect(byService[.anthropic]?.identity == "API key of organization org-acme-1 (2 models)" && byService[.anthropic]?.headroom?.remaining == 49)
        #expect(byService[.bedrock]?.identity == "credentials from the environment in us-east-1 (1 Anthropic model)")
        #expect(byService[.openai]?.identity == "1 model (qwen2.5-coder-32b…)")
        #expect(Set(seen.all) == [
            "GET /github/rate_limit", "GET /github/user", "GET /jira/rest/api/3/myself", "POST /slack/api/auth.test",
            "GET /sentry/api/0/organizations/acme/", "GET /anthropic/v1/models", "GET /bedrock/foundation-models", "GET /openai/v1/models",
        ])
    }

    @Test func aWrongCredentialIsReportedInTheServicesOwnWords() async throws {
        let server = try await TestServer.start { ServiceStandIns.routes($0, seen: Counter()) }
        defer { server.stop() }
        var environment = ServiceStandIns.environment(base: server.base, githubToken: TestSecrets.wrongToken)
        environment["JIRA_API_TOKEN"] = TestSecrets.wrongToken
        environment["SLACK_BOT_TOKEN"] = TestSecrets.wrongToken
        environment["SENTRY_AUTH_TOKEN"] = TestSecrets.wrongToken
        environment["ANTHROPIC_API_KEY"] = TestSecrets.wrongToken
        environment["AWS_SECRET_ACCESS_KEY"] = TestSecrets.wrongToken
        environment["OPENAI_API_KEY"] = TestSecrets.wrongToken
        let checks = await Doctor.check(try gateway(environment))
        #expect(checks.allSatisfy { $0.status == .failed })
        #expect(checks.map { $0.message ?? "" } == [
            "GitHub answered 401: Bad credentials",
            "Jira answered 401: You are not authenticated. Authentication required to perform this operation.",
            "Slack answered 200: invalid_auth",
            "Sentry answered 401: Invalid token",
            "HTTP 401 authentication_error: invalid x-api-key",
            "HTTP 403 InvalidSignatureException: The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
            "HTTP 401 invalid_request_error: Incorrect API key provided.",
        ])
        #expect(checks.allSatisfy { !($0.message ?? "").contains(TestSecrets.marker) })
    }

    @Test func anUnreachableServiceFailsWithTheConnectionError() async throws {
        var environment = ServiceStandIns.environment(base: URL(string: unreachable)!)
        environment["SLACK_BOT_TOKEN"] = nil
        let checks = await Doctor.check(try gateway(environment))
        let byService = Dictionary(uniqueKeysWithValues: checks.map { ($0.service, $0) })
        #expect(byService[.github]?.status == .failed)
        #expect(byService[.github]?.message == "cannot connect to 127.0.0.1: Couldn't connect to server")
        #expect(byService[.slack] == HealthCheck(service: .slack, status: .notConfigured, message: "set SLACK_BOT_TOKEN"))
    }

    @Test func halfAConfigurationIsAFailureNotAnAbsence() async throws {
        let checks = await Doctor.check(try gateway(["JIRA_EMAIL": "bot@acme.example", "GITHUB_TOKEN": TestSecrets.githubToken, "GITHUB_API_URL": "ftp://example"]))
        let byService = Dictionary(uniqueKeysWithValues: checks.map { ($0.service, $0) })
        #expect(byService[.jira] == HealthCheck(service: .jira, status: .failed, message: "Jira is half configured: JIRA_BASE_URL, JIRA_API_TOKEN not set"))
        #expect(byService[.github] == HealthCheck(service: .github, status: .failed, message: "GitHub is misconfigured: GITHUB_API_URL is not an http(s) URL"))
        #expect(byService[.anthropic]?.status == .notConfigured)
    }

    @Test func credentialsDoNotGoOverPlainHTTPToAnotherHost() async throws {
        let plain = try gateway(["JIRA_BASE_URL": "http://jira.acme.example", "JIRA_EMAIL": "bot@acme.example", "JIRA_API_TOKEN": TestSecrets.jiraToken])
        #expect(plain.jira == nil, "\(plain.unavailable)")
        #expect(plain.unavailable[.jira] == .misconfigured(
            "Jira is misconfigured: JIRA_BASE_URL is plain http to jira.acme.example, so the credentials would travel unencrypted; use https, or set TOWER_ALLOW_PLAIN_HTTP=1"))
        let allowed = try gateway(["JIRA_BASE_URL": "http://jira.acme.example", "JIRA_EMAIL": "bot@acme.example", "JIRA_API_TOKEN": TestSecrets.jiraToken, "TOWER_ALLOW_PLAIN_HTTP": "1"])
        #expect(allowed.jira != nil)
        for local in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"] {
            #expect(try gateway(["GITHUB_TOKEN": TestSecrets.githubToken, "GITHUB_API_URL": local]).github != nil, "\(local)")
        }
    }
}
