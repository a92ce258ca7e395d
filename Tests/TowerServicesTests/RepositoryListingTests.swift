import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerHTTPTestSupport
import TowerNet

@testable import TowerServices

/// GitHub's REST description makes `default_branch` optional in `minimal-repository`, what
/// `GET /orgs/{org}/repos` returns: one item without it must not fail the whole listing.
@Suite struct RepositoryListingTests {
    @Test func aListedRepositoryWithoutItsDefaultBranchIsCompletedFromTheRepository() async throws {
        let fetched = Counter()
        let server = try await TestServer.start { router in
            router.get("/orgs/acme/repos") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: """
                        [{"id":1,"node_id":"R_1","name":"billing","full_name":"acme/billing","private":true,"fork":false,"default_branch":"main","language":"Python"},
                         {"id":2,"node_id":"R_2","name":"web","full_name":"acme/web","private":false,"fork":false}]
                        """)))
            }
            router.get("/repos/acme/web") { _, _ in
                fetched.add("web")
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"id":2,"name":"web","full_name":"acme/web","private":false,"default_branch":"develop","language":"TypeScript"}"#)))
            }
        }
        defer { server.stop() }
        let client = GitHubClient(baseURL: server.base, token: "ghp_tst0secret_token_123", http: HTTPClient(policy: RetryPolicy(maxAttempts: 1)))
        let repositories = try await client.listRepositories(owner: "acme")
        #expect(repositories.map(\.fullName) == ["acme/billing", "acme/web"])
        #expect(repositories.map(\.defaultBranch) == ["main", "develop"])
        #expect(repositories[1].language == nil && !repositories[1].isPrivate)
        #expect(fetched.all == ["web"])
    }
}
