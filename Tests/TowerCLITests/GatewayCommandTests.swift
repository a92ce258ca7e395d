import Foundation
import Hummingbird
import Testing
import TowerHTTPTestSupport
import TowerTestLog
import TowerTestSupport

/// `tower doctor` and `tower tool`, the real binary against the service stand-ins: healthy,
/// answering 401, and unreachable.
extension ProcessTests {
    @Suite(.serialized) struct GatewayCommandTests {
        @Test func doctorReportsEveryServiceAndExitsZeroWhenAllAreHealthy() async throws {
            let server = try await TestServer.start { ServiceStandIns.routes($0, seen: Counter()) }
            defer { server.stop() }
            let result = try await ChildProcess.run(towerBinary, ["doctor", "-vv"], environment: isolatedEnvironment(ServiceStandIns.environment(base: server.base)))
            #expect(result.status == 0, "\(result.out)\n\(result.err)")
            for row in [
                ["GitHub", "ok", "4987/5000 left, resets", "tower-bot (Tower Bot)"], ["Jira", "ok", "98/100 left", "Tower Bot <bot@acme.example>"],
                ["Slack", "ok", "tower in Acme (https://acme.slack.com/)"], ["Sentry", "ok", "39/40 left", "Acme Corp (acme)"],
                ["Anthropic", "ok", "49/50 left", "API key of organization org-acme-1 (2 models)"],
                ["Amazon Bedrock", "ok", "credentials from the environment in us-east-1 (1 Anthropic model)"],
                ["OpenAI-compatible", "ok", "1 model (qwen2.5-coder-32b…)"],
            ] {
                let line = result.out.split(separator: "\n").first { $0.hasPrefix(row[0] + " ") }.map(String.init) ?? ""
                #expect(row.allSatisfy { line.contains($0) } && line.contains(" ms "), "\(row[0]): \(line)")
            }
            #expect(result.out.contains("all 7 configured services ok"))
            #expect(result.out.contains("model: discovery Anthropic claude-sonnet-4-20250514; planning Anthropic claude-sonnet-4-20250514;"))
            // -v traces every attempt on stderr, -vv with the headers both ways; credentials redacted.
            #expect(result.err.contains("GET \(server.base.absoluteString)/github/rate_limit attempt 1: 200"))
            #expect(result.err.contains("tower: > authorization: Bearer ***\n") && result.err.contains("tower: > authorization: Basic ***\n"))
            #expect(result.err.contains("tower: > x-api-key: ***\n") && result.err.contains("tower: < x-ratelimit-remaining: 98\n"))
            #expect(!(result.out + result.err).contains(TestSecrets.marker))
        }

