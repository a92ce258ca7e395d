import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestSupport

/// Tower's requests and the response fields it reads, checked against the services' published
/// API descriptions (trimmed copies in Fixtures/contracts, their origin in each file): a stand-in
/// we wrote answers what we expect, so what we send and read must also hold against what we
/// did not write.
@Suite(.serialized) struct ContractTests {
    static let contracts: [Contract] = {
        [("github", "/github"), ("jira", "/jira"), ("sentry", "/sentry"), ("slack", "/slack/api"), ("anthropic", "/anthropic")].compactMap {
            try? Contract.load($0.0, prefix: $0.1)
        }
    }()

    /// The fields each operation's decoder reads, and whether Tower fails without them (a
    /// non-optional property): those the description must promise.
    static let reads: [(service: String, operation: String, field: String, needed: Bool)] = [
        ("github", "GET /repos/{owner}/{repo}", "name", true), ("github", "GET /repos/{owner}/{repo}", "full_name", true),
        ("github", "GET /repos/{owner}/{repo}", "default_branch", true), ("github", "GET /repos/{owner}/{repo}", "private", true),
        ("github", "GET /repos/{owner}/{repo}", "language", false),
        ("github", "GET /orgs/{org}/repos", "[].name", true), ("github", "GET /orgs/{org}/repos", "[].full_name", true),
        ("github", "GET /orgs/{org}/repos", "[].private", true), ("github", "GET /orgs/{org}/repos", "[].default_branch", false),
        ("github", "GET /repos/{owner}/{repo}/git/ref/{ref}", "object.sha", true),
        ("github", "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "tree[].path", true), ("github", "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "tree[].type", true),
        ("github", "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "tree[].sha", true), ("github", "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "tree[].size", false),
        ("github", "GET /repos/{owner}/{repo}/git/trees/{tree_sha}", "truncated", true),
        ("github", "GET /search/code", "items[].path", true), ("github", "GET /search/code", "items[].repository.full_name", true),
        ("github", "GET /repos/{owner}/{repo}/actions/runs", "workflow_runs[].id", true), ("github", "GET /repos/{owner}/{repo}/actions/runs", "workflow_runs[].head_sha", true),
        ("github", "GET /repos/{owner}/{repo}/actions/runs", "workflow_runs[].name", false), ("github", "GET /repos/{owner}/{repo}/actions/runs", "workflow_runs[].conclusion", false),
        ("github", "GET /repos/{owner}/{repo}/commits", "[].sha", true), ("github", "GET /repos/{owner}/{repo}/commits", "[].commit.message", true),
        ("github", "GET /repos/{owner}/{repo}/compare/{basehead}", "files?[].filename", true), ("github", "GET /repos/{owner}/{repo}/compare/{basehead}", "files?[].status", true),
        ("github", "GET /repos/{owner}/{repo}/compare/{basehead}", "files?[].patch", false),
        ("github", "GET /repos/{owner}/{repo}/pulls", "[].number", true), ("github", "GET /repos/{owner}/{repo}/pulls", "[].html_url", true),
        ("github", "GET /repos/{owner}/{repo}/pulls", "[].state", true), ("github", "GET /repos/{owner}/{repo}/pulls", "[].title", true),
        ("github", "GET /repos/{owner}/{repo}/pulls", "[].head.ref", false), ("github", "POST /repos/{owner}/{repo}/pulls", "number", true),
        ("github", "POST /repos/{owner}/{repo}/git/refs", "object.sha", true), ("github", "GET /repos/{owner}/{repo}/git/commits/{commit_sha}", "tree.sha", true),
        ("github", "POST /repos/{owner}/{repo}/git/trees", "sha", true), ("github", "POST /repos/{owner}/{repo}/git/commits", "sha", true),
        ("github", "PUT /repos/{owner}/{repo}/contents/{path}", "content.sha", false),
        ("github", "GET /rate_limit", "resources.core.limit", true), ("github", "GET /rate_limit", "resources.core.remaining", true),
        ("github", "GET /rate_limit", "resources.core.reset", true),
        ("jira", "GET /rest/api/3/issue/{issueIdOrKey}", "key", false), ("jira", "GET /rest/api/3/issue/{issueIdOrKey}", "fields", false),
        ("jira", "GET /rest/api/3/issue/{issueIdOrKey}/comment", "comments[].body", false), ("jira", "GET /rest/api/3/issue/{issueIdOrKey}/comment", "total", false),
        ("jira", "GET /rest/api/3/issue/{issueIdOrKey}/comment", "startAt", false), ("jira", "POST /rest/api/3/issue", "key", false),
        ("jira", "GET /rest/api/3/issue/{issueIdOrKey}/transitions", "transitions[].id", false), ("jira", "GET /rest/api/3/issue/{issueIdOrKey}/transitions", "transitions[].name", false),
        ("jira", "POST /rest/api/3/search/jql", "issues[].key", false), ("jira", "POST /rest/api/3/search/jql", "nextPageToken", false),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/issues/", "[].id", true),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/issues/", "[].title", true),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/issues/", "[].level", true),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/issues/", "[].count", true),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/issues/", "[].permalink", true),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/issues/", "[].culprit", false),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/projects/", "[].id", true),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/projects/", "[].slug", true),
        ("sentry", "GET /api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/events/{event_id}/", "entries", false),
        ("slack", "POST /chat.postMessage", "ok", true), ("slack", "POST /chat.postMessage", "ts", true), ("slack", "POST /chat.postMessage", "channel", true),
        ("slack", "POST /auth.test", "ok", true),
        ("anthropic", "POST /v1/messages", "content", true), ("anthropic", "POST /v1/messages", "usage", true), ("anthropic", "POST /v1/messages", "stop_reason", false),
    ]

    func contract(_ service: String) throws -> Contract {
        try #require(Self.contracts.first { $0.service == service }, "Fixtures/contracts/\(service).json")
    }

    @Test func everyFieldTowerReadsIsInTheDescriptionAndWhatItNeedsIsPromised() throws {
        for read in Self.reads {
            let (exists, promised) = try contract(read.service).field(read.field, of: read.operation)
            #expect(exists, "\(read.service) \(read.operation): `\(read.field)` is not in the published response")
            if read.needed { #expect(promised, "\(read.service) \(read.operation): Tower needs `\(read.field)`, which the description does not promise") }
        }
    }

    /// The requests a whole ticket sends over GitHub (Actions, tarballs, the git data API),
    /// Jira, Slack and Anthropic, and a Sentry pass over Sentry, Jira and Slack.
    @Test func everyRequestOfATicketAndASentryPassIsAnOperationAsDescribed() async throws {
        let blackLog = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ci/black.log"), encoding: .utf8)
        let world = try await AgentWorld(answer: CodeScript.standard) { _, files in
            let unformatted = files["billing_service/tax.py"]?.contains("'DE'") ?? false
            return (!unformatted, unformatted ? blackLog : "2026-11-30T10:00:00.0000000Z All done! ✨ 🍰 ✨\n")
        }
        world.chat.addIssue("PROJ-12", summary: "Reduced VAT for books", description: ExecutionEndToEndTests.description)
        let planned = try await world.run(ticket: "PROJ-12", title: "Reduced VAT for books", description: ExecutionEndToEndTests.description, source: .jira)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        let task = try await world.drive(planned.id, timeout: 180)
        #expect(task.status == .completed, "\(task.lastError ?? "")")

        let sentry = try await SentryWorld([("checkout", [SentryStandIn.Issue(id: "101", title: "TypeError: total is undefined", level: "error", events: 12)])])
        let pass = try await sentry.monitor().pass(trigger: .manual)
        #expect(pass.pass.counts.created == 1)

        var exercised: [String: Set<String>] = [:]
        var problems: [String] = []
        for request in world.requests.all + sentry.requests.all {
            // Where GitHub's redirects lead (logs, tarballs): other hosts, not API operations.
            if request.path.hasPrefix("/github/blob/") || request.path.hasPrefix("/github/codeload/") { continue }
            guard let contract = Self.contracts.first(where: { request.path.hasPrefix($0.prefix + "/") }) else { continue }
            if let key = contract.operation(request) { exercised[contract.service, default: []].insert(key) }
            problems += contract.problems(request).map { "\(contract.service): \($0)" }
        }
        #expect(Set(problems).sorted() == [], "\(Set(problems).sorted().joined(separator: "\n"))")
        // What this run exercised, per service (the closing note lists them).
        for (service, keys) in exercised.sorted(by: { $0.key < $1.key }) { print("contract \(service): \(keys.sorted().joined(separator: ", "))") }
        #expect(exercised["github"]?.count ?? 0 >= 15, "\(exercised["github"] ?? [])")
        #expect(exercised["jira"]?.isEmpty == false && exercised["sentry"]?.isEmpty == false && exercised["slack"]?.isEmpty == false)
        #expect(exercised["anthropic"] == ["POST /v1/messages"])
        #expect(exercised["sentry"]?.contains("GET /api/0/organizations/{organization_id_or_slug}/issues/") == true, "the monitor lists through the organization's issues")
    }

    @Test func theValidatorRefusesWhatTheDescriptionsDoNotAllow() throws {
        let github = try contract("github")
        func request(_ method: String, _ path: String, query: [(String, String)] = [], body: String = "") -> RecordedRequest {
            RecordedRequest(method: method, path: path, query: query.map { (name: $0.0, value: $0.1) }, contentType: body.isEmpty ? nil : "application/json", body: Data(body.utf8), status: 200)
        }
        #expect(github.problems(request("POST", "/github/repos/acme/api/pulls", body: #"{"title":"t","head":"h","base":"main","draft":true}"#)).isEmpty)
        #expect(github.problems(request("POST", "/github/repos/acme/api/pulls", body: #"{"title":"t","head":"h"}"#)) == ["POST /repos/{owner}/{repo}/pulls: body.base: required by the description, missing"])
        #expect(github.problems(request("POST", "/github/repos/acme/api/pulls", body: #"{"head":"h","base":"b","draft":"yes"}"#)).first?.contains("body.draft") == true)
        #expect(github.problems(request("POST", "/github/repos/acme/api/pulls", body: #"{"head":"h","base":"b","labels":[]}"#)).first?.contains("body.labels: not in the description") == true)
        #expect(github.problems(request("GET", "/github/repos/acme/api/pulls", query: [("head", "acme:x"), ("colour", "red")])).first?.contains("`colour` is not in the description") == true)
        #expect(github.problems(request("GET", "/github/repos/acme/api/git/ref/heads/ai/t-1-x")).isEmpty, "a ref takes the rest of the path")
        #expect(github.problems(request("DELETE", "/github/repos/acme/api")).first?.contains("no operation") == true)
        let sentry = try contract("sentry")
        let legacy = RecordedRequest(method: "GET", path: "/sentry/api/0/projects/acme/checkout/issues/", query: [], contentType: nil, body: Data(), status: 200)
        #expect(sentry.problems(legacy).first?.contains("no operation") == true, "the deprecated project endpoint is not one Tower uses")
        #expect(try contract("jira").field("[].nothing", of: "POST /rest/api/3/issue").exists == false)
    }
}
