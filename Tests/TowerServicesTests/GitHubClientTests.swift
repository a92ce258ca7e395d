import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerTestLog
import TowerNet
import ZIPFoundation

@testable import TowerServices

/// A GitHub stand-in: keeps refs, files and pull requests in memory, answers in GitHub's shapes,
/// and notes every request that lacks the headers the REST API documents.
final class FakeGitHub: @unchecked Sendable {
    private let lock = NSLock()
    var refs = ["main": "sha-main-0"]
    var files: [String: (sha: String, content: String)] = ["src/auth/oauth.ts": ("f1", "export const oauth = 1;\n")]
    var pulls: [(number: Int, head: String, title: String, draft: Bool)] = []
    var comments: [String] = []
    var commits = 0
    var problems: [String] = []
    var base = ""
    var logsZip = Data()
    /// The Authorization header the log storage host saw (it must see none).
    var blobAuthorization: String?
    /// The git data API's objects: commits (tree, parent) and trees (path → content).
    var gitCommits: [String: (tree: String, parent: String?, message: String)] = ["sha-main-0": ("tree-0", nil, "initial")]
    var pushBeforeNextRefUpdate = false
    var gitTrees: [String: [String: String]] = ["tree-0": ["src/auth/oauth.ts": "export const oauth = 1;\n"]]

