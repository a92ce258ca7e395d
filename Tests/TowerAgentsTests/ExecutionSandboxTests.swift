import Foundation
import Testing
import TowerCore
import TowerServices
import TowerTestLog
import TowerTestSupport

@testable import TowerAgents

/// The sandbox as Execution uses it: a checkout of a local forge branch, the repository's tests
/// run inside it.
@Suite(.serialized) struct ExecutionSandboxTests {
    func workspace() async throws -> (Workspace, URL) {
        let (forge, _, directory) = try await FixtureOrganization.localForge()
        let repo = RepositoryRef(owner: FixtureOrganization.owner, name: "billing-service")
        let workspace = try await Workspace.open(repo, branch: "main", forge: forge, directory: directory.appendingPathComponent("work/billing-service"), testCommand: nil)
        return (workspace, directory)
    }

    @Test func noTowerSecretIsInTheTestsEnvironment() async throws {
        let (workspace, directory) = try await workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        // This process holds Tower's secrets in its environment, as `tower` does.
        let secrets = ["GITHUB_TOKEN": TestSecrets.githubToken, "ANTHROPIC_API_KEY": TestSecrets.anthropicKey, "SLACK_BOT_TOKEN": TestSecrets.slackToken]
        for (name, value) in secrets { setenv(name, value, 1) }
        defer { for name in secrets.keys { unsetenv(name) } }
        let run = try await workspace.run("env; cat /proc/$PPID/environ 2>/dev/null | tr '\\0' '\\n'", timeout: 30)
        #expect(run.succeeded, "\(run.output)")
        for (name, value) in secrets {
            #expect(!run.output.contains(value) && !run.output.contains(name + "="), "\(name)")
        }
        #expect(run.output.contains("CI=true") && run.output.contains("HOME=/tmp"))
    }

    @Test func aTestRunOverItsTimeLimitIsKilledWithItsChildren() async throws {
        let (workspace, directory) = try await workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = "31\(Int.random(in: 100_000...999_999))"
        // A test runner that forks workers which outlive it if nobody kills the whole tree.
        let run = try await workspace.run("(sleep \(marker) &) ; sh -c 'sleep \(marker)' & sleep \(marker)", timeout: 1)
        #expect(run.timedOut && !run.succeeded)
        try await Task.sleep(nanoseconds: 300_000_000)
        let left = try await ProcessRunner().run("pgrep", ["-f", "sleep \(marker)"])
        #expect(left.output.isEmpty, "still running: \(left.output)")
    }

    @Test func aGeneratedPathOutsideTheCheckoutIsRefused() async throws {
        let (workspace, directory) = try await workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = directory.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        // A link committed to the repository that leads out of the checkout.
        try FileManager.default.createSymbolicLink(atPath: workspace.sandbox.root.appendingPathComponent("vendor").path, withDestinationPath: outside.path)
        let answer = CodeChangeAnswer(summary: "s", files: [.init(path: "vendor/evil.py", action: "create", content: "x", edits: nil)])
        let changes = ChangeApplier.apply(answer, current: workspace.read)
        #expect(changes.problems.isEmpty)  // the path itself looks relative; the sandbox sees the link
        #expect(throws: SandboxError.outside("vendor/evil.py")) { _ = try workspace.write(changes.changes) }
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("evil.py").path))
        let escapes = CodeChangeAnswer(summary: "s", files: [.init(path: "../outside/evil.py", action: "create", content: "x", edits: nil)])
        #expect(ChangeApplier.apply(escapes, current: workspace.read).problems.first?.contains("not a path inside the repository") == true)
    }
}
