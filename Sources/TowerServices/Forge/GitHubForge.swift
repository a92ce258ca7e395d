import Foundation
import TowerCore

/// GitHub as a ``Forge``: the REST client's methods under the forge's names, so an agent
/// written against ``Forge`` runs the same on GitHub and on the local forge.
public struct GitHubForge: Forge {
    public let client: GitHubClient

    public init(client: GitHubClient) {
        self.client = client
    }

    public var name: String { "GitHub" }

    public func repositories(owner: String) async throws -> [RepositoryRef] {
        try await client.listRepositories(owner: owner).map { RepositoryRef(owner: owner, name: $0.name) }.sorted { $0.name < $1.name }
    }

    public func defaultBranch(of repo: RepositoryRef) async throws -> String {
        try await client.getRepo(owner: repo.owner, repo: repo.name).defaultBranch
    }

    public func headCommit(of branch: String, in repo: RepositoryRef) async throws -> String {
        try await client.branchHead(owner: repo.owner, repo: repo.name, branch: branch)
    }

    public func files(in repo: RepositoryRef, ref: String) async throws -> [String] {
        try await client.getTree(owner: repo.owner, repo: repo.name, sha: ref).entries.filter { $0.type == "blob" }.map(\.path)
    }

    public func file(_ path: String, in repo: RepositoryRef, ref: String) async throws -> String? {
        do {
            return try await client.getFileContent(owner: repo.owner, repo: repo.name, path: path, ref: ref).text
        } catch let error as ServiceError where error.status == 404 {
            return nil
        }
    }

    /// One page (the best 100 hits): code search allows about ten requests a minute, and a
    /// caller's budget counts requests.
    public func searchCode(_ query: String, owner: String) async throws -> [CodeSearchHit] {
        try await client.searchCode(query: query, org: owner, maxPages: 1)
    }

    public func createBranch(_ branch: String, from base: String, in repo: RepositoryRef) async throws -> String {
        try await client.createBranch(owner: repo.owner, repo: repo.name, branch: branch, fromRef: base)
    }

    public func commit(_ files: [FileChange], message: String, on branch: String, in repo: RepositoryRef) async throws -> String {
        try await client.createCommit(owner: repo.owner, repo: repo.name, branch: branch, files: files.map { ($0.path, $0.content) }, message: message)
    }

    public func openPullRequest(head: String, base: String, title: String, body: String, draft: Bool, in repo: RepositoryRef) async throws -> PullRequestRecord {
        let pr = try await client.createPullRequest(owner: repo.owner, repo: repo.name, title: title, body: body, head: head, base: base, draft: draft)
        return record(pr, head: head, base: base, body: body, in: repo)
    }

    public func updatePullRequestBody(_ body: String, number: Int, in repo: RepositoryRef) async throws {
        try await client.updatePullRequest(owner: repo.owner, repo: repo.name, number: number, body: body)
    }

    public func findOpenPullRequest(head: String, in repo: RepositoryRef) async throws -> PullRequestRecord? {
        try await client.findOpenPullRequest(owner: repo.owner, repo: repo.name, head: head).map { record($0, head: head, base: "", body: "", in: repo) }
    }

    public func comment(_ body: String, onPullRequest number: Int, in repo: RepositoryRef) async throws {
        try await client.addComment(owner: repo.owner, repo: repo.name, number: number, body: body)
    }

    public func ciRuns(branch: String, in repo: RepositoryRef) async throws -> [CIRun] {
        try await client.listWorkflowRuns(owner: repo.owner, repo: repo.name, branch: branch).runs.map { run in
            CIRun(
                id: Int64(run.id), repository: repo.description, branch: branch, headSha: run.headSha, name: run.name ?? "workflow",
                status: CIRun.Status(rawValue: run.status ?? "") ?? .queued, conclusion: run.conclusion.flatMap(CIRun.Conclusion.init),
                startedAt: run.runStartedAt.flatMap { try? Date($0, strategy: .iso8601) } ?? .distantPast)
        }
    }

    public func ciLogs(of run: CIRun, in repo: RepositoryRef) async throws -> [String] {
        try await client.getWorkflowRunLogs(owner: repo.owner, repo: repo.name, runId: Int(run.id)).map(\.text)
    }

    public func checkout(_ branch: String, in repo: RepositoryRef, to directory: URL) async throws {
        try await client.downloadTarball(owner: repo.owner, repo: repo.name, ref: branch, into: directory)
    }

    public func commits(on branch: String, in repo: RepositoryRef, limit: Int) async throws -> [CommitSummary] {
        try await client.listCommits(owner: repo.owner, repo: repo.name, branch: branch, limit: limit)
    }

    public func lastCommit(touching path: String, on branch: String, in repo: RepositoryRef) async throws -> CommitSummary? {
        try await client.listCommits(owner: repo.owner, repo: repo.name, branch: branch, limit: 1, path: path).first
    }

    public func diff(base: String, head: String, in repo: RepositoryRef) async throws -> [FilePatch] {
        try await client.compare(owner: repo.owner, repo: repo.name, base: base, head: head)
    }

    private func record(_ pr: GitHubClient.PullRequest, head: String, base: String, body: String, in repo: RepositoryRef) -> PullRequestRecord {
        PullRequestRecord(
            repository: repo.description, number: pr.number, head: pr.head?.ref ?? head, base: pr.base?.ref ?? base, title: pr.title, body: pr.body ?? body,
            draft: pr.draft ?? false,
            state: PullRequestRecord.State(rawValue: pr.state) ?? .open, url: pr.url)
    }
}
