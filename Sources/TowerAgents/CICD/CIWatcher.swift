import Foundation
import TowerCore
import TowerServices

/// Waits for the CI run of one commit. GitHub: the branch's workflow runs, polled with ETags
/// (an unchanged answer costs no rate limit) at an interval that doubles up to eight times the
/// first; a commit that gets no run at all is reported as such, not waited on forever. The
/// local forge: the repository's CI command (`.tower.toml`'s `[ci]`, else its tests) in a fresh
/// sandboxed checkout, once per commit.
struct CIWatcher {
    let forge: any Forge
    let settings: CISettings
    let testCommand: String?
    /// Waits between polls; returns early when a webhook brings news (``StepContext/sleepUntilCINews``).
    var sleep: @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }

    /// The finished run for `head` (a failed one first when several workflows ran), or `nil`
    /// when none appeared.
    func finishedRun(of repo: RepositoryRef, branch: String, head: String, log: @Sendable (String) async -> Void) async throws -> CIRun? {
        if let local = forge.asLocalForge { return try await localRun(local, repo: repo, branch: branch, head: head, log: log) }
        let started = Date()
        var interval = settings.pollInterval
        var announced = false
        while true {
            try Task.checkCancellation()
            let runs = try await forge.ciRuns(branch: branch, in: repo).filter { $0.headSha == head }
            if !runs.isEmpty, runs.allSatisfy({ $0.status == .completed }) {
                return runs.first { $0.conclusion != .success } ?? runs[0]
            }
            let waited = Date().timeIntervalSince(started)
            if runs.isEmpty, waited >= settings.waitForRuns { return nil }
            if waited >= settings.timeout {
                throw ServiceError(service: forge.name, status: 0, message: "CI on \(repo)@\(head.prefix(8)) did not finish within \(Int(settings.timeout)) s")
            }
            if !announced, !runs.isEmpty {
                await log("\(repo): watching \(runs.map(\.name).joined(separator: ", ")) on \(head.prefix(8))")
                announced = true
            }
            try await sleep(interval)
            interval = min(interval * 2, settings.pollInterval * 8)
        }
    }

    private func localRun(_ forge: LocalForge, repo: RepositoryRef, branch: String, head: String, log: @Sendable (String) async -> Void) async throws -> CIRun? {
        if let done = try await forge.ciRuns(branch: branch, in: repo).first(where: { $0.headSha == head && $0.status == .completed }) { return done }
        let files = try await forge.files(in: repo, ref: head)
        let wanted = [".tower.toml", "package.json", "Makefile", "pyproject.toml", "setup.cfg"].filter(files.contains)
        let texts = try await forge.files(wanted, in: repo, ref: head)
        let commands = try RepositoryCommands.resolve(files: files, read: { texts[$0] }, override: testCommand)
        guard let command = commands.ci ?? commands.test else { return nil }
        await log("\(repo): running CI `\(command)` on \(head.prefix(8))")
        return try await forge.runCI(command, name: commands.ci == nil ? "tests" : "ci", branch: branch, in: repo, timeout: settings.timeout)
    }
}
