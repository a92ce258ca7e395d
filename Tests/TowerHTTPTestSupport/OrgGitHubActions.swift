import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TowerTestLog
import ZIPFoundation

/// The rest of what Execution and CI/CD read from GitHub, in GitHub's shapes: a branch as a
/// tarball (behind a redirect to codeload, one top-level folder), the commit list, compare with
/// per-file patches, and Actions: one workflow run per branch head, its conclusion and log from
/// `ci` (a stand-in for the workflow), and the run's logs as a zip behind a redirect.
public final class GitHubActions: @unchecked Sendable {
    /// What the workflow says about a commit's files: passed, and the job's log.
    public typealias Workflow = @Sendable (_ repository: String, _ files: [String: String]) -> (passed: Bool, log: String)

    let github: OrgGitHub
    let ci: Workflow
    private let lock = NSLock()
    private var runs: [Int: (repository: String, sha: String)] = [:]
    private var logRequests = 0

    public init(github: OrgGitHub, ci: @escaping Workflow) {
        self.github = github
        self.ci = ci
    }

    /// Log downloads that reached the blob behind the redirect.
    public var logDownloads: Int { lock.withLock { logRequests } }

    static func runId(_ sha: String) -> Int { abs(sha.utf8.reduce(17) { ($0 &* 31 &+ Int($1)) % 1_000_000_007 }) }

    static func tool(_ arguments: [String], input: Data? = nil, in directory: URL? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .found, headers: [.location: location, .contentLength: "0"])
    }

    public func routes(_ router: Router<BasicRequestContext>) {
        let github = github
        router.get("/github/repos/:owner/:repo/tarball/**") { request, context in
            guard github.check(request) else { return OrgGitHub.notFound() }
            let name = context.parameters.get("repo") ?? ""
            let ref = context.parameters.getCatchAll().joined(separator: "/")
            guard let sha = github.commitSha(ref, in: name) else { return OrgGitHub.notFound() }
            return Self.redirect("/github/codeload/\(name)/\(sha)")
        }
        router.get("/github/codeload/:repo/:sha") { _, context in
            let name = context.parameters.get("repo") ?? ""
            let sha = context.parameters.get("sha") ?? ""
            guard let files = github.tree(sha, in: name) else { return OrgGitHub.notFound() }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("codeload-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let top = "\(github.owner)-\(name)-\(sha.prefix(7))"
            for (path, text) in files {
                let url = directory.appendingPathComponent(top).appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
            let tarball = try Self.tool(["tar", "-czf", "-", "-C", directory.path, top])
            return Response(status: .ok, headers: [.contentType: "application/x-gzip"], body: .init(byteBuffer: ByteBuffer(data: tarball)))
        }
        router.get("/github/repos/:owner/:repo/commits") { request, context in
            guard github.check(request) else { return OrgGitHub.notFound() }
            let name = context.parameters.get("repo") ?? ""
            let ref = request.uri.queryParameters["sha"].map(String.init) ?? "main"
            let limit = request.uri.queryParameters["per_page"].flatMap { Int(String($0)) } ?? 30
            let path = request.uri.queryParameters["path"].map(String.init)
            return OrgGitHub.json(github.history(ref, in: name, touching: path).prefix(limit).map { ["sha": $0.sha, "commit": ["message": $0.message]] })
        }
        router.get("/github/repos/:owner/:repo/compare/**") { request, context in
            guard github.check(request) else { return OrgGitHub.notFound() }
            let name = context.parameters.get("repo") ?? ""
            let parts = context.parameters.getCatchAll().joined(separator: "/").components(separatedBy: "...")
            guard parts.count == 2, let base = github.tree(parts[0], in: name), let head = github.tree(parts[1], in: name) else { return OrgGitHub.notFound() }
            var files: [[String: Any]] = []
            for path in Set(base.keys).union(head.keys).sorted() where base[path] != head[path] {
                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: directory) }
                try Data((base[path] ?? "").utf8).write(to: directory.appendingPathComponent("a"))
                try Data((head[path] ?? "").utf8).write(to: directory.appendingPathComponent("b"))
                let diff = String(decoding: try Self.tool(["diff", "-u", "a", "b"], in: directory), as: UTF8.self)
                // GitHub's patch starts at the first hunk.
                let patch = diff.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("@@") }.joined(separator: "\n")
                files.append(["filename": path, "status": base[path] == nil ? "added" : head[path] == nil ? "removed" : "modified", "patch": patch])
            }
            return OrgGitHub.json(["status": "ahead", "files": files])
        }
        router.get("/github/repos/:owner/:repo/actions/runs") { request, context in
            guard github.check(request) else { return OrgGitHub.notFound() }
            let name = context.parameters.get("repo") ?? ""
            let branch = request.uri.queryParameters["branch"].map(String.init) ?? ""
            guard let sha = github.commitSha(branch, in: name), let files = github.tree(sha, in: name) else { return OrgGitHub.json(["total_count": 0, "workflow_runs": []]) }
            let id = Self.runId(sha)
            self.lock.withLock { self.runs[id] = (name, sha) }
            let passed = self.ci(name, files).passed
            let run: [String: Any] = [
                "id": id, "name": "CI", "head_branch": branch, "head_sha": sha, "status": "completed", "conclusion": passed ? "success" : "failure",
                "run_started_at": "2026-11-30T10:00:00Z",
            ]
            return OrgGitHub.json(["total_count": 1, "workflow_runs": [run]])
        }
        router.get("/github/repos/:owner/:repo/actions/runs/:id/logs") { request, context in
            guard github.check(request) else { return OrgGitHub.notFound() }
            guard let id = context.parameters.get("id").flatMap(Int.init), self.lock.withLock({ self.runs[id] }) != nil else { return OrgGitHub.notFound() }
            return Self.redirect("/github/blob/logs/\(id)")
        }
        router.get("/github/blob/logs/:id") { _, context in
            guard let id = context.parameters.get("id").flatMap(Int.init), let run = self.lock.withLock({ self.runs[id] }),
                let files = github.tree(run.sha, in: run.repository)
            else { return OrgGitHub.notFound() }
            self.lock.withLock { self.logRequests += 1 }
            let log = Data(self.ci(run.repository, files).log.utf8)
            let archive = try Archive(accessMode: .create)
            try archive.addEntry(with: "0_build.txt", type: .file, uncompressedSize: Int64(log.count), provider: { position, size in
                log.subdata(in: Int(position)..<Int(position) + size)
            })
            return Response(status: .ok, headers: [.contentType: "application/zip"], body: .init(byteBuffer: ByteBuffer(data: archive.data ?? Data())))
        }
    }
}
