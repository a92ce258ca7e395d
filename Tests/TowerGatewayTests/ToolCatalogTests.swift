import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerTestLog

@testable import TowerGateway

@Suite struct ToolCatalogTests {
    @Test func methodsCarryTheOriginalNames() {
        let names = Set(ToolCatalog.all.map(\.name))
        for name in [
            "github.search_code", "github.get_repo", "github.get_tree", "github.get_file_content", "github.create_branch", "github.create_or_update_file",
            "github.create_pull_request", "github.get_pull_request", "github.list_workflow_runs", "github.get_workflow_run_logs", "jira.get_issue",
            "jira.search_issues", "jira.create_issue", "jira.update_issue", "jira.add_comment", "jira.transition_issue", "sentry.list_issues", "sentry.get_issue",
            "sentry.get_latest_event", "sentry.resolve_issue", "slack.send_message", "slack.send_approval_request", "slack.send_notification",
        ] {
            #expect(names.contains(name), "\(name)")
        }
        #expect(names.count == ToolCatalog.all.count)  // no name twice
    }

    @Test func callsGoThroughTheClientAndComeBackAsJSON() async throws {
        let seen = Counter()
        let server = try await TestServer.start { ServiceStandIns.routes($0, seen: seen) }
        defer { server.stop() }
        let g = try gateway(ServiceStandIns.environment(base: server.base))
        // repo=name takes its owner from GITHUB_ORG; repo=owner/name names it whole.
        for arguments in [["repo": "auth-service"], ["repo": "acme/auth-service"]] {
            let repo = try await ToolCatalog.method(named: "github.get_repo").call(g, ToolArguments(arguments))
            #expect(repo["full_name"] == .string("acme/auth-service") && repo["default_branch"] == .string("main"))
        }
        let limit = try await ToolCatalog.method(named: "github.rate_limit").call(g, ToolArguments([:]))
        #expect(limit["remaining"] == .number(4987))
        await #expect(throws: ServiceError(service: "GitHub", status: 404, message: "Not Found")) {
            _ = try await ToolCatalog.method(named: "github.get_repo").call(g, ToolArguments(["repo": "missing"]))
        }
    }

    @Test func wrongMethodsAndArgumentsAreCaughtBeforeAnyCall() async throws {
        let g = try gateway(["GITHUB_TOKEN": TestSecrets.githubToken, "GITHUB_API_URL": unreachable])
        #expect(throws: ToolError.unknownMethod("github.get_rep", suggestions: ["github.get_repo"])) { try ToolCatalog.method(named: "github.get_rep") }
        await #expect(throws: ToolError.unexpectedArguments(method: "github.get_repo", unknown: ["branch"], takes: ["owner", "repo"])) {
            _ = try await ToolCatalog.method(named: "github.get_repo").call(g, ToolArguments(["repo": "x", "branch": "main"]))
        }
        await #expect(throws: ToolError.missingArgument("repo")) { _ = try await ToolCatalog.method(named: "github.get_repo").call(g, ToolArguments([:])) }
        await #expect(throws: ToolError.badArgument("give owner=… or set GITHUB_ORG")) {
            _ = try await ToolCatalog.method(named: "github.get_repo").call(g, ToolArguments(["repo": "auth-service"]))
        }
        await #expect(throws: ToolError.badArgument("files is not valid JSON")) {
            _ = try await ToolCatalog.method(named: "github.create_commit").call(g, ToolArguments(["repo": "a/b", "branch": "x", "message": "m", "files": "{nope"]))
        }
        await #expect(throws: GatewayError.unavailable(.jira, .notConfigured(missing: ["JIRA_BASE_URL", "JIRA_EMAIL", "JIRA_API_TOKEN"]))) {
            _ = try await ToolCatalog.method(named: "jira.get_issue").call(g, ToolArguments(["issue_key": "PROJ-1"]))
        }
        #expect(throws: ToolError.badArgument("\"repo\" is not key=value")) { try ToolArguments(parsing: ["repo"]) }
        #expect(try ToolArguments(parsing: ["jql=project = PROJ AND labels = AI"]).values == ["jql": "project = PROJ AND labels = AI"])
    }
}
