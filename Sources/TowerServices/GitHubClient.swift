import Foundation
import HTTPTypes
import TowerCore
import TowerNet

/// GitHub's REST API with the original's method set (github-mcp), against api.github.com or a
/// GitHub Enterprise base URL. Writes are idempotent by design: creating a branch that exists,
/// or a pull request that is already open for the head branch, returns the existing one, so a
/// re-run step finds what its first run made.
public struct GitHubClient: Sendable {
    public let baseURL: URL
    let token: String
    let http: HTTPClient
    let etags: ETagCache

    public init(baseURL: URL = URL(string: "https://api.github.com")!, token: String, http: HTTPClient = HTTPClient(), etags: ETagCache = ETagCache()) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
        self.etags = etags
    }

    // MARK: Types

    /// A repository as the agents rank it: its name, default branch, main language, visibility.
    public struct Repository: Codable, Sendable, Equatable {
        public var name: String
        public var fullName: String
        public var defaultBranch: String
        public var language: String?
        public var isPrivate: Bool

        enum CodingKeys: String, CodingKey {
            case name, language
            case fullName = "full_name", defaultBranch = "default_branch", isPrivate = "private"
        }

        public init(name: String, fullName: String, defaultBranch: String, language: String?, isPrivate: Bool) {
            self.name = name
            self.fullName = fullName
            self.defaultBranch = defaultBranch
            self.language = language
            self.isPrivate = isPrivate
        }

        /// GitHub's `minimal-repository` (what listings return) does not require
        /// `default_branch`: an item without it decodes with an empty one, which
        /// ``GitHubClient/listRepositories(owner:maxPages:)`` fills from the repository itself.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            fullName = try container.decode(String.self, forKey: .fullName)
            defaultBranch = try container.decodeIfPresent(String.self, forKey: .defaultBranch) ?? ""
            language = try container.decodeIfPresent(String.self, forKey: .language)
            isPrivate = try container.decodeIfPresent(Bool.self, forKey: .isPrivate) ?? false
        }
    }

    /// One path of a git tree (`blob` or `tree`), with its object sha and size.
    public struct TreeEntry: Codable, Sendable, Equatable {
        public var path: String
        public var type: String
        public var sha: String
        public var size: Int?
    }

    /// A file's decoded text and its blob sha (the sha an update must name).
    public struct FileContent: Sendable, Equatable, Codable {
        public var path: String
        public var sha: String
        public var text: String
    }

    /// The fields of a pull request the workflow reads back: number, URL, draft, head and base.
    public struct PullRequest: Codable, Sendable, Equatable {
        public var number: Int
        public var url: String
        public var state: String
        public var draft: Bool?
        public var title: String
        public var body: String?
        public var head: Branch?
        public var base: Branch?

        /// A pull request's end: `{"ref": "ai/PROJ-123", "sha": "…"}`.
        public struct Branch: Codable, Sendable, Equatable {
            public var ref: String
        }

        enum CodingKeys: String, CodingKey {
            case number, state, draft, title, body, head, base
            case url = "html_url"
        }
    }

    /// One GitHub Actions run of a branch, with its status and conclusion.
    public struct WorkflowRun: Codable, Sendable, Equatable {
        public var id: Int
        public var name: String?
        public var status: String?
        public var conclusion: String?
        public var headSha: String
        /// ISO 8601, as GitHub sends it.
        public var runStartedAt: String?

        enum CodingKeys: String, CodingKey {
            case id, name, status, conclusion
            case headSha = "head_sha", runStartedAt = "run_started_at"
        }
    }

    // MARK: Account

    /// The core API's rate limit (`GET /rate_limit`, which does not count against it).
    public func getRateLimit() async throws -> RateHeadroom {
        struct Limits: Decodable {
            struct Resources: Decodable { var core: Limit }
            struct Limit: Decodable { var limit: Int; var remaining: Int; var reset: Double }
            var resources: Resources
        }
        let core = (try decode(try await send(.get, "/rate_limit")) as Limits).resources.core
        return RateHeadroom(remaining: core.remaining, limit: core.limit, resetsAt: Date(timeIntervalSince1970: core.reset))
    }

    /// Who the token acts as (`GET /user`), with the rate limit left. An installation token of
    /// a GitHub App has no user: it is named as such.
    public func whoAmI() async throws -> ServiceIdentity {
        let headroom = try await getRateLimit()
        struct User: Decodable { var login: String; var name: String? }
        let response = try await send(.get, "/user")
        if response.status.code == 403 { return ServiceIdentity(identity: "a GitHub App installation token", headroom: headroom) }
        let user: User = try decode(response)
        return ServiceIdentity(identity: user.name.map { "\(user.login) (\($0))" } ?? user.login, headroom: headroom)
    }

    // MARK: Reading

    /// `GET /repos/{owner}/{repo}`.
    public func getRepo(owner: String, repo: String) async throws -> Repository {
        try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)"))
    }

    /// Every repository of an organization (`GET /orgs/{org}/repos`), or of a user when the
    /// owner is not an organization, over every page.
    public func listRepositories(owner: String, maxPages: Int = 20) async throws -> [Repository] {
        var pages: [HTTPClientResponse]
        do {
            pages = try await http.allPages(request(.get, "/orgs/\(org: owner)/repos", query: ["per_page": "100", "type": "all"]), maxPages: maxPages)
            if let first = pages.first, first.status.code == 404 {
                pages = try await http.allPages(request(.get, "/users/\(owner, as: "username")/repos", query: ["per_page": "100"]), maxPages: maxPages)
            }
        }
        var repositories: [Repository] = []
        for page in pages {
            let list: [Repository] = try decode(page)
            repositories += list
        }
        // A listing item without its default branch: the repository itself always has one.
        for index in repositories.indices where repositories[index].defaultBranch.isEmpty {
            let parts = repositories[index].fullName.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else { continue }
            repositories[index].defaultBranch = try await getRepo(owner: String(parts[0]), repo: String(parts[1])).defaultBranch
        }
        return repositories
    }

    /// The commit a branch points at.
    public func branchHead(owner: String, repo: String, branch: String) async throws -> String {
        struct Ref: Decodable {
            struct Object: Decodable { var sha: String }
            var object: Object
        }
        let ref: Ref = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/git/ref/\("heads/" + branch, as: "ref")"))
        return ref.object.sha
    }

    /// The whole tree at a ref or sha (`recursive=1`); `truncated` when GitHub cut it.
    public func getTree(owner: String, repo: String, sha: String) async throws -> (entries: [TreeEntry], truncated: Bool) {
        struct Tree: Decodable {
            var tree: [TreeEntry]
            var truncated: Bool
        }
        let tree: Tree = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/git/trees/\(sha, as: "tree_sha")", query: ["recursive": "1"]))
        return (tree.tree, tree.truncated)
    }

    /// `GET /repos/{owner}/{repo}/contents/{path}`, base64 decoded; a 404 is the service's error.
    public func getFileContent(owner: String, repo: String, path: String, ref: String? = nil) async throws -> FileContent {
        struct Content: Decodable {
            var path: String
            var sha: String
            var content: String?
            var encoding: String?
        }
        let content: Content = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/contents/\(path: path)", query: ref.map { ["ref": $0] } ?? [:]))
        guard content.encoding == "base64", let base64 = content.content,
            let data = Data(base64Encoded: base64.replacingOccurrences(of: "\n", with: ""))
        else { throw ServiceError(service: "GitHub", status: 200, message: "\(path) is not a file with base64 content") }
        return FileContent(path: content.path, sha: content.sha, text: String(decoding: data, as: UTF8.self))
    }

    /// Code search in an organization, every page (GitHub caps results at 1,000).
    public func searchCode(query: String, org: String, maxPages: Int = 10) async throws -> [CodeSearchHit] {
        struct Page: Decodable {
            struct Item: Decodable {
                struct Repo: Decodable { var full_name: String }
                var path: String
                var repository: Repo
            }
            var items: [Item]
        }
        let pages = try await http.allPages(request(.get, "/search/code", query: ["q": "\(query) org:\(org)", "per_page": "100"]), maxPages: maxPages)
        var hits: [CodeSearchHit] = []
        for response in pages {
            let page: Page = try decode(response)
            hits += page.items.map { CodeSearchHit(repository: $0.repository.full_name, path: $0.path) }
        }
        return hits
    }

    /// The newest commits on a branch (`GET …/commits?sha=BRANCH`), newest first.
    public func listCommits(owner: String, repo: String, branch: String, limit: Int = 100, path: String? = nil) async throws -> [CommitSummary] {
        struct Item: Decodable {
            struct Commit: Decodable { var message: String }
            var sha: String
            var commit: Commit
        }
        var query = ["sha": branch, "per_page": String(min(100, max(1, limit)))]
        if let path { query["path"] = path }
        let items: [Item] = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/commits", query: query))
        return items.map { CommitSummary(sha: $0.sha, message: $0.commit.message) }
    }

    /// What changed from `base` to `head` (`GET …/compare/BASE...HEAD`), one patch per file.
    /// GitHub leaves the patch out of binary and very large files; those are named without one.
    public func compare(owner: String, repo: String, base: String, head: String) async throws -> [FilePatch] {
        struct Comparison: Decodable {
            struct File: Decodable { var filename: String; var status: String; var patch: String? }
            var files: [File]?
        }
        let comparison: Comparison = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/compare/\("\(base)...\(head)", as: "basehead")"))
        return (comparison.files ?? []).map { file in
            let from = file.status == "added" ? "/dev/null" : "a/\(file.filename)"
            let to = file.status == "removed" ? "/dev/null" : "b/\(file.filename)"
            return FilePatch(path: file.filename, patch: "--- \(from)\n+++ \(to)\n" + (file.patch.map { $0 + "\n" } ?? "(GitHub shows no patch for this file: \(file.status))\n"))
        }
    }

    /// One pull request by number.
    public func getPullRequest(owner: String, repo: String, number: Int) async throws -> PullRequest {
        try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/pulls/\(number, as: "pull_number")"))
    }

    /// The open pull request from `head`, if any: how a re-run finds the PR it already opened.
    public func findOpenPullRequest(owner: String, repo: String, head: String) async throws -> PullRequest? {
        let prs: [PullRequest] = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/pulls", query: ["head": "\(owner):\(head)", "state": "open"]))
        return prs.first
    }

    // MARK: Writing (idempotent)

    /// Creates `branch` at `fromRef`'s commit; an existing branch is returned as it is.
    public func createBranch(owner: String, repo: String, branch: String, fromRef: String) async throws -> String {
        struct Ref: Decodable {
            struct Object: Decodable { var sha: String }
            var object: Object
        }
        let base: Ref = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/git/ref/\("heads/" + fromRef, as: "ref")"))
        let created = try await send(.post, "/repos/\(owner: owner)/\(repo: repo)/git/refs", body: ["ref": "refs/heads/\(branch)", "sha": base.object.sha])
        if created.status.code == 422 {
            let existing: Ref = try decode(try await send(.get, "/repos/\(owner: owner)/\(repo: repo)/git/ref/\("heads/" + branch, as: "ref")"))
            return existing.object.sha
        }
        let ref: Ref = try decode(created)
        return ref.object.sha
    }

    /// Creates or updates one file on a branch (the contents API; the current sha is looked up
    /// for an update). Writing the same content again makes no new commit.
    @discardableResult
    public func createOrUpdateFile(owner: String, repo: String, path: String, content: String, message: String, branch: String) async throws -> String {
        var sha: String?
        do {
            let current = try await getFileContent(owner: owner, repo: repo, path: path, ref: branch)
            if current.text == content { return current.sha }
            sha = current.sha
        } catch let error as ServiceError where error.status == 404 {}
        var body = ["message": message, "content": Data(content.utf8).base64EncodedString(), "branch": branch]
        body["sha"] = sha
        struct Written: Decodable {
            struct Content: Decodable { var sha: String }
            var content: Content
        }
        let written: Written = try decode(try await send(.put, "/repos/\(owner: owner)/\(repo: repo)/contents/\(path: path)", body: body))
        return written.content.sha
    }

    /// Commits several files to a branch in one commit through the git data API: the branch's
    /// commit, one tree on top of its tree, a commit, and a fast-forward of the ref. When the
    /// files already hold this content the tree comes back unchanged and no commit is made
    /// (a re-run returns the branch's head), so the method is safe to repeat.
    @discardableResult
    public func createCommit(owner: String, repo: String, branch: String, files: [(path: String, content: String)], message: String) async throws -> String {
        struct Ref: Decodable {
            struct Object: Decodable { var sha: String }
            var object: Object
        }
        struct Commit: Decodable {
            struct Tree: Decodable { var sha: String }
            var sha: String
            var tree: Tree
        }
        struct Sha: Decodable { var sha: String }
        let path: APIPath = "/repos/\(owner: owner)/\(repo: repo)/git"
        let head: Ref = try decode(try await send(.get, path + "/ref/\("heads/" + branch, as: "ref")"))
        let parent: Commit = try decode(try await send(.get, path + "/commits/\(head.object.sha, as: "commit_sha")"))
        let entries: [JSONValue] = files.map {
            .object(["path": .string($0.path), "mode": .string("100644"), "type": .string("blob"), "content": .string($0.content)])
        }
        let tree: Sha = try decode(try await send(.post, path + "/trees", json: ["base_tree": .string(parent.tree.sha), "tree": .array(entries)]))
        if tree.sha == parent.tree.sha { return parent.sha }
        let commit: Sha = try decode(
            try await send(.post, path + "/commits", json: ["message": .string(message), "tree": .string(tree.sha), "parents": .array([.string(parent.sha)])]))
        let _: Ref = try decode(try await send(.patch, path + "/refs/\("heads/" + branch, as: "ref")", json: ["sha": .string(commit.sha), "force": .bool(false)]))
        return commit.sha
    }

    /// Opens a (draft) pull request, or returns the one already open for `head`.
    public func createPullRequest(owner: String, repo: String, title: String, body: String, head: String, base: String, draft: Bool = true) async throws -> PullRequest {
        if let existing = try await findOpenPullRequest(owner: owner, repo: repo, head: head) { return existing }
        let payload: [String: JSONValue] = ["title": .string(title), "body": .string(body), "head": .string(head), "base": .string(base), "draft": .bool(draft)]
        return try decode(try await send(.post, "/repos/\(owner: owner)/\(repo: repo)/pulls", json: payload))
    }

    /// Replaces a pull request's body (`PATCH /repos/{owner}/{repo}/pulls/{number}`): setting the
    /// same body twice changes nothing, so it is safe to repeat.
    public func updatePullRequest(owner: String, repo: String, number: Int, body: String) async throws {
        let _: PullRequest = try decode(try await send(.patch, "/repos/\(owner: owner)/\(repo: repo)/pulls/\(number, as: "pull_number")", json: ["body": .string(body)]))
    }

    /// A comment on an issue or pull request.
    public func addComment(owner: String, repo: String, number: Int, body: String) async throws {
        let _: JSONValue = try decode(try await send(.post, "/repos/\(owner: owner)/\(repo: repo)/issues/\(number, as: "issue_number")/comments", body: ["body": body]))
    }

    // MARK: Plumbing

    func request(_ method: HTTPRequest.Method, _ path: APIPath, query: [String: String] = [:], body: Data? = nil) -> HTTPClientRequest {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.accept] = "application/vnd.github+json"
        headers[HTTPField.Name("X-GitHub-Api-Version")!] = "2022-11-28"
        if body != nil { headers[.contentType] = "application/json" }
        return HTTPClientRequest(method: method, url: baseURL.endpoint(path.path, query: query), headers: headers, body: body, route: path.template)
    }

    func send(_ method: HTTPRequest.Method, _ path: APIPath, query: [String: String] = [:], body: [String: String]? = nil) async throws -> HTTPClientResponse {
        try await http.send(request(method, path, query: query, body: try body.map { try JSONEncoder().encode($0) }))
    }

    func send(_ method: HTTPRequest.Method, _ path: APIPath, json: [String: JSONValue]) async throws -> HTTPClientResponse {
        try await http.send(request(method, path, body: try JSONEncoder().encode(JSONValue.object(json))))
    }

    func decode<T: Decodable>(_ response: HTTPClientResponse) throws -> T {
        guard response.status.kind == .successful else {
            let message = (try? JSONDecoder().decode(GitHubErrorBody.self, from: response.body))?.message ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            throw ServiceError(service: "GitHub", status: response.status.code, message: message)
        }
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw ServiceError(service: "GitHub", status: response.status.code, message: "unexpected answer: \(error)")
        }
    }
}

/// GitHub's error shape: `{"message": "…", "documentation_url": "…"}`.
struct GitHubErrorBody: Decodable {
    var message: String?
}
