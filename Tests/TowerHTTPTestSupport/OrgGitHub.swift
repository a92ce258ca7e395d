import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerCore
import TowerTestLog

/// GitHub's REST API over an in-memory organization of several repositories: listing, trees,
/// contents, code search, the git data API (refs, trees, commits), pull requests and comments,
/// in GitHub's shapes and status codes. Every request must carry the token and GitHub's
/// headers; anything else is noted in `problems`. For the agents' end-to-end tests.
public final class OrgGitHub: @unchecked Sendable {
    public struct Commit: Sendable {
        public var tree: [String: String]
        public var parent: String?
        public var message: String
    }

    public struct PullRequest: Sendable {
        public var repository: String
        public var number: Int
        public var head: String
        public var base: String
        public var title: String
        public var body: String
        public var draft: Bool
    }

    struct Repository {
        var defaultBranch = "main"
        var language: String?
        var refs: [String: String] = [:]
    }

    private let lock = NSLock()
    public let owner: String
    private var repositories: [String: Repository] = [:]
    private var commits: [String: Commit] = [:]
    private var trees: [String: [String: String]] = [:]
    private var pulls: [PullRequest] = []
    private var issueComments: [String] = []
    private var seen: [String] = []
    private var problems: [String] = []
    /// While set, `GET …/pulls` waits: the moment between the branch and the PR, for a kill -9.
    private var holdingPullLookups = false

    public init(owner: String = "acme") { self.owner = owner }

    func locked<T>(_ body: (OrgGitHub) -> T) -> T { lock.withLock { body(self) } }

    // MARK: Setting up and looking

    /// Adds a repository whose `main` holds `files`.
    public func addRepository(_ name: String, files: [String: String], language: String? = nil) {
        locked { github in
            let sha = github.store(Commit(tree: files, parent: nil, message: "Initial commit"))
            github.repositories[name] = Repository(language: language, refs: ["main": sha])
        }
    }

    /// Every request as "METHOD /path".
    public var requests: [String] { locked { $0.seen } }
    /// Requests that lacked GitHub's headers or token.
    public var headerProblems: [String] { locked { $0.problems } }
    public var pullRequests: [PullRequest] { locked { $0.pulls } }
    public var comments: [String] { locked { $0.issueComments } }

    /// The branches of a repository.
    public func branches(_ repository: String) -> [String: String] { locked { $0.repositories[repository]?.refs ?? [:] } }

    /// Commits made through the API whose message starts with `prefix`.
    public func commits(_ repository: String, messagePrefix prefix: String) -> Int {
        locked { github in
            var count = 0
            for sha in Set(github.repositories[repository]?.refs.values.map { $0 } ?? []) {
                var current: String? = sha
                var seen = Set<String>()
                while let c = current, seen.insert(c).inserted, let commit = github.commits[c] {
                    if commit.message.hasPrefix(prefix) { count += 1 }
                    current = commit.parent
                }
            }
            return count
        }
    }

    /// A file on a branch.
    public func file(_ path: String, in repository: String, branch: String) -> String? {
        locked { github in github.repositories[repository]?.refs[branch].flatMap { github.commits[$0]?.tree[path] } }
    }

    /// The files of a branch or commit.
    func tree(_ ref: String, in repository: String) -> [String: String]? {
        locked { github in github.resolve(ref, in: repository).flatMap { github.commits[$0]?.tree } }
    }

    /// The commit a ref names.
    func commitSha(_ ref: String, in repository: String) -> String? { locked { $0.resolve(ref, in: repository) } }

    /// A branch's history, newest first; with `path`, only the commits that changed that file
    /// (GitHub's `GET …/commits?path=`).
    func history(_ ref: String, in repository: String, touching path: String? = nil) -> [(sha: String, message: String)] {
        locked { github in
            var out: [(String, String)] = []
            var current = github.resolve(ref, in: repository)
            while let sha = current, let commit = github.commits[sha], out.count < 500 {
                let before = commit.parent.flatMap { github.commits[$0]?.tree[path ?? ""] }
                if path == nil || commit.tree[path!] != before { out.append((sha, commit.message)) }
                current = commit.parent
            }
            return out
        }
    }

