import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

@testable import TowerServices

/// A forge over a real bare repository in a temporary directory, with its records in a real
/// SQLite store; checked from outside with plain `git`.
private func makeForge() async throws -> (LocalForge, RepositoryRef, SQLiteStore, URL) {
    let directory = TemporaryDirectory.make("forge")
    let store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
    let forge = LocalForge(root: directory.appendingPathComponent("repos"), store: store)
    let repo = RepositoryRef(owner: "acme", name: "auth-service")
    try await forge.createRepository(repo, files: [
        FileChange(path: "README.md", content: "# auth-service\n"),
        FileChange(path: "src/auth/oauth.ts", content: "export const oauth = 1;\n"),
        FileChange(path: "test.sh", content: "#!/bin/sh\ngrep -q google src/auth/google.ts && echo 'all 3 tests passed'\n"),
    ])
    return (forge, repo, store, directory)
}

/// `git` run by hand on the forge's repository, as a person would look at it.
private func git(_ arguments: String..., in forge: LocalForge, _ repo: RepositoryRef) async throws -> String {
    let outcome = try await ProcessRunner().run("git", ["--git-dir", forge.git.directory(of: repo).path] + arguments)
    #expect(outcome.exitCode == 0, "git \(arguments): \(outcome.error)")
    return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite struct LocalForgeTests {
    @Test func branchTwoFileCommitPullRequestAndCI() async throws {
        let (forge, repo, store, directory) = try await makeForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await forge.defaultBranch(of: repo) == "main")
        let main = try await forge.head(of: "main", in: repo)

        let branch = try await forge.createBranch("ai/PROJ-123", from: "main", in: repo)
        #expect(branch == main)
        #expect(try await git("branch", "--list", "ai/*", "--format=%(refname:short)", in: forge, repo) == "ai/PROJ-123")

        let files = [
            FileChange(path: "src/auth/google.ts", content: "export const google = 2;\n"),
            FileChange(path: "src/auth/oauth.ts", content: "export const oauth = 3;\n"),
        ]
        let commit = try await forge.commit(files, message: "PROJ-123: Google OAuth\n\nTwo files, one commit.", on: "ai/PROJ-123", in: repo)
        // One commit on top of main, with exactly the two files changed.
        #expect(try await git("rev-list", "--count", "main..ai/PROJ-123", in: forge, repo) == "1")
        #expect(try await git("rev-parse", "ai/PROJ-123^", in: forge, repo) == main)
        #expect(try await git("diff", "--name-only", "main", "ai/PROJ-123", in: forge, repo) == "src/auth/google.ts\nsrc/auth/oauth.ts")
        #expect(try await git("log", "-1", "--format=%an <%ae>|%s", "ai/PROJ-123", in: forge, repo) == "Tower <tower@localhost>|PROJ-123: Google OAuth")
        #expect(try await forge.file("src/auth/google.ts", in: repo, ref: "ai/PROJ-123") == "export const google = 2;\n")
        #expect(try await forge.file("src/auth/google.ts", in: repo, ref: "main") == nil)
        #expect(try await forge.files(in: repo, ref: "ai/PROJ-123") == ["README.md", "src/auth/google.ts", "src/auth/oauth.ts", "test.sh"])

        // The same commit again (a re-run) makes nothing new; a branch made again is found.
        #expect(try await forge.commit(files, message: "PROJ-123: Google OAuth", on: "ai/PROJ-123", in: repo) == commit)
        #expect(try await forge.createBranch("ai/PROJ-123", from: "main", in: repo) == commit)

        let pr = try await forge.openPullRequest(head: "ai/PROJ-123", base: "main", title: "PROJ-123: Google OAuth", body: "AI Agent plan", draft: true, in: repo)
        #expect(pr.number == 1 && pr.state == .open && pr.draft && pr.url == "local:acme/auth-service#1")
        let again = try await forge.openPullRequest(head: "ai/PROJ-123", base: "main", title: "other title", body: "", draft: true, in: repo)
        #expect(again == pr)
        #expect(try await forge.findOpenPullRequest(head: "ai/PROJ-123", in: repo) == pr)
        #expect(try await store.pullRequest(repository: "acme/auth-service", number: 1) == pr)
        try await forge.comment("@agent approve", onPullRequest: 1, in: repo)
        #expect(try await store.pullRequestComments(repository: "acme/auth-service", number: 1) == ["@agent approve"])

        // CI: the branch's own test script, run in a fresh checkout.
        let passed = try await forge.runCI("sh test.sh", branch: "ai/PROJ-123", in: repo)
        #expect(passed.conclusion == .success && passed.status == .completed && passed.headSha == commit)
        #expect(passed.output.contains("all 3 tests passed"))
        let failed = try await forge.runCI("sh test.sh", branch: "main", in: repo)
        #expect(failed.conclusion == .failure && failed.output.contains("google.ts"))
        #expect(try await forge.ciRuns(branch: "ai/PROJ-123", in: repo).map(\.conclusion) == [.success])
    }

    @Test func ciCommandsAreTimeBoxedAndSeeNoSecrets() async throws {
        let (forge, repo, _, directory) = try await makeForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        setenv("GITHUB_TOKEN", "ghp_tst0secret_forge_never_in_ci", 1)
        defer { unsetenv("GITHUB_TOKEN") }
        let environment = try await forge.runCI("env; pwd", branch: "main", in: repo)
        #expect(environment.conclusion == .success && environment.output.contains("CI=true"))
        #expect(!environment.output.contains("ghp_tst0secret_forge_never_in_ci"))
        #expect(environment.output.contains("tower-ci-acme-auth-service"))
        // A command that forks a child and hangs: the whole group is killed at the limit.
        let hung = try await forge.runCI("sleep 30 & sleep 30; echo never", branch: "main", in: repo, timeout: 0.5)
        #expect(hung.conclusion == .timedOut && !hung.output.contains("never"))
        #expect(hung.output.contains("stopped after"))
    }

    @Test func namesThatCouldEscapeAreRefused() async throws {
        let (forge, repo, _, directory) = try await makeForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(RepositoryRef("acme/../etc") == nil && RepositoryRef("acme/x/y") == nil && RepositoryRef(".hidden/x") == nil)
        #expect(RepositoryRef("acme/auth-service") == repo)
        for path in ["../outside.txt", "/etc/passwd", "src/../../x", ".git/config", "-rf"] {
            await #expect(throws: ServiceError.self, "\(path)") {
                try await forge.commit([FileChange(path: path, content: "x")], message: "m", on: "main", in: repo)
            }
        }
        await #expect(throws: ServiceError.self) { try await forge.createBranch("bad..name", from: "main", in: repo) }
        await #expect(throws: ServiceError.self) { try await forge.createBranch("--force", from: "main", in: repo) }
        await #expect(throws: ServiceError(service: "local forge", status: 0, message: "acme/auth-service has no branch nope")) {
            _ = try await forge.openPullRequest(head: "nope", base: "main", title: "t", body: "", draft: true, in: repo)
        }
    }

    @Test func searchFindsFilesAcrossTheOwnersRepositories() async throws {
        let (forge, repo, _, directory) = try await makeForge()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await forge.createRepository(RepositoryRef(owner: "acme", name: "web"), files: [FileChange(path: "src/login.tsx", content: "import { OAuth } from 'auth';\n")])
        let hits = try await forge.searchCode("oauth", owner: "acme")
        #expect(hits == [CodeSearchHit(repository: repo.description, path: "src/auth/oauth.ts"), CodeSearchHit(repository: "acme/web", path: "src/login.tsx")])
        #expect(try await forge.searchCode("nothing-matches-this", owner: "acme").isEmpty)
    }
}

@Suite struct LocalForgeBatchReadTests {
    @Test func severalFilesInOneReadIncludingNonASCIIAndMissingOnes() async throws {
        let directory = TemporaryDirectory.make("forge-batch")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
        let forge = LocalForge(root: directory.appendingPathComponent("repos"), store: store)
        let repo = RepositoryRef(owner: "acme", name: "docs")
        try await forge.createRepository(repo, files: [
            FileChange(path: "a.txt", content: "first\nline two\n"), FileChange(path: "ünï/cøde.md", content: "日本語 — ok\n"), FileChange(path: "empty", content: ""),
        ])
        let texts = try await forge.files(["a.txt", "missing.txt", "ünï/cøde.md", "empty"], in: repo, ref: "main")
        #expect(texts == ["a.txt": "first\nline two\n", "ünï/cøde.md": "日本語 — ok\n", "empty": ""])
    }
}
