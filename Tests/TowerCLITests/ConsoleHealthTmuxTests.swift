import Foundation
import Hummingbird
import Testing
import TowerHTTPTestSupport
import TowerTestLog
import TowerTestSupport

extension ProcessTests {
    /// The console's health line checks the integrations as `tower doctor` does.
    @Suite(.serialized) struct ConsoleHealthTmuxTests {
        @Test func theHealthLineShowsEachServicesAnswerAndDoctorChecksAgain() async throws {
            let seen = Counter()
            let server = try await TestServer.start { ServiceStandIns.routes($0, seen: seen) }
            defer { server.stop() }
            var environment = ServiceStandIns.environment(base: server.base)
            environment["JIRA_API_TOKEN"] = TestSecrets.wrongToken
            environment["SENTRY_AUTH_TOKEN"] = nil
            environment["SENTRY_ORG"] = nil
            let state = TemporaryDirectory.make("health").appendingPathComponent("state")
            let tmux = try TmuxSession(width: 200, height: 40, environment: isolatedEnvironment(environment))
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-engine --as dana")
            try tmux.keys("Enter")
            // Every check answers in its own time: wait for the last ones too.
            let checked = try await tmux.waitFor {
                $0.contains("GitHub ✓ 4987/5000") && $0.contains("Jira ✗") && $0.contains("Amazon Bedrock ✓") && $0.contains("OpenAI-compatible ✓")
            }
            #expect(checked.ok, "\(checked.screen)")
            #expect(checked.screen.contains("Slack ✓  Sentry –  Anthropic ✓ 49/50  Amazon Bedrock ✓"), "\(checked.screen)")
            #expect(checked.screen.contains("Jira: Jira answered 401: You are not authenticated."))
            #expect(!checked.screen.contains(TestSecrets.marker))
            let before = seen.all.filter { $0 == "GET /github/rate_limit" }.count

            try tmux.type(":doctor")
            try tmux.keys("Enter")
            let again = try await tmux.waitFor { $0.contains("integrations: 1 failing, 5 ok") }
            #expect(again.ok, "\(again.screen)")
            #expect(seen.all.filter { $0 == "GET /github/rate_limit" }.count == before + 1)
            try tmux.keys("q")
            let shell = try await tmux.waitFor { ConsoleTmuxTests.endsAtPrompt($0) && !$0.contains("integrations") }
            #expect(shell.ok, "\(shell.screen)")
        }
    }
}
