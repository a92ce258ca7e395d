import Foundation
import TowerServices

/// A local forge repository's default branch, moved to the commit a ticket was filed against and
/// back. Its true head is kept under `refs/bench/head`, so a run that died with the branch moved
/// puts it back at the start of the next.
struct ForgeBranch {
    let repo: RepositoryRef
    let name: String
    /// The branch's commit when no ticket has moved it.
    let head: String
    private let gitDir: String

    init(root: URL, repo: RepositoryRef, name: String) async throws {
        self.repo = repo
        self.name = name
        gitDir = root.appendingPathComponent(repo.owner).appendingPathComponent("\(repo.name).git").path
        let kept = try await ProcessRunner().run("git", ["--git-dir", gitDir, "rev-parse", "--verify", "--quiet", "refs/bench/head"])
        if kept.succeeded, !kept.output.isEmpty {
            head = kept.output.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            head = try await Self.git(gitDir, ["rev-parse", "--verify", "refs/heads/\(name)"])
            _ = try await Self.git(gitDir, ["update-ref", "refs/bench/head", head])
        }
        try await restore()
    }

    /// Points the branch at `commit`.
    func move(to commit: String) async throws { _ = try await Self.git(gitDir, ["update-ref", "refs/heads/\(name)", commit]) }

    /// Points the branch at its true head again.
    func restore() async throws { try await move(to: head) }

    private static func git(_ gitDir: String, _ arguments: [String]) async throws -> String {
        let outcome = try await ProcessRunner().run("git", ["--git-dir", gitDir] + arguments, timeout: 60)
        guard outcome.succeeded else {
            throw BenchError("git \(arguments.joined(separator: " ")) in \(gitDir) exited \(outcome.exitCode): \(outcome.error.suffix(300))")
        }
        return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A benchmark that cannot set itself up says what failed.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