        @Test func doctorExitsNonZeroNamingA401AndAnUnreachableService() async throws {
            let server = try await TestServer.start { ServiceStandIns.routes($0, seen: Counter()) }
            defer { server.stop() }
            var environment = ServiceStandIns.environment(base: server.base, githubToken: TestSecrets.wrongToken)
            environment["SENTRY_URL"] = "http://127.0.0.1:1"
            for key in ["SLACK_BOT_TOKEN", "ANTHROPIC_API_KEY", "AWS_REGION", "OPENAI_BASE_URL"] { environment[key] = nil }
            let result = try await ChildProcess.run(towerBinary, ["doctor", "--timeout", "5"], environment: isolatedEnvironment(environment))
            #expect(result.status == 1, "\(result.out)\n\(result.err)")
            let lines = result.out.split(separator: "\n").map(String.init)
            func row(_ service: String) -> String { lines.first { $0.hasPrefix(service + " ") } ?? "" }
            #expect(row("GitHub").contains("failed") && row("GitHub").hasSuffix("GitHub answered 401: Bad credentials"))
            #expect(row("Jira").contains("ok"))
            #expect(row("Sentry").contains("failed") && row("Sentry").hasSuffix("cannot connect to 127.0.0.1: Couldn't connect to server"))
            #expect(row("Slack").contains("not configured") && row("Slack").hasSuffix("set SLACK_BOT_TOKEN"))
            #expect(result.out.contains("2 failing, 1 ok"))

            let json = try await ChildProcess.run(towerBinary, ["doctor", "--json"], environment: isolatedEnvironment(environment))
            #expect(json.status == 1)
            let checks = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]] ?? []
            #expect(checks.map { $0["status"] as? String } == ["failed", "ok", "not configured", "failed", "not configured", "not configured", "not configured"])
        }

        @Test func toolPrintsJSONOrTheServicesErrorOnStderr() async throws {
            let server = try await TestServer.start { ServiceStandIns.routes($0, seen: Counter()) }
            defer { server.stop() }
            let healthy = isolatedEnvironment(ServiceStandIns.environment(base: server.base))
            let repo = try await ChildProcess.run(towerBinary, ["tool", "github.get_repo", "repo=auth-service"], environment: healthy)
            #expect(repo.status == 0, "\(repo.err)")
            let object = try JSONSerialization.jsonObject(with: Data(repo.out.utf8)) as? [String: Any]
            #expect(object?["full_name"] as? String == "acme/auth-service" && object?["default_branch"] as? String == "main")
            #expect(repo.err.isEmpty)

            let who = try await ChildProcess.run(towerBinary, ["tool", "slack.auth_test"], environment: healthy)
            #expect(who.status == 0 && who.out.contains(#""identity" : "tower in Acme (https://acme.slack.com/)""#), "\(who.out)\(who.err)")

            let missing = try await ChildProcess.run(towerBinary, ["tool", "github.get_repo", "repo=acme/missing"], environment: healthy)
            #expect(missing.status == 1 && missing.out.isEmpty)
            #expect(missing.err == "tower: GitHub answered 404: Not Found\n")

            let unauthorized = isolatedEnvironment(ServiceStandIns.environment(base: server.base, githubToken: TestSecrets.wrongToken))
            let denied = try await ChildProcess.run(towerBinary, ["tool", "github.get_repo", "repo=auth-service"], environment: unauthorized)
            #expect(denied.status == 1 && denied.err == "tower: GitHub answered 401: Bad credentials\n")

            let offline = isolatedEnvironment(["GITHUB_TOKEN": TestSecrets.githubToken, "GITHUB_API_URL": "http://127.0.0.1:1"])
            let unreachable = try await ChildProcess.run(towerBinary, ["tool", "github.rate_limit", "--timeout", "5"], environment: offline)
            #expect(unreachable.status == 1 && unreachable.err == "tower: GitHub: cannot connect to 127.0.0.1: Couldn't connect to server\n", "\(unreachable.err)")

            let typo = try await ChildProcess.run(towerBinary, ["tool", "github.get_rep", "repo=x"], environment: healthy)
            #expect(typo.status == 64 && typo.err.contains("no tool method github.get_rep; did you mean github.get_repo?"))
            let unconfigured = try await ChildProcess.run(towerBinary, ["tool", "jira.get_issue", "issue_key=PROJ-1"], environment: isolatedEnvironment())
            #expect(unconfigured.status == 1 && unconfigured.err == "tower: Jira is not configured (set JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN)\n")
            for result in [repo, who, missing, denied, unreachable, typo, unconfigured] {
                #expect(!(result.out + result.err).contains(TestSecrets.marker))
            }
        }

        @Test func toolReadsArgumentValuesFromFilesAndListsItsMethods() async throws {
            let list = try await ChildProcess.run(towerBinary, ["tool", "--list"], environment: isolatedEnvironment())
            #expect(list.status == 0 && list.out.contains("  jira.transition_issue issue_key=… transition_id=…"))
            let directory = TemporaryDirectory.make("tool")
            let files = directory.appendingPathComponent("files.json")
            try #"{"a.txt": "1"}"#.write(to: files, atomically: true, encoding: .utf8)
            // The file is read (its JSON reaches the argument check); the missing one is named.
            let bad = try await ChildProcess.run(
                towerBinary, ["tool", "github.create_commit", "repo=acme/x", "branch=b", "message=m", "files=@\(directory.path)/nope.json"],
                environment: isolatedEnvironment(["GITHUB_TOKEN": TestSecrets.githubToken]))
            #expect(bad.status == 64 && bad.err.contains("files=@\(directory.path)/nope.json: cannot read"))
            let offline = try await ChildProcess.run(
                towerBinary, ["tool", "github.create_commit", "repo=acme/x", "branch=b", "message=m", "files=@\(files.path)", "--timeout", "5"],
                environment: isolatedEnvironment(["GITHUB_TOKEN": TestSecrets.githubToken, "GITHUB_API_URL": "http://127.0.0.1:1"]))
            #expect(offline.status == 1 && offline.err.contains("cannot connect to 127.0.0.1"))
        }

        /// Jump hosts reach the world through a proxy: libcurl honours `http_proxy` /
        /// `HTTPS_PROXY` and `NO_PROXY` from the environment, as curl does.
        @Test func requestsGoThroughTheProxyTheEnvironmentNames() async throws {
            let seen = Counter()
            let proxy = try await TestServer.start { ServiceStandIns.routes($0, seen: seen) }
            defer { proxy.stop() }
            // The API's host does not even resolve: only the proxy can reach it.
            var environment = ServiceStandIns.environment(base: URL(string: "http://api.github.invalid")!)
            environment["http_proxy"] = proxy.base.absoluteString
            environment["TOWER_ALLOW_PLAIN_HTTP"] = "1"  // plain http to a host that is not this one
            let proxied = try await ChildProcess.run(towerBinary, ["tool", "github.get_repo", "repo=auth-service"], environment: isolatedEnvironment(environment))
            #expect(proxied.status == 0 && proxied.out.contains(#""full_name" : "acme/auth-service""#), "\(proxied.err)")
            #expect(seen.all.contains("proxied for api.github.invalid"))

            // NO_PROXY sends a listed host straight to it, past a proxy that is down.
            var direct = ServiceStandIns.environment(base: proxy.base)
            direct["http_proxy"] = "http://127.0.0.1:1"
            direct["NO_PROXY"] = "127.0.0.1,localhost"
            let bypassed = try await ChildProcess.run(towerBinary, ["tool", "github.get_repo", "repo=auth-service"], environment: isolatedEnvironment(direct))
            #expect(bypassed.status == 0, "\(bypassed.err)")
            direct["NO_PROXY"] = nil
            let blocked = try await ChildProcess.run(towerBinary, ["tool", "github.get_repo", "repo=auth-service", "--timeout", "5"], environment: isolatedEnvironment(direct))
            #expect(blocked.status == 1 && blocked.err.contains("GitHub: cannot connect to 127.0.0.1"), "\(blocked.err)")
        }
    }
}