    /// A tree's name from its content, as git's is: the same files give the same sha.
    static func treeSha(_ files: [String: String]) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in files.sorted(by: { $0.key < $1.key }).map({ "\($0.key)\u{0}\($0.value)\u{0}" }).joined().utf8 {
            hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211
        }
        return "tree-" + String(hash, radix: 16)
    }

    func with<T>(_ body: (FakeGitHub) -> T) -> T { lock.withLock { body(self) } }

    func check(_ request: Request) {
        let auth = request.headers[.authorization]
        let accept = request.headers[.accept]
        let version = request.headers[HTTPField.Name("X-GitHub-Api-Version")!]
        if auth != "Bearer ghp_tst0secret_token_123" || accept != "application/vnd.github+json" || version != "2022-11-28" {
            with { $0.problems.append("\(request.method) \(request.uri.path): \(auth ?? "-") \(accept ?? "-") \(version ?? "-")") }
        }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func routes(_ router: Router<BasicRequestContext>) {
        let repo = "/repos/acme/auth-service"
        router.get(RouterPath(stringLiteral: repo)) { request, _ in
            self.check(request)
            return Self.json(#"{"name":"auth-service","full_name":"acme/auth-service","default_branch":"main","language":"TypeScript","private":true}"#)
        }
        router.get(RouterPath(stringLiteral: repo + "/git/trees/:sha")) { request, _ in
            self.check(request)
            let recursive = request.uri.queryParameters["recursive"] == "1"
            return Self.json(#"{"sha":"t","truncated":false,"tree":[{"path":"src","type":"tree","sha":"d1"}\#(recursive ? #",{"path":"src/auth/oauth.ts","type":"blob","sha":"f1","size":24}"# : "")]}"#)
        }
        router.get(RouterPath(stringLiteral: repo + "/contents/**")) { request, context in
            self.check(request)
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let file = self.with({ $0.files[path] }) else { return Self.json(#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}"#, status: .notFound) }
            let content = Data(file.content.utf8).base64EncodedString().enumerated().map { $0.offset > 0 && $0.offset % 60 == 0 ? "\n\($0.element)" : "\($0.element)" }.joined()
            return Self.json(#"{"path":"\#(path)","sha":"\#(file.sha)","encoding":"base64","content":"\#(content.replacingOccurrences(of: "\n", with: "\\n"))"}"#)
        }
        router.put(RouterPath(stringLiteral: repo + "/contents/**")) { request, context in
            self.check(request)
            let path = context.parameters.getCatchAll().joined(separator: "/")
            let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            let existing = self.with { $0.files[path] }
            if existing != nil && body["sha"] != existing?.sha { return Self.json(#"{"message":"sha does not match"}"#, status: .conflict) }
            let text = String(decoding: Data(base64Encoded: body["content"] ?? "") ?? Data(), as: UTF8.self)
            let sha = self.with { fake -> String in
                fake.commits += 1
                let sha = "f\(fake.commits + 1)"
                fake.files[path] = (sha, text)
                return sha
            }
            return Self.json(#"{"content":{"path":"\#(path)","sha":"\#(sha)"},"commit":{"sha":"c\#(sha)"}}"#, status: existing == nil ? .created : .ok)
        }
        router.get(RouterPath(stringLiteral: repo + "/git/ref/heads/**")) { request, context in
            self.check(request)
            guard let sha = self.with({ $0.refs[context.parameters.getCatchAll().joined(separator: "/")] }) else { return Self.json(#"{"message":"Not Found"}"#, status: .notFound) }
            return Self.json(#"{"ref":"refs/heads/x","object":{"sha":"\#(sha)","type":"commit"}}"#)
        }
        router.get(RouterPath(stringLiteral: repo + "/git/commits/:sha")) { request, context in
            self.check(request)
            let sha = context.parameters.get("sha") ?? ""
            guard let commit = self.with({ $0.gitCommits[sha] }) else { return Self.json(#"{"message":"Not Found"}"#, status: .notFound) }
            return Self.json(#"{"sha":"\#(sha)","tree":{"sha":"\#(commit.tree)"},"message":"\#(commit.message)"}"#)
        }
        router.post(RouterPath(stringLiteral: repo + "/git/trees")) { request, _ in
            self.check(request)
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            guard case .string(let base)? = body["base_tree"], case .array(let entries)? = body["tree"] else {
                return Self.json(#"{"message":"Invalid request"}"#, status: .unprocessableContent)
            }
            let sha = self.with { fake -> String? in
                guard var files = fake.gitTrees[base] else { return nil }
                for entry in entries {
                    guard case .string(let path)? = entry["path"], case .string(let content)? = entry["content"], entry["mode"] == .string("100644") else { return nil }
                    files[path] = content
                }
                let sha = Self.treeSha(files)
                fake.gitTrees[sha] = files
                return sha
            }
            guard let sha else { return Self.json(#"{"message":"base_tree is not a valid tree oid"}"#, status: .unprocessableContent) }
            return Self.json(#"{"sha":"\#(sha)","tree":[]}"#, status: .created)
        }
        router.post(RouterPath(stringLiteral: repo + "/git/commits")) { request, _ in
            self.check(request)
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            guard case .string(let tree)? = body["tree"], case .string(let message)? = body["message"], case .array(let parents)? = body["parents"],
                case .string(let parent)? = parents.first
            else { return Self.json(#"{"message":"Invalid request"}"#, status: .unprocessableContent) }
            let sha = self.with { fake -> String in
                let sha = "commit-\(fake.gitCommits.count)"
                fake.gitCommits[sha] = (tree, parent, message)
                return sha
            }
            return Self.json(#"{"sha":"\#(sha)","tree":{"sha":"\#(tree)"}}"#, status: .created)
        }
        router.patch(RouterPath(stringLiteral: repo + "/git/refs/heads/**")) { request, context in
            self.check(request)
            let branch = context.parameters.getCatchAll().joined(separator: "/")
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            guard case .string(let sha)? = body["sha"] else { return Self.json(#"{"message":"Invalid request"}"#, status: .unprocessableContent) }
            let moved = self.with { fake -> Bool in
                if fake.pushBeforeNextRefUpdate {
                    fake.pushBeforeNextRefUpdate = false
                    fake.refs[branch] = "someone-else"
                }
                // A fast-forward only: the new commit's parent must be the branch's head.
                guard let current = fake.refs[branch], fake.gitCommits[sha]?.parent == current || body["force"] == .bool(true) else { return false }
                fake.refs[branch] = sha
                return true
            }
            guard moved else { return Self.json(#"{"message":"Update is not a fast forward","status":"422"}"#, status: .unprocessableContent) }
            return Self.json(#"{"ref":"refs/heads/\#(branch)","object":{"sha":"\#(sha)","type":"commit"}}"#)
        }
        router.post(RouterPath(stringLiteral: repo + "/git/refs")) { request, _ in
            self.check(request)
            let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            let name = String((body["ref"] ?? "").dropFirst("refs/heads/".count))
            let created = self.with { fake -> Bool in
                guard fake.refs[name] == nil else { return false }
                fake.refs[name] = body["sha"]
                return true
            }
            guard created else { return Self.json(#"{"message":"Reference already exists"}"#, status: .unprocessableContent) }
            return Self.json(#"{"ref":"\#(body["ref"] ?? "")","object":{"sha":"\#(body["sha"] ?? "")","type":"commit"}}"#, status: .created)
        }
        router.get(RouterPath(stringLiteral: repo + "/pulls")) { request, _ in
            self.check(request)
            let head = String(request.uri.queryParameters["head"] ?? "").split(separator: ":").last.map(String.init) ?? ""
            let open = self.with { $0.pulls.filter { $0.head == head } }
            return Self.json("[" + open.map { #"{"number":\#($0.number),"html_url":"https://github.com/acme/auth-service/pull/\#($0.number)","state":"open","draft":\#($0.draft),"title":"\#($0.title)"}"# }.joined(separator: ",") + "]")
        }
        router.get(RouterPath(stringLiteral: repo + "/pulls/:number")) { request, context in
            self.check(request)
            let number = Int(context.parameters.get("number") ?? "") ?? 0
            guard let pr = self.with({ $0.pulls.first { $0.number == number } }) else { return Self.json(#"{"message":"Not Found"}"#, status: .notFound) }
            return Self.json(
                #"{"number":\#(pr.number),"html_url":"https://github.com/acme/auth-service/pull/\#(pr.number)","state":"open","draft":\#(pr.draft),"title":"\#(pr.title)","body":"AI Agent plan","head":{"ref":"\#(pr.head)","sha":"abc"},"base":{"ref":"main","sha":"def"}}"#)
        }
        router.post(RouterPath(stringLiteral: repo + "/pulls")) { request, _ in
            self.check(request)
            let body = try JSONDecoder().decode(JSONBodyObject.self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            let number = self.with { fake -> Int in
                let number = 41 + fake.pulls.count + 1
                fake.pulls.append((number, body.head, body.title, body.draft))
                return number
            }
            return Self.json(#"{"number":\#(number),"html_url":"https://github.com/acme/auth-service/pull/\#(number)","state":"open","draft":\#(body.draft),"title":"\#(body.title)"}"#, status: .created)
        }
        router.post(RouterPath(stringLiteral: repo + "/issues/:number/comments")) { request, _ in
            self.check(request)
            let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
            self.with { $0.comments.append(body["body"] ?? "") }
            return Self.json(#"{"id":1,"body":"ok"}"#, status: .created)
        }
        router.get("/search/code") { request, _ in
            self.check(request)
            // GitHub's Link carries the query on to each page; a page without it is a 422.
            // (GitHub's own links write the space as "+", as forms do.)
            let q = request.uri.queryParameters["q"].map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard q == "oauth org:acme", request.uri.queryParameters["per_page"] == "100" else {
                return Self.json(#"{"message":"Validation Failed","errors":[{"resource":"Search","field":"q","code":"missing"}],"status":"422"}"#, status: .unprocessableContent)
            }
            let page = Int(String(request.uri.queryParameters["page"] ?? "1")) ?? 1
            var headers = HTTPFields()
            if page < 3 { headers[HTTPField.Name("Link")!] = #"<\#(self.with { $0.base })/search/code?q=oauth+org%3Aacme&per_page=100&page=\#(page + 1)>; rel="next", <\#(self.with { $0.base })/search/code?q=oauth+org%3Aacme&per_page=100&page=3>; rel="last""# }
            return Self.json(#"{"total_count":3,"items":[{"path":"src/p\#(page).ts","repository":{"full_name":"acme/auth-service"}}]}"#, headers: headers)
        }
        router.get(RouterPath(stringLiteral: repo + "/actions/runs/812/logs")) { request, _ in
            self.check(request)
            // Another host, as GitHub's log storage is: curl must not carry the token there.
            let storage = self.with { $0.base }.replacingOccurrences(of: "127.0.0.1", with: "localhost")
            return Response(status: .found, headers: [.location: "\(storage)/blob/run-812.zip"])
        }
        router.get("/blob/run-812.zip") { request, _ in
            self.with { $0.blobAuthorization = request.headers[.authorization] }
            return Response(status: .ok, headers: [.contentType: "application/zip"], body: .init(byteBuffer: ByteBuffer(data: self.with { $0.logsZip })))
        }
        router.get(RouterPath(stringLiteral: repo + "/actions/runs")) { request, _ in
            self.check(request)
            guard request.uri.queryParameters["branch"] == "ai/PROJ-123" || request.uri.queryParameters["branch"] == "ai/PROJ-9" else {
                return Self.json(#"{"total_count":0,"workflow_runs":[]}"#)
            }
            if request.headers[.ifNoneMatch] == "\"runs-1\"" { return Response(status: .notModified, headers: [.eTag: "\"runs-1\""]) }
            return Self.json(#"{"total_count":1,"workflow_runs":[{"id":812,"name":"CI","status":"completed","conclusion":"failure","head_sha":"abc"}]}"#, headers: [.eTag: "\"runs-1\""])
        }
    }
}

struct JSONBodyObject: Decodable {
    var title: String
    var head: String
    var draft: Bool
}

private func makeClient() async throws -> (GitHubClient, FakeGitHub, TestServer) {
    let fake = FakeGitHub()
    let server = try await TestServer.start(fake.routes)
    fake.with { $0.base = server.base.absoluteString }
    let http = HTTPClient(policy: RetryPolicy(maxAttempts: 2, backoff: .init(base: 0.01, multiplier: 2, maximum: 0.02, jitter: 0)), log: RunLog.http("github-tests"))
    return (GitHubClient(baseURL: server.base, token: "ghp_tst0secret_token_123", http: http), fake, server)
}

@Suite struct GitHubClientTests {
    @Test func readsRepositoriesTreesAndFiles() async throws {
        let (github, fake, server) = try await makeClient()
        defer { server.stop() }
        let repo = try await github.getRepo(owner: "acme", repo: "auth-service")
        #expect(repo == .init(name: "auth-service", fullName: "acme/auth-service", defaultBranch: "main", language: "TypeScript", isPrivate: true))
        let tree = try await github.getTree(owner: "acme", repo: "auth-service", sha: "main")
        #expect(tree.entries.map(\.path) == ["src", "src/auth/oauth.ts"] && !tree.truncated)
        let file = try await github.getFileContent(owner: "acme", repo: "auth-service", path: "src/auth/oauth.ts", ref: "main")
        #expect(file.text == "export const oauth = 1;\n" && file.sha == "f1")
        await #expect(throws: ServiceError(service: "GitHub", status: 404, message: "Not Found")) {
            _ = try await github.getFileContent(owner: "acme", repo: "auth-service", path: "missing.ts")
        }
        #expect(fake.with { $0.problems }.isEmpty)
    }

    @Test func searchFollowsEveryPage() async throws {
        let (github, fake, server) = try await makeClient()
        defer { server.stop() }
        let hits = try await github.searchCode(query: "oauth", org: "acme")
        #expect(hits.map(\.path) == ["src/p1.ts", "src/p2.ts", "src/p3.ts"])
        #expect(fake.with { $0.problems }.isEmpty)
    }

    @Test func aSecondRunFindsTheBranchFileAndPullRequestItMade() async throws {
        let (github, fake, server) = try await makeClient()
        defer { server.stop() }
        for _ in 0..<2 {
            let sha = try await github.createBranch(owner: "acme", repo: "auth-service", branch: "ai/PROJ-123", fromRef: "main")
            #expect(sha == "sha-main-0")
            try await github.createOrUpdateFile(owner: "acme", repo: "auth-service", path: "PLAN.md", content: "# PROJ-123\n", message: "Add PLAN.md", branch: "ai/PROJ-123")
            let pr = try await github.createPullRequest(owner: "acme", repo: "auth-service", title: "PROJ-123: OAuth", body: "AI Agent plan", head: "ai/PROJ-123", base: "main")
            #expect(pr.number == 42 && pr.draft == true)
        }
        #expect(fake.with { $0.commits } == 1)
        #expect(fake.with { $0.pulls.count } == 1)
        try await github.createOrUpdateFile(owner: "acme", repo: "auth-service", path: "PLAN.md", content: "# PROJ-123 (edited)\n", message: "Update PLAN.md", branch: "ai/PROJ-123")
        #expect(fake.with { $0.commits } == 2)
        let fetched = try await github.getPullRequest(owner: "acme", repo: "auth-service", number: 42)
        #expect(fetched.head?.ref == "ai/PROJ-123" && fetched.base?.ref == "main" && fetched.body == "AI Agent plan" && fetched.draft == true)
        await #expect(throws: ServiceError(service: "GitHub", status: 404, message: "Not Found")) {
            _ = try await github.getPullRequest(owner: "acme", repo: "auth-service", number: 7)
        }
        try await github.addComment(owner: "acme", repo: "auth-service", number: 42, body: "@agent approve")
        #expect(fake.with { $0.comments } == ["@agent approve"])
        #expect(fake.with { $0.problems }.isEmpty)
    }

    @Test func pollingWorkflowRunsUsesETags() async throws {
        let (github, _, server) = try await makeClient()
        defer { server.stop() }
        let first = try await github.listWorkflowRuns(owner: "acme", repo: "auth-service", branch: "ai/PROJ-123")
        let second = try await github.listWorkflowRuns(owner: "acme", repo: "auth-service", branch: "ai/PROJ-123")
        #expect(first.runs.map(\.conclusion) == ["failure"] && !first.unchanged)
        #expect(second.unchanged && second.runs == first.runs)
    }
}

extension GitHubClientTests {
    @Test func severalFilesLandInOneCommitThroughTheGitDataAPI() async throws {
        let (github, fake, server) = try await makeClient()
        defer { server.stop() }
        _ = try await github.createBranch(owner: "acme", repo: "auth-service", branch: "ai/PROJ-123", fromRef: "main")
        let files = [(path: "src/auth/google.ts", content: "export const google = 2;\n"), (path: "src/auth/oauth.ts", content: "export const oauth = 3;\n")]
        let sha = try await github.createCommit(owner: "acme", repo: "auth-service", branch: "ai/PROJ-123", files: files, message: "PROJ-123: Google OAuth")
        let (commit, tree) = try #require(fake.with { fake in fake.gitCommits[sha].map { ($0, fake.gitTrees[$0.tree]) } })
        #expect(commit.parent == "sha-main-0" && commit.message == "PROJ-123: Google OAuth")
        #expect(tree == ["src/auth/google.ts": "export const google = 2;\n", "src/auth/oauth.ts": "export const oauth = 3;\n"])
        #expect(fake.with { $0.refs["ai/PROJ-123"] } == sha && fake.with { $0.refs["main"] } == "sha-main-0")
        // A re-run with the same content makes no second commit.
        let again = try await github.createCommit(owner: "acme", repo: "auth-service", branch: "ai/PROJ-123", files: files, message: "PROJ-123: Google OAuth")
        #expect(again == sha && fake.with { $0.gitCommits.count } == 2)
        // A branch that moved under us is not overwritten: GitHub's 422 comes back as the error.
        fake.with { $0.pushBeforeNextRefUpdate = true }
        await #expect(throws: ServiceError(service: "GitHub", status: 422, message: "Update is not a fast forward")) {
            _ = try await github.createCommit(owner: "acme", repo: "auth-service", branch: "ai/PROJ-123", files: [(path: "b.ts", content: "b\n")], message: "b")
        }
        #expect(fake.with { $0.problems }.isEmpty)
    }

    @Test func workflowLogsArriveAsAZipBehindARedirect() async throws {
        let (github, fake, server) = try await makeClient()
        defer { server.stop() }
        let archive = try Archive(data: Data(), accessMode: .create)
        for (name, text) in [("1_lint.txt", "src/a.ts:3 error  eslint(no-unused-vars)\n"), ("2_test.txt", "12 passed\n")] {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        fake.with { $0.logsZip = archive.data ?? Data() }
        let logs = try await github.getWorkflowRunLogs(owner: "acme", repo: "auth-service", runId: 812)
        #expect(logs.map(\.name) == ["1_lint.txt", "2_test.txt"])
        #expect(logs.first?.text.contains("eslint(no-unused-vars)") == true)
        #expect(fake.with { $0.blobAuthorization } == nil)
        await #expect(throws: ServiceError(service: "GitHub", status: 200, message: "the logs of run 812 are more than 10 bytes zipped")) {
            _ = try await github.getWorkflowRunLogs(owner: "acme", repo: "auth-service", runId: 812, limit: 10)
        }
        // Small enough zipped, too large unpacked (1,200 bytes of text that deflate well).
        let bomb = try Archive(data: Data(), accessMode: .create)
        let text = Data(String(repeating: "error ", count: 200).utf8)
        try bomb.addEntry(with: "3_big.txt", type: .file, uncompressedSize: Int64(text.count), compressionMethod: .deflate) { position, size in
            text.subdata(in: Int(position)..<Int(position) + size)
        }
        fake.with { $0.logsZip = bomb.data ?? Data() }
        #expect((bomb.data?.count ?? 0) < 400)
        await #expect(throws: ServiceError(service: "GitHub", status: 200, message: "the logs of run 812 unpack to more than 400 bytes")) {
            _ = try await github.getWorkflowRunLogs(owner: "acme", repo: "auth-service", runId: 812, limit: 400)
        }
    }
}

extension GitHubClientTests {
    /// The Forge protocol over GitHub: the same calls the agents make on the local forge.
    @Test func gitHubAnswersToTheForgeProtocol() async throws {
        let (github, fake, server) = try await makeClient()
        defer { server.stop() }
        let forge: any Forge = GitHubForge(client: github)
        let repo = RepositoryRef(owner: "acme", name: "auth-service")
        #expect(try await forge.defaultBranch(of: repo) == "main")
        #expect(try await forge.files(in: repo, ref: "main") == ["src/auth/oauth.ts"])  // blobs only
        #expect(try await forge.file("src/auth/oauth.ts", in: repo, ref: "main") == "export const oauth = 1;\n")
        #expect(try await forge.file("nope.ts", in: repo, ref: "main") == nil)
        #expect(try await forge.createBranch("ai/PROJ-9", from: "main", in: repo) == "sha-main-0")
        let sha = try await forge.commit([FileChange(path: "PLAN.md", content: "# PROJ-9\n")], message: "Plan", on: "ai/PROJ-9", in: repo)
        #expect(fake.with { $0.refs["ai/PROJ-9"] } == sha)
        let pr = try await forge.openPullRequest(head: "ai/PROJ-9", base: "main", title: "PROJ-9", body: "plan", draft: true, in: repo)
        #expect(pr.number == 42 && pr.head == "ai/PROJ-9" && pr.draft && pr.url == "https://github.com/acme/auth-service/pull/42")
        #expect(try await forge.openPullRequest(head: "ai/PROJ-9", base: "main", title: "again", body: "", draft: true, in: repo).number == 42)
        #expect(try await forge.findOpenPullRequest(head: "ai/PROJ-9", in: repo)?.number == 42)
        #expect(try await forge.ciRuns(branch: "ai/PROJ-9", in: repo).map(\.conclusion) == [.failure])
        #expect(fake.with { $0.pulls.count } == 1 && fake.with { $0.problems }.isEmpty)
    }
}
