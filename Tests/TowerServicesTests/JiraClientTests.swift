import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerTestLog
import TowerNet

@testable import TowerServices

private let transitionsFixture = try! String(
    contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/transitions.response.json"), encoding: .utf8)

@Suite struct JiraClientTests {
    /// A Jira Cloud stand-in speaking v3: Basic auth checked, ADF bodies recorded.
    private func jira(seen: Counter) async throws -> TestServer {
        @Sendable func json(_ text: String, _ status: HTTPResponse.Status = .ok) -> Response {
            Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let expectedAuth = "Basic " + Data("bot@example.com:ATATT-tst0secret-token".utf8).base64EncodedString()
        return try await TestServer.start { router in
            router.get("/rest/api/3/issue/:key") { request, context -> Response in
                guard request.headers[.authorization] == expectedAuth else { return json(#"{"errorMessages":["Client must be authenticated to access this resource."],"errors":{}}"#, .unauthorized) }
                guard context.parameters.get("key") == "PROJ-123" else { return json(#"{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}"#, .notFound) }
                seen.add("get \(request.uri.queryParameters["fields"].map(String.init) ?? "")")
                return json(#"{"key":"PROJ-123","fields":{"summary":"Add OAuth login","labels":["AI"],"components":[{"self":"https://acme.atlassian.net/rest/api/3/component/10000","id":"10000","name":"auth-service","description":"Sign-in and tokens"}],"status":{"name":"To Do"},"issuetype":{"name":"Story"},"description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Users sign in with Google."}]}]}}}"#)
            }
            router.post("/rest/api/3/issue") { request, _ -> Response in
                let body = try JSONValue.parse(String(buffer: try await request.body.collect(upTo: 1 << 20)))
                guard body["fields"]?["summary"]?.string?.isEmpty == false else { return json(#"{"errorMessages":[],"errors":{"summary":"You must specify a summary of the issue."}}"#, .badRequest) }
                seen.add("create \(body["fields"]?["project"]?["key"]?.string ?? "") \(body["fields"]?["description"]?["type"]?.string ?? "")")
                return json(#"{"id":"10042","key":"PROJ-130","self":"https://acme.atlassian.net/rest/api/3/issue/10042"}"#, .created)
            }
            router.put("/rest/api/3/issue/:key") { request, context -> Response in
                guard request.headers[.authorization] == expectedAuth, request.headers[.contentType] == "application/json" else {
                    return json(#"{"errorMessages":["Client must be authenticated to access this resource."],"errors":{}}"#, .unauthorized)
                }
                let body = try JSONValue.parse(String(buffer: try await request.body.collect(upTo: 1 << 20)))
                guard body["fields"]?["priority"] == nil else { return json(#"{"errorMessages":[],"errors":{"priority":"Field 'priority' cannot be set. It is not on the appropriate screen, or unknown."}}"#, .badRequest) }
                seen.add("update \(context.parameters.get("key") ?? "") " + String(decoding: try JSONEncoder().encode(body["fields"]?["labels"] ?? .null), as: UTF8.self))
                return Response(status: .noContent)
            }
            router.post("/rest/api/3/issue/:key/comment") { request, _ -> Response in
                seen.add("comment " + String(buffer: try await request.body.collect(upTo: 1 << 20)))
                return json(#"{"id":"10100"}"#, .created)
            }
            router.get("/rest/api/3/issue/:key/transitions") { _, _ in json(transitionsFixture) }
            router.post("/rest/api/3/issue/:key/transitions") { request, _ -> Response in
                seen.add("transition " + String(buffer: try await request.body.collect(upTo: 1 << 20)))
                return Response(status: .noContent)
            }
            router.post("/rest/api/3/search/jql") { request, _ -> Response in
                let body = try JSONValue.parse(String(buffer: try await request.body.collect(upTo: 1 << 20)))
                let page = body["nextPageToken"]?.string == nil ? 1 : 2
                seen.add("search \(body["jql"]?.string ?? "") page \(page)")
                return page == 1
                    ? json(#"{"issues":[{"key":"PROJ-1","fields":{"summary":"one","labels":["AI"]}}],"nextPageToken":"tok2","isLast":false}"#)
                    : json(#"{"issues":[{"key":"PROJ-2","fields":{"summary":"two","labels":[]}}],"isLast":true}"#)
            }
        }
    }

    private func client(_ server: TestServer, token: String = "ATATT-tst0secret-token") -> JiraClient {
        JiraClient(baseURL: server.base, email: "bot@example.com", token: token, http: HTTPClient(log: RunLog.http("jira-tests")))
    }

    @Test func readsAnIssueAndFlattensItsDescription() async throws {
        let seen = Counter()
        let server = try await jira(seen: seen)
        defer { server.stop() }
        let issue = try await client(server).getIssue("PROJ-123")
        #expect(
            issue
                == .init(
                    key: "PROJ-123", summary: "Add OAuth login", status: "To Do", issueType: "Story", labels: ["AI"], components: ["auth-service"],
                    description: "Users sign in with Google.\n"))
        // The components are asked for: Discovery reads a component that names a repository.
        #expect(seen.all.contains("get summary,status,issuetype,labels,components,description"), "\(seen.all)")
        await #expect(throws: ServiceError(service: "Jira", status: 404, message: "Issue does not exist or you do not have permission to see it.")) {
            _ = try await client(server).getIssue("PROJ-999")
        }
        await #expect(throws: ServiceError(service: "Jira", status: 401, message: "Client must be authenticated to access this resource.")) {
            _ = try await client(server, token: "wrong").getIssue("PROJ-123")
        }
    }

    /// Atlassian's own example of the code mark (developer.atlassian.com, "ADF mark: code"):
    /// inline code keeps its backticks, so Discovery reads a Jira ticket's code spans as code.
    @Test func inlineCodeKeepsItsBackticks() throws {
        let paragraph = try JSONValue.parse(
            #"{"type":"paragraph","content":[{"type":"text","text":"Hello "},{"type":"text","text":"world","marks":[{"type":"code"}]},{"type":"text","text":"!"}]}"#)
        #expect(JiraClient.plainText(paragraph) == "Hello `world`!\n")
        // Other marks add nothing; code that holds a backtick is left as written.
        let other = try JSONValue.parse(#"{"type":"text","text":"a`b","marks":[{"type":"code"},{"type":"strong"}]}"#)
        #expect(JiraClient.plainText(other) == "a`b")
        let strong = try JSONValue.parse(#"{"type":"text","text":"bold","marks":[{"type":"strong"}]}"#)
        #expect(JiraClient.plainText(strong) == "bold")
    }

    @Test func commentsAreDocumentsWithHeadingsListsAndCode() async throws {
        let seen = Counter()
        let server = try await jira(seen: seen)
        defer { server.stop() }
        try await client(server).addComment("PROJ-123", markdown: "## Plan ready\n- [ ] tests first\n- implement `oauth.ts`\n\n```ts\nlogin()\n```\nApprove with **/agent approve t-1**")
        let body = try JSONValue.parse(String(try #require(seen.all.first).dropFirst("comment ".count)))
        guard case .array(let blocks) = body["body"]?["content"] else { Issue.record("\(body)"); return }
        #expect(blocks.map { $0["type"]?.string ?? "" } == ["heading", "bulletList", "codeBlock", "paragraph"])
        #expect(blocks[0]["attrs"]?["level"] == .number(2))
        #expect(blocks[2]["attrs"]?["language"]?.string == "ts")
        guard case .array(let inline) = blocks[3]["content"] else { return }
        #expect(inline.last?["marks"] == .array([.object(["type": .string("strong")])]))
    }

    @Test func createsSearchesAndTransitionsByName() async throws {
        let seen = Counter()
        let server = try await jira(seen: seen)
        defer { server.stop() }
        let jira = client(server)
        #expect(try await jira.createIssue(project: "PROJ", issueType: "Bug", summary: "KeyError 'user'", description: "### Error\nKeyError", labels: ["sentry"]) == "PROJ-130")
        await #expect(throws: ServiceError(service: "Jira", status: 400, message: "summary: You must specify a summary of the issue.")) {
            _ = try await jira.createIssue(project: "PROJ", issueType: "Bug", summary: "", description: "")
        }
        #expect(try await jira.searchIssues(jql: "labels = AI").map(\.key) == ["PROJ-1", "PROJ-2"])
        try await jira.transitionIssue("PROJ-123", transition: "in progress")
        await #expect(throws: ServiceError.self) { try await jira.transitionIssue("PROJ-123", transition: "Shipped") }
        try await jira.updateIssue("PROJ-123", fields: ["labels": .array([.string("AI"), .string("ai-planned")])])
        await #expect(throws: ServiceError(service: "Jira", status: 400, message: "priority: Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.")) {
            try await jira.updateIssue("PROJ-123", fields: ["priority": .object(["name": .string("High")])])
        }
        #expect(seen.all.contains("create PROJ doc"))
        #expect(seen.all.contains(#"update PROJ-123 ["AI","ai-planned"]"#))
        #expect(seen.all.contains("search labels = AI page 2"))
        #expect(seen.all.contains(#"transition {"transition":{"id":"21"}}"#))
    }
}
