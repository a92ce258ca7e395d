import Foundation
import TowerCore

/// A repository on a forge, `owner/name`.
public struct RepositoryRef: Hashable, Sendable, Codable, CustomStringConvertible {
    public var owner: String
    public var name: String

    public init(owner: String, name: String) {
        self.owner = owner
        self.name = name
    }

    /// `owner/name`; `nil` unless the text has exactly that shape with safe names.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, parts.allSatisfy(Self.isSafeName) else { return nil }
        self.init(owner: parts[0], name: parts[1])
    }

    public var description: String { "\(owner)/\(name)" }

    /// Letters, digits, `-`, `_` and `.`, not starting with `.`: what GitHub allows, and nothing
    /// that could climb out of the local forge's directory.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}

/// A file to write in a commit.
public struct FileChange: Sendable, Equatable {
    public var path: String
    public var content: String

    public init(path: String, content: String) {
        self.path = path
        self.content = content
    }
}

/// A commit on a branch, as a re-run looks for the one it made (by a line in its message).
public struct CommitSummary: Sendable, Equatable {
    public var sha: String
    public var message: String

    public init(sha: String, message: String) {
        self.sha = sha
        self.message = message
    }
}

/// One file's change between two commits, as a unified diff.
public struct FilePatch: Sendable, Equatable {
    public var path: String
    /// `---`/`+++` headers and hunks.
    public var patch: String

    public init(path: String, patch: String) {
        self.path = path
        self.patch = patch
    }
}

/// A code search hit.
public struct CodeSearchHit: Sendable, Equatable, Codable {
    public var repository: String
    public var path: String

    public init(repository: String, path: String) {
        self.repository = repository
        self.path = path
    }
}

extension Forge {
    /// One `file` call per path: forges without a batch read.
    public func files(_ paths: [String], in repo: RepositoryRef, ref: String) async throws -> [String: String] {
        var texts: [String: String] = [:]
        for path in paths { texts[path] = try await file(path, in: repo, ref: ref) }
        return texts
    }
}

/// The repository operations the agents need, whichever forge holds the code: GitHub through
/// its REST API, or the local forge over git repositories on this machine. Every write is safe
/// to repeat: a branch, commit or pull request that a first run made is found, not made twice.
public protocol Forge: Sendable {
    /// What the forge is called in messages ("GitHub", "local forge").
    var name: String { get }
    /// The repositories of an owner (an organization or a user), sorted by name.
    func repositories(owner: String) async throws -> [RepositoryRef]
    /// The branch new work starts from.
    func defaultBranch(of repo: RepositoryRef) async throws -> String
    /// The commit a branch points at (what trees are cached by).
    func headCommit(of branch: String, in repo: RepositoryRef) async throws -> String
    /// Every file path at `ref`.
    func files(in repo: RepositoryRef, ref: String) async throws -> [String]
    /// A file's text at `ref`, or `nil` when there is no such file.
    func file(_ path: String, in repo: RepositoryRef, ref: String) async throws -> String?
    /// Several files' text at `ref`, by path (missing paths are left out): one round trip where
    /// the forge allows it.
    func files(_ paths: [String], in repo: RepositoryRef, ref: String) async throws -> [String: String]
    /// Files in the owner's repositories that mention `query`.
    func searchCode(_ query: String, owner: String) async throws -> [CodeSearchHit]
    /// Creates `branch` at `base`'s head; an existing branch is left as it is. Returns its head.
    @discardableResult
    func createBranch(_ branch: String, from base: String, in repo: RepositoryRef) async throws -> String
    /// Writes every file in one commit on `branch`; no commit when nothing changes. Returns the head.
    @discardableResult
    func commit(_ files: [FileChange], message: String, on branch: String, in repo: RepositoryRef) async throws -> String
    /// Opens a pull request, or returns the one already open for `head`.
    func openPullRequest(head: String, base: String, title: String, body: String, draft: Bool, in repo: RepositoryRef) async throws -> PullRequestRecord
    /// Replaces a pull request's body (to link the other pull requests of a plan).
    func updatePullRequestBody(_ body: String, number: Int, in repo: RepositoryRef) async throws
    /// The open pull request for a head branch.
    func findOpenPullRequest(head: String, in repo: RepositoryRef) async throws -> PullRequestRecord?
    /// A comment on a pull request.
    func comment(_ body: String, onPullRequest number: Int, in repo: RepositoryRef) async throws
    /// The branch's CI runs, newest first.
    func ciRuns(branch: String, in repo: RepositoryRef) async throws -> [CIRun]
    /// The logs of a finished run, one text per job (what the CI/CD agent classifies).
    func ciLogs(of run: CIRun, in repo: RepositoryRef) async throws -> [String]
    /// A working copy of `branch` in `directory` (which must not exist yet): the files, no
    /// credentials, for tests and fixes to run on.
    func checkout(_ branch: String, in repo: RepositoryRef, to directory: URL) async throws
    /// The newest commits on `branch`, newest first: how a re-run finds a commit it made.
    func commits(on branch: String, in repo: RepositoryRef, limit: Int) async throws -> [CommitSummary]
    /// The newest commit on `branch` that changed `path`: who edited PLAN.md, and with which commit.
    func lastCommit(touching path: String, on branch: String, in repo: RepositoryRef) async throws -> CommitSummary?
    /// What changed from `base` to `head`, file by file.
    func diff(base: String, head: String, in repo: RepositoryRef) async throws -> [FilePatch]
}

extension FilePatch {
    /// The files of a `git diff` output, split at each `diff --git` header (which is kept).
    public static func split(_ output: String) -> [FilePatch] {
        var patches: [FilePatch] = []
        var current: [Substring] = []
        func flush() {
            guard let header = current.first else { return }
            // "diff --git a/PATH b/PATH": the b side is the file as it now is.
            let path = header.range(of: " b/", options: .backwards).map { String(header[$0.upperBound...]) } ?? String(header.dropFirst("diff --git ".count))
            patches.append(FilePatch(path: path, patch: current.joined(separator: "\n") + "\n"))
            current = []
        }
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("diff --git ") { flush() }
            if !current.isEmpty || line.hasPrefix("diff --git ") { current.append(line) }
        }
        if current.last?.isEmpty == true { current.removeLast() }
        flush()
        return patches
    }
}
