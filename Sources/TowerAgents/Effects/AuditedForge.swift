import Foundation
import TowerCore
import TowerServices
import TowerStore

/// A forge whose writes go into the audit trail: the branch, the commit, the pull request, its
/// body and comments a step makes, each with the step's idempotency key (the forge finds a
/// repeated write by it instead of making it twice). Reads pass straight through. The record is
/// written after the forge answered; if the store cannot take it the step's own commit fails
/// too, and its retry finds the forge's write already made and records it then. Before each write
/// it looks at the halts: a paused task or repository stops the step there (``TaskPaused``).
struct AuditedForge: Forge {
    let base: any Forge
    let store: any Store
    let taskId: String
    /// The running step's idempotency key.
    let key: String

    var name: String { base.name }

    /// Stops here when the task or `repo` is paused.
    private func gate(_ what: String, _ repo: RepositoryRef) async throws {
        try await HaltCheck(store: store, taskId: taskId).check(repository: repo.description, before: "\(what) on \(repo)")
    }

    private func record(_ action: String, _ detail: String) async throws {
        try await store.recordAudit(
            AuditRecord(at: Date(), kind: .effect, action: action, taskId: taskId, user: "tower", channel: base.name, key: key, detail: detail))
    }

    func repositories(owner: String) async throws -> [RepositoryRef] { try await base.repositories(owner: owner) }
    func defaultBranch(of repo: RepositoryRef) async throws -> String { try await base.defaultBranch(of: repo) }
    func headCommit(of branch: String, in repo: RepositoryRef) async throws -> String { try await base.headCommit(of: branch, in: repo) }
    func files(in repo: RepositoryRef, ref: String) async throws -> [String] { try await base.files(in: repo, ref: ref) }
    func file(_ path: String, in repo: RepositoryRef, ref: String) async throws -> String? { try await base.file(path, in: repo, ref: ref) }
    func files(_ paths: [String], in repo: RepositoryRef, ref: String) async throws -> [String: String] { try await base.files(paths, in: repo, ref: ref) }
    func searchCode(_ query: String, owner: String) async throws -> [CodeSearchHit] { try await base.searchCode(query, owner: owner) }

    func createBranch(_ branch: String, from baseBranch: String, in repo: RepositoryRef) async throws -> String {
        try await gate("branch", repo)
        let head = try await base.createBranch(branch, from: baseBranch, in: repo)
        try await record("forge_branch", "\(repo)@\(branch) from \(baseBranch) (\(head.prefix(8)))")
        return head
    }

    func commit(_ files: [FileChange], message: String, on branch: String, in repo: RepositoryRef) async throws -> String {
        try await gate("commit", repo)
        let head = try await base.commit(files, message: message, on: branch, in: repo)
        let subject = message.prefix { $0 != "\n" }
        try await record("forge_commit", "\(repo)@\(branch) \(head.prefix(8)): \(subject) (\(files.count) file\(files.count == 1 ? "" : "s"))")
        return head
    }

    func openPullRequest(head: String, base baseBranch: String, title: String, body: String, draft: Bool, in repo: RepositoryRef) async throws -> PullRequestRecord {
        try await gate("pull request", repo)
        let pr = try await base.openPullRequest(head: head, base: baseBranch, title: title, body: body, draft: draft, in: repo)
        try await record("forge_pull_request", "\(repo)#\(pr.number)\(draft ? " (draft)" : ""): \(pr.url)")
        return pr
    }

    func updatePullRequestBody(_ body: String, number: Int, in repo: RepositoryRef) async throws {
        try await gate("pull request body", repo)
        try await base.updatePullRequestBody(body, number: number, in: repo)
        try await record("forge_pull_request_body", "\(repo)#\(number)")
    }

    func findOpenPullRequest(head: String, in repo: RepositoryRef) async throws -> PullRequestRecord? { try await base.findOpenPullRequest(head: head, in: repo) }

    func comment(_ body: String, onPullRequest number: Int, in repo: RepositoryRef) async throws {
        try await gate("comment", repo)
        try await base.comment(body, onPullRequest: number, in: repo)
        try await record("forge_comment", "\(repo)#\(number)")
    }

    func ciRuns(branch: String, in repo: RepositoryRef) async throws -> [CIRun] { try await base.ciRuns(branch: branch, in: repo) }
    func ciLogs(of run: CIRun, in repo: RepositoryRef) async throws -> [String] { try await base.ciLogs(of: run, in: repo) }
    func checkout(_ branch: String, in repo: RepositoryRef, to directory: URL) async throws { try await base.checkout(branch, in: repo, to: directory) }
    func commits(on branch: String, in repo: RepositoryRef, limit: Int) async throws -> [CommitSummary] { try await base.commits(on: branch, in: repo, limit: limit) }
    func lastCommit(touching path: String, on branch: String, in repo: RepositoryRef) async throws -> CommitSummary? {
        try await base.lastCommit(touching: path, on: branch, in: repo)
    }
    func diff(base baseRef: String, head: String, in repo: RepositoryRef) async throws -> [FilePatch] { try await base.diff(base: baseRef, head: head, in: repo) }
}

extension Forge {
    /// The local forge this is, or the one an audited forge writes through: the CI/CD agent runs
    /// the local forge's CI itself.
    var asLocalForge: LocalForge? { (self as? LocalForge) ?? ((self as? AuditedForge)?.base as? LocalForge) }
}
