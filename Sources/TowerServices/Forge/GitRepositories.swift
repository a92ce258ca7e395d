import Foundation

/// `git` against the bare repositories under a root directory, with its errors turned into
/// ``ServiceError``s that quote git's own message.
struct GitRepositories: Sendable {
    let root: URL
    let runner = ProcessRunner()

    func directory(of repo: RepositoryRef) -> URL {
        root.appendingPathComponent(repo.owner).appendingPathComponent("\(repo.name).git")
    }

    func outcome(_ arguments: [String], repo: RepositoryRef?, environment: [String: String] = [:], input: Data? = nil) async throws -> ProcessRunner.Outcome {
        var environment: [String: String?] = environment.mapValues { $0 }
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        var prefix: [String] = []
        if let repo {
            let directory = directory(of: repo)
            guard FileManager.default.fileExists(atPath: directory.path) else { throw error("no repository \(repo) in \(root.path)") }
            prefix = ["--git-dir", directory.path]
        }
        return try await runner.run("git", prefix + arguments, environment: environment, input: input, timeout: 120)
    }

    func output(_ arguments: [String], repo: RepositoryRef?, environment: [String: String] = [:], input: Data? = nil) async throws -> String {
        let outcome = try await outcome(arguments, repo: repo, environment: environment, input: input)
        guard outcome.succeeded else { throw failure(outcome, arguments.first ?? "git") }
        return outcome.output
    }

    func run(_ arguments: [String], repo: RepositoryRef?, environment: [String: String] = [:]) async throws {
        _ = try await output(arguments, repo: repo, environment: environment)
    }

    func failure(_ outcome: ProcessRunner.Outcome, _ command: String) -> ServiceError {
        let message = outcome.timedOut ? "timed out" : outcome.error.trimmingCharacters(in: .whitespacesAndNewlines)
        return ServiceError(service: "git", status: 0, message: "git \(command) exited \(outcome.exitCode): \(message)")
    }

    func error(_ message: String) -> ServiceError { ServiceError(service: "local forge", status: 0, message: message) }

    /// A ref name that cannot be taken for an option or a path outside the repository.
    func commitish(_ ref: String) throws -> String {
        guard !ref.isEmpty, !ref.hasPrefix("-"), !ref.contains(".."), !ref.contains(":") else { throw error("\"\(ref)\" is not a valid ref") }
        return ref
    }

    /// A repository-relative path with no `..`, no leading `/` and nothing git keeps for itself.
    func safePath(_ path: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("-"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0 != ".git" }) else {
            throw error("\"\(path)\" is not a valid path inside a repository")
        }
        return path
    }

    /// git's own rules for branch names (`git check-ref-format --branch`).
    func checkBranchName(_ branch: String) async throws {
        let outcome = try await outcome(["check-ref-format", "--branch", branch], repo: nil)
        guard outcome.exitCode == 0, !branch.hasPrefix("-") else { throw error("\"\(branch)\" is not a valid branch name") }
    }
}