    /// Holds `GET …/pulls` until released (the kill -9 window after the branch, before the PR).
    public func holdPullLookups(_ hold: Bool) { locked { $0.holdingPullLookups = hold } }

    // MARK: The model

    private func store(_ commit: Commit) -> String {
        let sha = Self.sha("commit\(commit.parent ?? "")\(commit.message)\(Self.treeSha(commit.tree))\(commits.count)")
        commits[sha] = commit
        trees[Self.treeSha(commit.tree)] = commit.tree
        return sha
    }

    static func treeSha(_ files: [String: String]) -> String {
        sha(files.sorted { $0.key < $1.key }.map { "\($0.key)\u{0}\($0.value)\u{0}" }.joined())
    }

    static func sha(_ text: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b &+ UInt64(byte)) &* 0x0000_0100_0000_01B3 ^ a
        }
        let hex = String(a, radix: 16) + String(b, radix: 16)
        return String((hex + String(repeating: "0", count: 40)).prefix(40))
    }

    /// A branch name or a commit sha → the commit.
    private func resolve(_ ref: String, in repository: String) -> String? {
        if let sha = repositories[repository]?.refs[ref] { return sha }
        return commits[ref] != nil ? ref : nil
    }

    // MARK: HTTP

    static func json(_ value: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func notFound() -> Response { json(["message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"], status: .notFound) }

    func check(_ request: Request) -> Bool {
        let ok = request.headers[.authorization] == "Bearer \(TestSecrets.githubToken)" && request.headers[.accept] == "application/vnd.github+json"
            && request.headers[HTTPField.Name("X-GitHub-Api-Version")!] == "2022-11-28"
        locked { github in
            github.seen.append("\(request.method) \(request.uri.path)")
            if !ok { github.problems.append("\(request.method) \(request.uri.path)") }
        }
        return ok
    }

    static func body(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 8 << 20)
        return (try JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    func repoJSON(_ name: String, _ repo: Repository) -> [String: Any] {
        ["name": name, "full_name": "\(owner)/\(name)", "default_branch": repo.defaultBranch, "language": repo.language ?? NSNull(), "private": true]
    }

    func pullJSON(_ pr: PullRequest) -> [String: Any] {
        [
            "number": pr.number, "html_url": "https://github.com/\(owner)/\(pr.repository)/pull/\(pr.number)", "state": "open", "draft": pr.draft,
            "title": pr.title, "body": pr.body, "head": ["ref": pr.head, "sha": "h"], "base": ["ref": pr.base, "sha": "b"],
        ]
    }

    /// Installs the routes under `/github`.
    public func routes(_ router: Router<BasicRequestContext>) {
        let unauthorized = Self.json(["message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"], status: .unauthorized)
        router.get("/github/orgs/:owner/repos") { request, context in
            guard self.check(request) else { return unauthorized }
            guard context.parameters.get("owner") == self.owner else { return Self.notFound() }
            return Self.json(self.locked { github in github.repositories.sorted { $0.key < $1.key }.map { github.repoJSON($0.key, $0.value) } })
        }
        router.get("/github/repos/:owner/:repo") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            guard let repo = self.locked({ $0.repositories[name] }) else { return Self.notFound() }
            return Self.json(self.repoJSON(name, repo))
        }
        router.get("/github/repos/:owner/:repo/git/ref/heads/**") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            let branch = context.parameters.getCatchAll().joined(separator: "/")
            guard let sha = self.locked({ $0.repositories[name]?.refs[branch] }) else { return Self.notFound() }
            return Self.json(["ref": "refs/heads/\(branch)", "object": ["sha": sha, "type": "commit"]])
        }
        router.get("/github/repos/:owner/:repo/git/trees/:sha") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            let ref = context.parameters.get("sha") ?? ""
            let files = self.locked { github in github.resolve(ref, in: name).flatMap { github.commits[$0]?.tree } ?? github.trees[ref] }
            guard let files else { return Self.notFound() }
            let entries = files.keys.sorted().map { path -> [String: Any] in ["path": path, "type": "blob", "sha": Self.sha(files[path]!), "size": files[path]!.utf8.count] }
            return Self.json(["sha": ref, "truncated": false, "tree": entries])
        }
        router.get("/github/repos/:owner/:repo/contents/**") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            let path = context.parameters.getCatchAll().joined(separator: "/")
            let ref = request.uri.queryParameters["ref"].map(String.init)
            let text = self.locked { github -> String? in
                guard let repo = github.repositories[name], let sha = github.resolve(ref ?? repo.defaultBranch, in: name) else { return nil }
                return github.commits[sha]?.tree[path]
            }
            guard let text else { return Self.notFound() }
            return Self.json(["path": path, "sha": Self.sha(text), "encoding": "base64", "content": Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])])
        }
        router.get("/github/search/code") { request, _ in
            guard self.check(request) else { return unauthorized }
            let q = request.uri.queryParameters["q"].map { String($0).replacingOccurrences(of: "+", with: " ") } ?? ""
            guard q.hasSuffix(" org:\(self.owner)"), request.uri.queryParameters["per_page"] == "100" else {
                return Self.json(["message": "Validation Failed", "errors": [["resource": "Search", "field": "q", "code": "invalid"]], "status": "422"], status: .unprocessableContent)
            }
            let term = String(q.dropLast(" org:\(self.owner)".count)).lowercased()
            let items = self.locked { github -> [[String: Any]] in
                var items: [[String: Any]] = []
                for (name, repo) in github.repositories.sorted(by: { $0.key < $1.key }) {
                    guard let sha = repo.refs[repo.defaultBranch], let tree = github.commits[sha]?.tree else { continue }
                    for (path, text) in tree.sorted(by: { $0.key < $1.key }) where text.lowercased().contains(term) || path.lowercased().contains(term) {
                        items.append(["name": path.split(separator: "/").last.map(String.init) ?? path, "path": path, "repository": ["full_name": "\(github.owner)/\(name)"]])
                    }
                }
                return items
            }
            return Self.json(["total_count": items.count, "incomplete_results": false, "items": items])
        }
        router.post("/github/repos/:owner/:repo/git/refs") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            let body = try await Self.body(request)
            let ref = (body["ref"] as? String ?? "").replacingOccurrences(of: "refs/heads/", with: "")
            let sha = body["sha"] as? String ?? ""
            let created = self.locked { github -> Bool in
                guard github.repositories[name]?.refs[ref] == nil, github.commits[sha] != nil else { return false }
                github.repositories[name]?.refs[ref] = sha
                return true
            }
            guard created else { return Self.json(["message": "Reference already exists", "status": "422"], status: .unprocessableContent) }
            return Self.json(["ref": "refs/heads/\(ref)", "object": ["sha": sha, "type": "commit"]], status: .created)
        }
        router.get("/github/repos/:owner/:repo/git/commits/:sha") { request, context in
            guard self.check(request) else { return unauthorized }
            let sha = context.parameters.get("sha") ?? ""
            guard let commit = self.locked({ $0.commits[sha] }) else { return Self.notFound() }
            return Self.json(["sha": sha, "tree": ["sha": Self.treeSha(commit.tree)], "message": commit.message])
        }
        router.post("/github/repos/:owner/:repo/git/trees") { request, _ in
            guard self.check(request) else { return unauthorized }
            let body = try await Self.body(request)
            guard let base = body["base_tree"] as? String, let entries = body["tree"] as? [[String: Any]] else {
                return Self.json(["message": "Invalid request"], status: .unprocessableContent)
            }
            let sha = self.locked { github -> String? in
                guard var files = github.trees[base] else { return nil }
                for entry in entries {
                    guard let path = entry["path"] as? String, let content = entry["content"] as? String else { return nil }
                    files[path] = content
                }
                let sha = Self.treeSha(files)
                github.trees[sha] = files
                return sha
            }
            guard let sha else { return Self.json(["message": "base_tree is not a valid tree oid"], status: .unprocessableContent) }
            return Self.json(["sha": sha, "tree": []], status: .created)
        }
        router.post("/github/repos/:owner/:repo/git/commits") { request, _ in
            guard self.check(request) else { return unauthorized }
            let body = try await Self.body(request)
            guard let tree = body["tree"] as? String, let message = body["message"] as? String, let parent = (body["parents"] as? [String])?.first else {
                return Self.json(["message": "Invalid request"], status: .unprocessableContent)
            }
            let sha = self.locked { github -> String? in
                guard let files = github.trees[tree] else { return nil }
                return github.store(Commit(tree: files, parent: parent, message: message))
            }
            guard let sha else { return Self.json(["message": "Tree SHA does not exist"], status: .unprocessableContent) }
            return Self.json(["sha": sha, "tree": ["sha": tree]], status: .created)
        }
        router.patch("/github/repos/:owner/:repo/git/refs/heads/**") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            let branch = context.parameters.getCatchAll().joined(separator: "/")
            let body = try await Self.body(request)
            let sha = body["sha"] as? String ?? ""
            let moved = self.locked { github -> Bool in
                guard let current = github.repositories[name]?.refs[branch], github.commits[sha]?.parent == current else { return false }
                github.repositories[name]?.refs[branch] = sha
                return true
            }
            guard moved else { return Self.json(["message": "Update is not a fast forward", "status": "422"], status: .unprocessableContent) }
            return Self.json(["ref": "refs/heads/\(branch)", "object": ["sha": sha, "type": "commit"]])
        }
        router.get("/github/repos/:owner/:repo/pulls") { request, context in
            guard self.check(request) else { return unauthorized }
            while self.locked({ $0.holdingPullLookups }) { try await Task.sleep(nanoseconds: 20_000_000) }
            let name = context.parameters.get("repo") ?? ""
            let head = request.uri.queryParameters["head"].map { String($0).split(separator: ":").last.map(String.init) ?? "" } ?? ""
            return Self.json(self.locked { github in github.pulls.filter { $0.repository == name && $0.head == head }.map(github.pullJSON) })
        }
        router.post("/github/repos/:owner/:repo/pulls") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            let body = try await Self.body(request)
            let head = body["head"] as? String ?? ""
            let pr = self.locked { github -> PullRequest? in
                guard github.repositories[name]?.refs[head] != nil, !github.pulls.contains(where: { $0.repository == name && $0.head == head }) else { return nil }
                let pr = PullRequest(
                    repository: name, number: 100 + github.pulls.count + 1, head: head, base: body["base"] as? String ?? "main", title: body["title"] as? String ?? "",
                    body: body["body"] as? String ?? "", draft: body["draft"] as? Bool ?? false)
                github.pulls.append(pr)
                return pr
            }
            guard let pr else { return Self.json(["message": "Validation Failed", "errors": [["message": "A pull request already exists for \(self.owner):\(head)."]]], status: .unprocessableContent) }
            return Self.json(self.pullJSON(pr), status: .created)
        }
        router.patch("/github/repos/:owner/:repo/pulls/:number") { request, context in
            guard self.check(request) else { return unauthorized }
            let name = context.parameters.get("repo") ?? ""
            let number = Int(context.parameters.get("number") ?? "") ?? 0
            let body = try await Self.body(request)
            let pr = self.locked { github -> PullRequest? in
                guard let index = github.pulls.firstIndex(where: { $0.repository == name && $0.number == number }) else { return nil }
                if let text = body["body"] as? String { github.pulls[index].body = text }
                return github.pulls[index]
            }
            guard let pr else { return Self.notFound() }
            return Self.json(self.pullJSON(pr))
        }
        router.post("/github/repos/:owner/:repo/issues/:number/comments") { request, _ in
            guard self.check(request) else { return unauthorized }
            let body = try await Self.body(request)
            self.locked { $0.issueComments.append(body["body"] as? String ?? "") }
            return Self.json(["id": 1, "body": body["body"] as? String ?? ""], status: .created)
        }
    }
}
