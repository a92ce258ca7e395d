import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerNet

@testable import TowerServices

/// Jira pages an issue's comments (`startAt`, `maxResults`, `total`) and may answer fewer than
/// asked. A re-run looks for its first run's marker among them: on a busy issue it is past
/// the first page.
@Suite struct JiraCommentPagingTests {
    @Test func everyPageIsReadSoAMarkerPastTheFirstHundredIsFound() async throws {
        let asked = Counter()
        let texts = (1...250).map { $0 == 240 ? "Plan ready <!-- tower:t-1/planning/0/jira-comment -->" : "comment \($0)" }
        let server = try await TestServer.start { router in
            router.get("/rest/api/3/issue/PROJ-1/comment") { request, _ in
                let startAt = request.uri.queryParameters.get("startAt").flatMap { Int($0) } ?? 0
                // Jira's own cap: at most 100 a page, whatever is asked.
                let size = min(100, request.uri.queryParameters.get("maxResults").flatMap { Int($0) } ?? 50)
                asked.add("\(startAt)")
                let slice = texts.indices.dropFirst(startAt).prefix(size)
                let comments = slice.map { index -> JSONValue in
                    .object(["id": .string("\(index + 1)"), "body": AtlassianDocument.from(markdown: texts[index])])
                }
                let page: JSONValue = .object(["startAt": .number(Double(startAt)), "maxResults": .number(Double(size)), "total": .number(Double(texts.count)), "comments": .array(comments)])
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder().encode(page))))
            }
        }
        defer { server.stop() }
        let jira = JiraClient(baseURL: server.base, email: "bot@example.com", token: "jira-tst0secret", http: HTTPClient(policy: RetryPolicy(maxAttempts: 1)))
        let comments = try await jira.comments("PROJ-1", pageSize: 500)
        #expect(comments.count == 250)
        #expect(comments.first?.text.trimmingCharacters(in: .whitespacesAndNewlines) == "comment 1" && comments.last?.text.trimmingCharacters(in: .whitespacesAndNewlines) == "comment 250")
        #expect(comments.contains { $0.text.contains("tower:t-1/planning/0/jira-comment") })
        #expect(asked.all == ["0", "100", "200"])
    }
}
