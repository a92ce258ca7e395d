import Foundation
import TowerAgents
import TowerCore
import TowerServices
import TowerStore

/// What Tower adds around the LLM for one plan task on a real repository: a checkout of the
/// branch from the local forge, writing the change, the repository's tests in the sandbox, and
/// the commit; against the same tests run directly in a plain checkout.
///
///     tower-bench execution --repo GIT_DIR [--test "python3 -m pytest -q"] [--runs 5]
func executionBench() async throws {
    let source = option("--repo", "")
    guard !source.isEmpty else {
        FileHandle.standardError.write(Data("usage: tower-bench execution --repo GIT_DIR [--test COMMAND] [--runs N]\n".utf8))
        exit(64)
    }
    let runs = Int(option("--runs", "5")) ?? 5
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tower-bench-execution-\(UUID().uuidString.prefix(6))")
    defer { try? FileManager.default.removeItem(at: work) }
    let store = try SQLiteStore(directory: work.appendingPathComponent("state"))
    let forge = LocalForge(root: work.appendingPathComponent("forge"), store: store)
    let repo = RepositoryRef(owner: "bench", name: "project")
    let bare = work.appendingPathComponent("forge/bench/project.git")
    let runner = ProcessRunner()
    _ = try await runner.run("git", ["clone", "--quiet", "--bare", source, bare.path])
    let base = try await runner.run("git", ["--git-dir", bare.path, "symbolic-ref", "--short", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    _ = try await forge.createBranch("ai/bench", from: base, in: repo)
    let override = option("--test", "")

    var direct: [Double] = [], checkout: [Double] = [], write: [Double] = [], test: [Double] = [], commit: [Double] = [], total: [Double] = []
    var command = ""
    for run in 1...runs {
        // The tests run directly, in a plain clone, as a developer would (the same PATH as the sandbox).
        let plain = work.appendingPathComponent("plain-\(run)")
        _ = try await runner.run("git", ["clone", "--quiet", "--branch", "ai/bench", bare.path, plain.path])

        let started = Date()
        let workspace = try await Workspace.open(repo, branch: "ai/bench", forge: forge, directory: work.appendingPathComponent("sandbox-\(run)"), testCommand: override.isEmpty ? nil : override)
        let checkedOut = Date()
        command = workspace.commands.test ?? "true"
        let change = FileChange(path: "tower_bench_note_\(run).txt", content: "plan task \(run)\n")
        _ = try workspace.write([change])
        let written = Date()
        let sandboxed = try await workspace.run(command, timeout: 600)
        let tested = Date()
        _ = try await forge.commit([change], message: "bench: plan task \(run)", on: "ai/bench", in: repo)
        let committed = Date()

        let directStart = Date()
        let plainRun = try await runner.run("/bin/sh", ["-c", command], in: plain, environment: ["PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/local/bin:/usr/bin:/bin", "CI": "true"], timeout: 600)
        let directEnd = Date()
        guard sandboxed.succeeded == plainRun.succeeded else {
            FileHandle.standardError.write(Data("the sandboxed run (\(sandboxed.exitCode)) and the direct run (\(plainRun.exitCode)) disagree:\n\(sandboxed.output.suffix(800))\n".utf8))
            exit(1)
        }
        checkout.append(checkedOut.timeIntervalSince(started))
        write.append(written.timeIntervalSince(checkedOut))
        test.append(tested.timeIntervalSince(written))
        commit.append(committed.timeIntervalSince(tested))
        total.append(committed.timeIntervalSince(started))
        direct.append(directEnd.timeIntervalSince(directStart))
        workspace.remove()
    }
    func ms(_ values: [Double]) -> String { String(format: "%.0f ms", percentile(values, 0.5) * 1000) }
    print("execution around the LLM, \(runs) plan tasks on \(source) with `\(command)` (medians):")
    print("  checkout \(ms(checkout)), write \(ms(write)), sandboxed tests \(ms(test)), commit \(ms(commit)): \(ms(total)) per task")
    print("  the same tests run directly: \(ms(direct)); Tower adds \(String(format: "%.0f ms", (percentile(total, 0.5) - percentile(direct, 0.5)) * 1000)) per task")
}
