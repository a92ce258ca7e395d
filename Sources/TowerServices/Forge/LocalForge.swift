import Foundation
import TowerCore
import TowerStore

/// The forge operations over git repositories on this machine: bare repositories under
/// `root/OWNER/NAME.git`, written with real `git` plumbing (blobs, a tree, a commit, a
/// compare-and-swap ref update: the git data API's steps), pull requests and CI runs recorded
/// in the store, and "CI" as a command run in a fresh checkout of the branch. What the offline
/// demo and a team without GitHub access use.
public struct LocalForge: Forge {
    public let root: URL
    let store: any Store
    let git: GitRepositories
    /// Who the commits are by.
    public var author: (name: String, email: String)

    public var name: String { "local forge" }

    public init(root: URL, store: any Store, author: (name: String, email: String) = ("Tower", "tower@localhost")) {
        self.root = root
        self.store = store
        self.author = author
        self.git = GitRepositories(root: root)
    }

    // MARK: Repositories

    /// Makes a bare repository whose first commit holds `files` on `defaultBranch`; an existing
    /// repository is left as it is.
    @discardableResult
    public func createRepository(_ repo: RepositoryRef, files: [FileChange], defaultBranch: String = "main", message: String = "Initial commit") async throws -> String {
        let directory = git.directory(of: repo)
        if FileManager.default.fileExists(atPath: directory.path) { return try await head(of: defaultBranch, in: repo) }
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await git.run(["init", "--quiet", "--bare", "--initial-branch=\(defaultBranch)", directory.path], repo: nil)
        return try await writeCommit(files, message: message, on: defaultBranch, parent: nil, in: repo)
    }

    /// The repositories of an owner (directories named `*.git`).
    public func repositories(owner: String) async throws -> [RepositoryRef] {
        try localRepositories(owner: owner)
    }

