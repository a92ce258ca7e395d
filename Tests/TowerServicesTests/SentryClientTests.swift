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

private func fixture(_ name: String) -> String {
    try! String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)"), encoding: .utf8)
}

@Suite struct SentryClientTests {
    private func sentry(seen: Counter) async throws -> TestServer {
        let holder = Holder()
        let server = try await TestServer.start { router in
            @Sendable func json(_ text: String, _ status: HTTPResponse.Status = .ok, link: String? = nil) -> Response {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let link { headers[HTTPField.Name("Link")!] = link }
                return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            // The organization's issues endpoint (the project endpoint is deprecated in Sentry's schema).
            router.get("/api/0/organizations/acme/issues/") { request, _ -> Response in
                guard request.headers[.authorization] == "Bearer sntrys_tst0secret_token" else { return json(#"{"detail":"Invalid token"}"#, .unauthorized) }
                let cursor = request.uri.queryParameters["cursor"].map(String.init)
                let q = { (name: String) in request.uri.queryParameters[Substring(name)].map(String.init) ?? "" }
                seen.add("list project=\(q("project")) \(q("query")) \(q("statsPeriod")) \(q("groupStatsPeriod")) \(cursor ?? "first")")
                let base = holder.value
                if cursor == nil {
                    return json("[" + fixture("api.issue.json") + "]", link: #"<\#(base)/api/0/organizations/acme/issues/?cursor=0:100:1>; rel="previous"; results="false"; cursor="0:0:1", <\#(base)/api/0/organizations/acme/issues/?project=web&query=is%3Aunresolved&statsPeriod=24h&groupStatsPeriod=24h&cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0""#)
                }
                return json("[]", link: #"<\#(base)/api/0/organizations/acme/issues/?cursor=0:200:0>; rel="next"; results="false"; cursor="0:200:0""#)
            }
            router.get("/api/0/organizations/acme/issues/:id/") { request, context -> Response in
                guard request.headers[.authorization] == "Bearer sntrys_tst0secret_token" else { return json(#"{"detail":"Invalid token"}"#, .unauthorized) }
                guard context.parameters.get("id") == "6507376925" else { return json(#"{"detail":"The requested resource does not exist"}"#, .notFound) }
                return json(fixture("api.issue.json"))
            }
            router.get("/api/0/organizations/acme/issues/:id/events/latest/") { _, _ in json(fixture("api.issue_event.latest.json")) }
            router.put("/api/0/organizations/acme/issues/:id/") { request, context -> Response in
                seen.add("put \(context.parameters.get("id") ?? "") " + String(buffer: try await request.body.collect(upTo: 1 << 16)))
                return json(#"{"status":"resolved"}"#)
            }
        }
        holder.value = server.base.absoluteString
        return server
    }

    @Test func listsUnresolvedIssuesAcrossCursorPages() async throws {
        let seen = Counter()
        let server = try await sentry(seen: seen)
        defer { server.stop() }
        let issues = try await SentryClient(baseURL: server.base, organization: "acme", token: "sntrys_tst0secret_token", http: HTTPClient(log: RunLog.http("sentry-tests"))).listIssues(project: "web")
        #expect(issues.map(\.shortId) == ["CLOUDFLARE-MCP-41"])
        #expect(issues.first?.count == 25 && issues.first?.level == "error" && issues.first?.title == "Error: Tool list_organizations is already registered")
        #expect(seen.all == ["list project=web is:unresolved 24h 24h first", "list project=web is:unresolved 24h 24h 0:100:0"])
        await #expect(throws: ServiceError(service: "Sentry", status: 401, message: "Invalid token")) {
            _ = try await SentryClient(baseURL: server.base, organization: "acme", token: "wrong").listIssues(project: "web")
        }
    }

    @Test func theLatestEventGivesAReadableStackTrace() async throws {
        let seen = Counter()
        let server = try await sentry(seen: seen)
        defer { server.stop() }
        let client = SentryClient(baseURL: server.base, organization: "acme", token: "sntrys_tst0secret_token", http: HTTPClient(log: RunLog.http("sentry-tests")))
        let issue = try await client.getIssue("6507376925")
        #expect(issue.shortId == "CLOUDFLARE-MCP-41" && issue.level == "error" && issue.count == 25)
        await #expect(throws: ServiceError(service: "Sentry", status: 404, message: "The requested resource does not exist")) {
            _ = try await client.getIssue("1")
        }
        let event = try await client.getLatestEvent(issue: "6507376925")
        #expect(event.exceptionType == "Error" && event.exceptionValue == "Tool list_organizations is already registered")
        #expect(event.platform == "javascript" && event.environment == "development")
        #expect(!event.frames.isEmpty)
        #expect(event.formattedStackTrace.split(separator: "\n").count == event.frames.count)
        try await client.resolveIssue("6507376925")
        #expect(seen.all.last == #"put 6507376925 {"status":"resolved"}"#)
    }
}

private final class Holder: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = ""
    var value: String {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
