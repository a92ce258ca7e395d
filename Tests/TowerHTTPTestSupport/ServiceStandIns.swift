import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerTestLog

/// GitHub, Jira, Slack, Sentry, Anthropic, Bedrock and an OpenAI-compatible server on one test
/// server, each under its own prefix (`/github`, `/jira`, `/slack/api`, `/sentry`, `/anthropic`,
/// `/bedrock`, `/openai/v1`) so one process's base URLs can
/// all point here. Each checks its credential the way the service does and answers a wrong
/// one with the service's own 401 (Slack: HTTP 200 with `ok:false`, as Slack does).
public enum ServiceStandIns {
    /// The settings that point Tower at a server started with ``routes(_:seen:)``.
    public static func environment(base: URL, githubToken: String = TestSecrets.githubToken) -> [String: String] {
        let root = base.absoluteString
        return [
            "GITHUB_TOKEN": githubToken, "GITHUB_ORG": "acme", "GITHUB_API_URL": root + "/github",
            "JIRA_BASE_URL": root + "/jira", "JIRA_EMAIL": "bot@acme.example", "JIRA_API_TOKEN": TestSecrets.jiraToken, "JIRA_PROJECT_KEY": "PROJ",
            "SLACK_BOT_TOKEN": TestSecrets.slackToken, "SLACK_API_URL": root + "/slack/api", "SLACK_CHANNEL_AGENTS": "#ai-agents",
            "SENTRY_ORG": "acme", "SENTRY_AUTH_TOKEN": TestSecrets.sentryToken, "SENTRY_URL": root + "/sentry",
            "ANTHROPIC_API_KEY": TestSecrets.anthropicKey, "ANTHROPIC_BASE_URL": root + "/anthropic",
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": root + "/bedrock", "AWS_ACCESS_KEY_ID": awsKeyId,
            "AWS_SECRET_ACCESS_KEY": TestSecrets.awsSecret, "AWS_EC2_METADATA_DISABLED": "true",
            "OPENAI_BASE_URL": root + "/openai/v1", "OPENAI_API_KEY": OpenAIStandIn.apiKey,
        ]
    }

    /// The access key id the Bedrock stand-in knows.
    public static let awsKeyId = "AKIATST0EXAMPLE"

    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func header(_ request: Request, _ name: String) -> String? { HTTPField.Name(name).flatMap { request.headers[$0] } }

    /// Installs every stand-in; `seen` gets "METHOD path" for each request.
    public static func routes(_ router: Router<BasicRequestContext>, seen: Counter) {
        // GitHub
        let githubOK: @Sendable (Request) -> Bool = { request in
            seen.add("\(request.method) \(request.uri.path)")
            // Reached for another host: this server is acting as the proxy.
            if let authority = request.head.authority, !authority.hasPrefix("127.0.0.1") { seen.add("proxied for \(authority)") }
            return request.headers[.authorization] == "Bearer \(TestSecrets.githubToken)" && request.headers[.accept] == "application/vnd.github+json"
                && header(request, "X-GitHub-Api-Version") == "2022-11-28"
        }
        let badCredentials = json(#"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}"#, status: .unauthorized)
        router.get("/github/rate_limit") { request, _ in
            guard githubOK(request) else { return badCredentials }
            return json(#"{"resources":{"core":{"limit":5000,"used":13,"remaining":4987,"reset":1795000000},"search":{"limit":30,"used":0,"remaining":30,"reset":1795000000}},"rate":{"limit":5000,"used":13,"remaining":4987,"reset":1795000000}}"#)
        }
        router.get("/github/user") { request, _ in
            guard githubOK(request) else { return badCredentials }
            return json(#"{"login":"tower-bot","id":1,"type":"User","name":"Tower Bot"}"#)
        }
        router.get("/github/repos/acme/auth-service") { request, _ in
            guard githubOK(request) else { return badCredentials }
            return json(#"{"name":"auth-service","full_name":"acme/auth-service","default_branch":"main","language":"TypeScript","private":true}"#)
        }
        router.get("/github/repos/acme/missing") { request, _ in
            guard githubOK(request) else { return badCredentials }
            return json(#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest/repos/repos#get-a-repository","status":"404"}"#, status: .notFound)
        }

        // Jira
        let jiraAuth = "Basic " + Data("bot@acme.example:\(TestSecrets.jiraToken)".utf8).base64EncodedString()
        router.get("/jira/rest/api/3/myself") { request, _ in
            seen.add("\(request.method) \(request.uri.path)")
            guard request.headers[.authorization] == jiraAuth else {
                return json(#"{"errorMessages":["You are not authenticated. Authentication required to perform this operation."],"errors":{}}"#, status: .unauthorized)
            }
            return json(
                #"{"accountId":"5b10ac8d82e05b22cc7d4ef5","emailAddress":"bot@acme.example","displayName":"Tower Bot","active":true,"timeZone":"Etc/UTC"}"#,
                headers: [HTTPField.Name("X-RateLimit-Remaining")!: "98", HTTPField.Name("X-RateLimit-Limit")!: "100"])
        }

        // Slack: errors come back as HTTP 200 with ok:false.
        router.post("/slack/api/auth.test") { request, _ in
            seen.add("\(request.method) \(request.uri.path)")
            guard request.headers[.authorization] == "Bearer \(TestSecrets.slackToken)" else { return json(#"{"ok":false,"error":"invalid_auth"}"#) }
            return json(#"{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"tower","team_id":"T0001","user_id":"U0001","bot_id":"B0001"}"#)
        }

        // Sentry
        router.get("/sentry/api/0/organizations/acme/") { request, _ in
            seen.add("\(request.method) \(request.uri.path)")
            guard request.headers[.authorization] == "Bearer \(TestSecrets.sentryToken)" else { return json(#"{"detail":"Invalid token"}"#, status: .unauthorized) }
            return json(
                #"{"id":"2","slug":"acme","name":"Acme Corp","status":{"id":"active","name":"active"}}"#,
                headers: [HTTPField.Name("X-Sentry-Rate-Limit-Remaining")!: "39", HTTPField.Name("X-Sentry-Rate-Limit-Limit")!: "40"])
        }

        // Anthropic
        router.get("/anthropic/v1/models") { request, _ in
            seen.add("\(request.method) \(request.uri.path)")
            guard header(request, "x-api-key") == TestSecrets.anthropicKey, header(request, "anthropic-version") == "2023-06-01" else {
                return json(#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#, status: .unauthorized)
            }
            return json(
                #"{"data":[{"type":"model","id":"claude-sonnet-4-20250514","display_name":"Claude Sonnet 4","created_at":"2025-05-22T00:00:00Z"},{"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-20250514","last_id":"claude-3-5-haiku-20241022"}"#,
                headers: [
                    HTTPField.Name("anthropic-organization-id")!: "org-acme-1", HTTPField.Name("anthropic-ratelimit-requests-remaining")!: "49",
                    HTTPField.Name("anthropic-ratelimit-requests-limit")!: "50",
                ])
        }

        // Bedrock: SigV4 checked as AWS checks it.
        BedrockStandIn(keys: [awsKeyId: TestSecrets.awsSecret]) { _ in [] }.routes(router, prefix: "/bedrock", seen: seen)

        // An OpenAI-compatible server.
        OpenAIStandIn { _ in [:] }.routes(router, prefix: "/openai/v1", seen: seen)
    }
}