    func localRepositories(owner: String) throws -> [RepositoryRef] {
        guard RepositoryRef.isSafeName(owner) else { throw git.error("\"\(owner)\" is not a valid owner name") }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(owner).path)) ?? []
        return names.filter { $0.hasSuffix(".git") }.sorted().map { RepositoryRef(owner: owner, name: String($0.dropLast(4))) }
    }

    public func defaultBranch(of repo: RepositoryRef) async throws -> String {
        try await git.output(["symbolic-ref", "--short", "HEAD"], repo: repo).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func files(in repo: RepositoryRef, ref: String) async throws -> [String] {
        try await git.output(["ls-tree", "-r", "-z", "--name-only", try git.commitish(ref), "--"], repo: repo).split(separator: "\0").map(String.init)
    }

    public func file(_ path: String, in repo: RepositoryRef, ref: String) async throws -> String? {
        let entry = try await git.output(["ls-tree", "-z", try git.commitish(ref), "--", try git.safePath(path)], repo: repo)
        // "<mode> blob <sha>\t<path>\0"; nothing when the path does not exist at that ref.
        let fields = entry.split(separator: "\t", maxSplits: 1).first?.split(separator: " ") ?? []
        guard fields.count == 3, fields[1] == "blob" else { return nil }
        return try await git.output(["cat-file", "blob", String(fields[2])], repo: repo)
    }

    /// Every file in one `git cat-file --batch`: one process instead of two per file.
    public func files(_ paths: [String], in repo: RepositoryRef, ref: String) async throws -> [String: String] {
        guard !paths.isEmpty else { return [:] }
        let commit = try git.commitish(ref)
        let safe = try paths.map { try git.safePath($0) }.filter { !$0.contains("\n") }
        let input = Data(safe.map { "\(commit):\($0)\n" }.joined().utf8)
        let outcome = try await git.outcome(["cat-file", "--batch"], repo: repo, input: input)
        guard outcome.succeeded else { throw git.failure(outcome, "cat-file") }
        // "<sha> <type> <size>\n<bytes>\n" per object, or "<spec> missing\n".
        let bytes = outcome.outputBytes
        var texts: [String: String] = [:]
        var index = bytes.startIndex
        for path in safe {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { break }
            let header = String(decoding: bytes[index..<newline], as: UTF8.self).split(separator: " ")
            index = bytes.index(after: newline)
            guard header.count == 3, let size = Int(header[2]) else { continue }
            let end = bytes.index(index, offsetBy: size)
            if header[1] == "blob" { texts[path] = String(decoding: bytes[index..<end], as: UTF8.self) }
            index = bytes.index(after: end)
        }
        return texts
    }

    public func searchCode(_ query: String, owner: String) async throws -> [CodeSearchHit] {
        var hits: [CodeSearchHit] = []
        for repo in try localRepositories(owner: owner) {
            let branch = try await defaultBranch(of: repo)
            let outcome = try await git.outcome(["grep", "-l", "-I", "-i", "-F", "-z", "-e", query, branch, "--"], repo: repo)
            // git grep exits 1 when nothing matches.
            guard outcome.exitCode == 0 || (outcome.exitCode == 1 && outcome.error.isEmpty) else { throw git.failure(outcome, "grep") }
            hits += outcome.output.split(separator: "\0").map { CodeSearchHit(repository: repo.description, path: String($0.dropFirst(branch.count + 1))) }
        }
        return hits
    }

    // MARK: Branches and commits

    public func createBranch(_ branch: String, from base: String, in repo: RepositoryRef) async throws -> String {
        try await git.checkBranchName(branch)
        if let existing = try await existingHead(of: branch, in: repo) { return existing }
        let sha = try await head(of: base, in: repo)
        // An empty old value: create only if it does not exist (another run may have just made it).
        let outcome = try await git.outcome(["update-ref", "refs/heads/\(branch)", sha, ""], repo: repo)
        if outcome.exitCode != 0, let existing = try await existingHead(of: branch, in: repo) { return existing }
        guard outcome.exitCode == 0 else { throw git.failure(outcome, "update-ref") }
        return sha
    }

    public func commit(_ files: [FileChange], message: String, on branch: String, in repo: RepositoryRef) async throws -> String {
        try await writeCommit(files, message: message, on: branch, parent: try await head(of: branch, in: repo), in: repo)
    }

    /// Blobs, a tree from the parent's tree plus `files`, a commit, and a ref update that
    /// only succeeds if the branch still points at `parent`.
    private func writeCommit(_ files: [FileChange], message: String, on branch: String, parent: String?, in repo: RepositoryRef) async throws -> String {
        let index = FileManager.default.temporaryDirectory.appendingPathComponent("tower-index-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: index) }
        let environment = ["GIT_INDEX_FILE": index.path]
        if let parent { try await git.run(["read-tree", parent], repo: repo, environment: environment) }
        for change in files {
            let blob = try await git.output(["hash-object", "-w", "--stdin"], repo: repo, input: Data(change.content.utf8))
            let mode = change.path.hasSuffix(".sh") ? "100755" : "100644"
            try await git.run(
                ["update-index", "--add", "--cacheinfo", "\(mode),\(blob.trimmingCharacters(in: .whitespacesAndNewlines)),\(try git.safePath(change.path))"],
                repo: repo, environment: environment)
        }
        let tree = try await git.output(["write-tree"], repo: repo, environment: environment).trimmingCharacters(in: .whitespacesAndNewlines)
        if let parent, try await git.output(["rev-parse", "\(parent)^{tree}"], repo: repo).trimmingCharacters(in: .whitespacesAndNewlines) == tree {
            return parent  // nothing changed: no empty commit
        }
        let identity = [
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email, "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email,
        ]
        let commit = try await git.output(["commit-tree", tree] + (parent.map { ["-p", $0] } ?? []) + ["-F", "-"], repo: repo, environment: identity, input: Data(message.utf8))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try await git.outcome(["update-ref", "refs/heads/\(branch)", commit, parent ?? ""], repo: repo)
        guard outcome.exitCode == 0 else { throw git.error("\(branch) in \(repo) moved while committing; nothing was written to it") }
        return commit
    }

    private func existingHead(of branch: String, in repo: RepositoryRef) async throws -> String? {
        let outcome = try await git.outcome(["rev-parse", "--verify", "--quiet", "refs/heads/\(branch)^{commit}"], repo: repo)
        return outcome.exitCode == 0 ? outcome.output.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// The commit a branch points at.
    public func head(of branch: String, in repo: RepositoryRef) async throws -> String {
        guard let sha = try await existingHead(of: branch, in: repo) else { throw git.error("\(repo) has no branch \(branch)") }
        return sha
    }

    // MARK: Pull requests

    public func openPullRequest(head: String, base: String, title: String, body: String, draft: Bool, in repo: RepositoryRef) async throws -> PullRequestRecord {
        _ = try await self.head(of: head, in: repo)
        _ = try await self.head(of: base, in: repo)
        return try await store.openPullRequest(
            PullRequestRecord(repository: repo.description, number: 0, head: head, base: base, title: title, body: body, draft: draft, url: ""), at: Date())
    }

    public func headCommit(of branch: String, in repo: RepositoryRef) async throws -> String {
        try await head(of: branch, in: repo)
    }

    public func updatePullRequestBody(_ body: String, number: Int, in repo: RepositoryRef) async throws {
        try await store.updatePullRequestBody(repository: repo.description, number: number, body: body)
    }

    public func findOpenPullRequest(head: String, in repo: RepositoryRef) async throws -> PullRequestRecord? {
        try await store.openPullRequest(repository: repo.description, head: head)
    }

    public func comment(_ body: String, onPullRequest number: Int, in repo: RepositoryRef) async throws {
        try await store.addPullRequestComment(repository: repo.description, number: number, body: body, author: author.name, at: Date())
    }

    // MARK: Working copies and history

    public func checkout(_ branch: String, in repo: RepositoryRef, to directory: URL) async throws {
        try await git.checkBranchName(branch)
        try await git.run(["clone", "--quiet", "--branch", branch, "--single-branch", git.directory(of: repo).path, directory.path], repo: nil)
    }

    public func commits(on branch: String, in repo: RepositoryRef, limit: Int) async throws -> [CommitSummary] {
        let sha = try await head(of: branch, in: repo)
        // Records end with RS (0x1E); the sha and the message are split by NUL.
        let output = try await git.output(["log", "--format=%H%x00%B%x1e", "-n", String(max(1, limit)), sha], repo: repo)
        return output.split(separator: "\u{1E}").compactMap { record in
            let parts = record.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\0", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            return CommitSummary(sha: String(parts[0]), message: String(parts[1]).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    public func lastCommit(touching path: String, on branch: String, in repo: RepositoryRef) async throws -> CommitSummary? {
        let sha = try await head(of: branch, in: repo)
        let output = try await git.output(["log", "-1", "--format=%H%x00%B", sha, "--", path], repo: repo)
        let parts = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\0", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        return CommitSummary(sha: String(parts[0]), message: String(parts[1]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func diff(base: String, head: String, in repo: RepositoryRef) async throws -> [FilePatch] {
        let output = try await git.output(
            ["diff", "--no-color", "--no-ext-diff", "--no-renames", "\(try git.commitish(base))...\(try git.commitish(head))"], repo: repo)
        return FilePatch.split(output)
    }

    // MARK: CI

    public func ciLogs(of run: CIRun, in repo: RepositoryRef) async throws -> [String] {
        [run.output]
    }

    public func ciRuns(branch: String, in repo: RepositoryRef) async throws -> [CIRun] {
        try await store.ciRuns(repository: repo.description, branch: branch)
    }

    /// Runs `command` (a shell command line) in a fresh checkout of `branch`, as CI would, in a
    /// ``Sandbox`` on that checkout (network allowed, as CI has it): nothing else writable, no
    /// tokens from this process, killed at `timeout`. The run is stored before it starts and
    /// when it ends.
    public func runCI(_ command: String, name: String = "ci", branch: String, in repo: RepositoryRef, timeout: TimeInterval = 600) async throws -> CIRun {
        let sha = try await head(of: branch, in: repo)
        var run = try await store.recordCIRun(CIRun(repository: repo.description, branch: branch, headSha: sha, name: name, status: .inProgress, startedAt: Date()))
        let checkout = FileManager.default.temporaryDirectory.appendingPathComponent("tower-ci-\(repo.owner)-\(repo.name)-\(run.id)-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: checkout) }
        do {
            try await git.run(["clone", "--quiet", "--branch", branch, "--single-branch", git.directory(of: repo).path, checkout.path], repo: nil)
            let sandbox = try Sandbox(root: checkout)
            let outcome = try await sandbox.execute(
                command, limits: Sandbox.Limits(timeout: timeout, network: true, outputLimit: CIRun.outputLimit), environment: ["CI": "true", "TOWER_CI": "1"])
            run.conclusion = outcome.timedOut ? .timedOut : outcome.exitCode == 0 ? .success : .failure
            run.output = outcome.output + (outcome.timedOut ? "\n[tower] stopped after \(Int(timeout)) s\n" : "")
        } catch {
            run.conclusion = .failure
            run.output = "[tower] could not run CI: \(error)\n"
        }
        run.status = .completed
        run.finishedAt = Date()
        return try await store.recordCIRun(run)
    }
}
